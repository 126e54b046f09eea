// CDK entry point (cdk.json runs it with tsx): a county's two stacks, Baosong-<county>-data and Baosong-<county>-app,
// configured from context and checked by cdk-nag. README "Deploying" lists every setting.
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { BaosongAppStack, type MailSettings } from './appStack';
import { BaosongDataStack, configurationSetName } from './dataStack';

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
// Environment-agnostic when no credentials are configured, so `cdk synth` works offline.
const env = account && region ? { account, region } : undefined;

const countyId = requiredContext('baosong:countyId');
const sender = requiredContext('baosong:sender');
if (!/^[a-z0-9-]{2,32}$/.test(countyId)) {
  throw new Error(
    `baosong:countyId must be 2-32 lower-case letters, digits or hyphens (it names the stacks), got "${countyId}"`,
  );
}
// The demo county (cdk.json) synthesizes offline; an account to deploy to needs the county's own settings.
if (env && (countyId === 'demo' || sender.endsWith('@example.com')) && context('baosong:allowDemo') !== 'true') {
  throw new Error(
    'Refusing to deploy the demo county: set -c baosong:countyId=<your county> -c baosong:sender=<an address of ' +
      "the county's domain> (README, Deploying).",
  );
}

const mailTransport = context('baosong:mailTransport') === 'smtp' ? 'smtp' : 'ses';
const data = new BaosongDataStack(app, `Baosong-${countyId}-data`, {
  env,
  countyId,
  sender,
  mailTransport,
  sesIdentityExists: context('baosong:sesIdentityExists') === 'true',
});

const mail: MailSettings =
  mailTransport === 'smtp'
    ? {
        kind: 'smtp',
        sender,
        host: requiredContext('baosong:smtpHost'),
        port: numberContext('baosong:smtpPort'),
        secure: context('baosong:smtpSecure') === undefined ? undefined : context('baosong:smtpSecure') === 'true',
      }
    : { kind: 'ses', sender, configurationSet: configurationSetName(countyId) };

const emailFullText = context('baosong:emailFullText');
if (emailFullText !== undefined && emailFullText !== 'full' && emailFullText !== 'link') {
  throw new Error(`baosong:emailFullText must be full or link, got "${emailFullText}"`);
}
const domainName = context('baosong:domainName');
new BaosongAppStack(app, `Baosong-${countyId}-app`, {
  env,
  countyId,
  data: data.refs(),
  // The restore drill (README): the app pointed at a table restored to a point in time, by its name.
  restoredTableName: context('baosong:tableName'),
  mail,
  senderName: context('baosong:senderName'),
  contact: context('baosong:contact'),
  emailFullText,
  domain: domainName ? { name: domainName, certificateArn: requiredContext('baosong:certificateArn') } : undefined,
  publicUrl: context('baosong:publicUrl'),
  reviewLinkDays: numberContext('baosong:reviewLinkDays'),
  reminderAfterDays: numberContext('baosong:reminderAfterDays'),
  alarmEmail: context('baosong:alarmEmail'),
  bulletinSchedule: context('baosong:bulletinSchedule'),
  yearlyTarget: numberContext('baosong:yearlyTarget'),
  monthlyResearchTarget: numberContext('baosong:monthlyResearchTarget'),
  bulletinRecipients: context('baosong:bulletinRecipients'),
  bulletinRate: numberContext('baosong:bulletinRate'),
});

// cdk-nag 3 is a policy-validation plugin (not an Aspect): any unacknowledged finding fails the synth.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
