// The demo county's two stacks as the bench reads them: synthesized without bundling and without the built-in
// CloudFormation schema validation (7 s of a WebAssembly engine), for the settings in their templates.
import { App } from 'aws-cdk-lib';
import { BaosongAppStack, type BaosongAppStackProps } from '../infra/appStack';
import { BaosongDataStack, configurationSetName } from '../infra/dataStack';

export function demoStacks(
  prefix: string,
  extra: Partial<BaosongAppStackProps> = {},
): { data: BaosongDataStack; app: BaosongAppStack } {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] }, builtinCloudFormationValidation: false });
  const data = new BaosongDataStack(app, `${prefix}-data`, {
    countyId: 'demo',
    sender: 'baosong@example.com',
    mailTransport: 'ses',
  });
  const appStack = new BaosongAppStack(app, `${prefix}-app`, {
    countyId: 'demo',
    data: data.refs(),
    mail: { kind: 'ses', sender: 'baosong@example.com', configurationSet: configurationSetName('demo') },
    ...extra,
  });
  return { data, app: appStack };
}
