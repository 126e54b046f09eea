// CDK entry point (cdk.json runs it with tsx): one baosong stack, configured from context, checked by cdk-nag.
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { BaosongStack, STACK_NAME } from './stack';

const app = new App();

function context(name: string): string | undefined {
  const value: unknown = app.node.tryGetContext(name);
  if (value === undefined || value === null || String(value).trim() === '') return undefined;
  return String(value).trim();
}

function requiredContext(name: string): string {
  const value = context(name);
  if (value === undefined) {
    throw new Error(`Missing CDK context ${name} (set it in cdk.json or pass -c ${name}=...)`);
  }
  return value;
}

function numberContext(name: string): number | undefined {
  const value = context(name);
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isFinite(number)) throw new Error(`CDK context ${name} must be a number, got "${value}"`);
  return number;
}

const account = process.env.CDK_DEFAULT_ACCOUNT;
const region = process.env.CDK_DEFAULT_REGION;

new BaosongStack(app, STACK_NAME, {
  countyId: requiredContext('baosong:countyId'),
  sender: requiredContext('baosong:sender'),
  senderName: context('baosong:senderName'),
  contact: context('baosong:contact'),
  publicUrl: context('baosong:publicUrl'),
  reviewLinkDays: numberContext('baosong:reviewLinkDays'),
  reminderAfterDays: numberContext('baosong:reminderAfterDays'),
  alarmEmail: context('baosong:alarmEmail'),
  bulletinSchedule: context('baosong:bulletinSchedule'),
  yearlyTarget: numberContext('baosong:yearlyTarget'),
  monthlyResearchTarget: numberContext('baosong:monthlyResearchTarget'),
  bulletinRecipients: context('baosong:bulletinRecipients'),
  bulletinRate: numberContext('baosong:bulletinRate'),
  // Environment-agnostic when no credentials are configured, so `cdk synth` works offline.
  env: account && region ? { account, region } : undefined,
});

// cdk-nag 3 is a policy-validation plugin (not an Aspect): any unacknowledged finding fails the synth.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
