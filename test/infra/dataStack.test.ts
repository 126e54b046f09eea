// The data stack (Baosong-<county>-data) as CloudFormation: what a county keeps whatever happens to the app stack
// (table, files bucket, signing keys, the mail identity), and a clean cdk-nag (AwsSolutions) report.
// Bundling is skipped; cdk.json's feature flags are applied so the template is the deployed one.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { filesBucketName, LOG_RETENTION_DAYS } from '../../infra/baosongFunction';
import { BaosongDataStack, type BaosongDataStackProps, configurationSetName } from '../../infra/dataStack';
import { repoRoot } from '../../infra/functionBuild';
import { AWAITING_INDEX, createTableInput, TTL_ATTRIBUTE } from '../../shared/store/tableDefinition';

const sender = 'baosong@example.com';
const cdkContext: Record<string, unknown> = JSON.parse(readFileSync(path.join(repoRoot, 'cdk.json'), 'utf8')).context;

function newDataStack(props: Partial<BaosongDataStackProps> = {}): { app: App; stack: BaosongDataStack } {
  const app = new App({ context: { ...cdkContext, 'aws:cdk:bundling-stacks': [] } });
  const stack = new BaosongDataStack(app, 'Baosong-demo-data', {
    countyId: 'demo',
    sender,
    mailTransport: 'ses',
    ...props,
  });
  return { app, stack };
}

type Resource = { Type: string; Properties: Record<string, unknown> } & Record<string, unknown>;
type Statement = { Effect?: string; Action: string | string[]; Resource?: unknown; Condition?: unknown } & Record<
  string,
  unknown
>;

function resourcesOf(template: Template, type: string): [string, Resource][] {
  return Object.entries(template.toJSON().Resources as Record<string, Resource>).filter(([, r]) => r.Type === type);
}

/** A CloudFormation value as text: `{Ref: X}` as `<X>`, `Fn::GetAtt` as `<X.Attr>`, `Fn::Join` joined. */
function text(value: unknown): string {
  if (typeof value === 'string') return value;
  const v = value as Record<string, unknown>;
  if (typeof v.Ref === 'string') return `<${v.Ref}>`;
  if (Array.isArray(v['Fn::GetAtt'])) return `<${(v['Fn::GetAtt'] as string[]).join('.')}>`;
  const join = v['Fn::Join'] as [string, unknown[]] | undefined;
  if (join) return join[1].map(text).join(join[0]);
  return JSON.stringify(value);
}

/** Acknowledged cdk-nag rules recorded in the construct tree: where, which rule, and why. */
function acknowledgmentsIn(scope: IConstruct): { path: string; id: string; reason: unknown }[] {
  return scope.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) =>
        Object.entries(entry.data as Record<string, unknown>).map(([id, reason]) => ({
          path: construct.node.path,
          id: id.replace(/^annotation::/i, ''),
          reason,
        })),
      ),
  );
}

const { stack } = newDataStack();
const template = Template.fromStack(stack);
const resources = template.toJSON().Resources as Record<string, Resource>;
const resourceCount = Object.keys(resources).length;

describe('BaosongDataStack', () => {
  function logicalId(construct: IConstruct): string {
    return stack.resolve(stack.getLogicalId(construct.node.defaultChild as never));
  }

  const filesBucketId = () => logicalId(stack.filesBucket);
  const logsBucketId = () =>
    (resources[filesBucketId()]!.Properties.LoggingConfiguration as { DestinationBucketName: { Ref: string } })
      .DestinationBucketName.Ref;

  /** The statements of a bucket's policy. */
  function bucketPolicyOf(bucketId: string): Statement[] {
    const policies = resourcesOf(template, 'AWS::S3::BucketPolicy').filter(
      ([, p]) => JSON.stringify(p.Properties.Bucket) === JSON.stringify({ Ref: bucketId }),
    );
    expect(policies).toHaveLength(1);
    return (policies[0]![1].Properties.PolicyDocument as { Statement: Statement[] }).Statement;
  }

  it(`stays far under CloudFormation's 500 resources per stack: ${resourceCount} resources`, () => {
    expect(resourceCount).toBeLessThanOrEqual(300);
  });

  it('is protected from termination and retains everything that holds data', () => {
    expect(stack.terminationProtection).toBe(true);
    expect(stack.stackName).toBe('Baosong-demo-data');
    // Policies hold no data; everything else (table, buckets, secrets, the SES identity and set) outlives the stack.
    const held = Object.entries(resources).filter(([, r]) => r.Type !== 'AWS::S3::BucketPolicy');
    expect(held.length).toBeGreaterThan(0);
    for (const [id, r] of held) {
      expect({ id, DeletionPolicy: r.DeletionPolicy, UpdateReplacePolicy: r.UpdateReplacePolicy }).toEqual({
        id,
        DeletionPolicy: 'Retain',
        UpdateReplacePolicy: 'Retain',
      });
    }
  });

  it('keeps the table on-demand, recoverable and protected, with the shared key schema and every index', () => {
    const definition = createTableInput('unused');
    template.resourceCountIs('AWS::DynamoDB::Table', 1);
    template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        DeletionProtectionEnabled: true,
        KeySchema: definition.KeySchema,
        AttributeDefinitions: definition.AttributeDefinitions,
        GlobalSecondaryIndexes: definition.GlobalSecondaryIndexes,
      }),
    });
    // The reminders' sparse index of revisions waiting for a decision.
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      GlobalSecondaryIndexes: Match.arrayWith([
        {
          IndexName: AWAITING_INDEX.name,
          KeySchema: [
            { AttributeName: AWAITING_INDEX.partition, KeyType: 'HASH' },
            { AttributeName: AWAITING_INDEX.sort, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'KEYS_ONLY' },
        },
      ]),
    });
  });

  it('expires claims, throttle markers, link requests and desk sessions by TTL', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true },
    });
    expect(TTL_ATTRIBUTE).toBe('expiresAt');
  });

  it("names the files bucket by county and account, as the app stack's functions name it", () => {
    expect(text(resources[filesBucketId()]!.Properties.BucketName)).toBe(filesBucketName('demo', '<AWS::AccountId>'));
    expect(filesBucketName('demo', '<AWS::AccountId>')).toBe('baosong-demo-files-<AWS::AccountId>');
  });

  it('keeps the files bucket encrypted, versioned, private and retained, and its access logs in a bucket apart', () => {
    const files = resources[filesBucketId()]!;
    expect(files).toMatchObject({ Type: 'AWS::S3::Bucket', DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    expect(files.Properties).toMatchObject({
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
      VersioningConfiguration: { Status: 'Enabled' },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
    });
    // No auto-delete custom resource: nothing empties the bucket when the stack goes.
    expect(JSON.stringify(resources)).not.toContain('Custom::S3AutoDeleteObjects');

    const logsId = logsBucketId();
    expect(logsId).not.toBe(filesBucketId());
    const logs = resources[logsId]!;
    expect(logs).toMatchObject({ Type: 'AWS::S3::Bucket', DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    expect(logs.Properties).toMatchObject({
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
    });
    // Log delivery by bucket policy (ACLs stay disabled), for the files bucket's logs only, from this account.
    expect(logs.Properties.AccessControl).toBeUndefined();
    const logging = files.Properties.LoggingConfiguration as { LogFilePrefix?: string };
    expect(logging.LogFilePrefix).toBe('files/');
    const delivery = bucketPolicyOf(logsId).filter((st) => st.Effect === 'Allow');
    expect(delivery).toEqual([
      expect.objectContaining({
        Principal: { Service: 'logging.s3.amazonaws.com' },
        Action: 's3:PutObject',
        Condition: {
          ArnLike: { 'aws:SourceArn': { 'Fn::GetAtt': [filesBucketId(), 'Arn'] } },
          StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
        },
      }),
    ]);
    expect(text(delivery[0]!.Resource)).toBe(`<${logsId}.Arn>/${logging.LogFilePrefix}*`);
  });

  it('keeps the access logs as long as the functions’ logs (400 days), then expires them', () => {
    expect(LOG_RETENTION_DAYS).toBe(400);
    expect(resources[logsBucketId()]!.Properties.LifecycleConfiguration).toEqual({
      Rules: [expect.objectContaining({ ExpirationInDays: 400, Status: 'Enabled' })],
    });
  });

  it('denies every request to the files bucket and its log bucket that does not use TLS', () => {
    for (const bucketId of [filesBucketId(), logsBucketId()]) {
      const denials = bucketPolicyOf(bucketId).filter(
        (st) =>
          st.Effect === 'Deny' &&
          JSON.stringify(st.Condition) === JSON.stringify({ Bool: { 'aws:SecureTransport': 'false' } }),
      );
      expect({ bucketId, denials: denials.length }).toEqual({ bucketId, denials: 1 });
      expect(denials[0]).toMatchObject({ Action: 's3:*', Principal: { AWS: '*' } });
      // The bucket and every object in it.
      expect((denials[0]!.Resource as unknown[]).map(text).sort()).toEqual([
        `<${bucketId}.Arn>`,
        `<${bucketId}.Arn>/*`,
      ]);
    }
  });

  it('aborts abandoned multipart uploads and expires deleted originals after a quarter', () => {
    expect(resources[filesBucketId()]!.Properties.LifecycleConfiguration).toEqual({
      Rules: [
        expect.objectContaining({
          Status: 'Enabled',
          AbortIncompleteMultipartUpload: { DaysAfterInitiation: 3 },
          NoncurrentVersionExpiration: { NoncurrentDays: 90 },
          ExpiredObjectDeleteMarker: true,
        }),
      ],
    });
  });

  it('keeps a retained 64-character signing key and outputs the table name, files bucket and secret ARN', () => {
    template.hasResource('AWS::SecretsManager::Secret', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        GenerateSecretString: Match.objectLike({ PasswordLength: 64, ExcludePunctuation: true }),
      }),
    });
    template.hasOutput('TableName', { Value: { Ref: logicalId(stack.table) } });
    template.hasOutput('FilesBucketName', { Value: { Ref: filesBucketId() } });
    template.hasOutput('SecretArn', { Value: { Ref: logicalId(stack.signingKey) } });
  });

  it("verifies the sender's domain in SES with Easy DKIM, and outputs its three CNAME records", () => {
    const identities = resourcesOf(template, 'AWS::SES::EmailIdentity');
    expect(identities).toHaveLength(1);
    const [identityId, identity] = identities[0]!;
    expect(identity).toMatchObject({
      DeletionPolicy: 'Retain',
      Properties: { EmailIdentity: 'example.com', DkimAttributes: { SigningEnabled: true } },
    });
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
    const dkim = Object.keys(outputs)
      .filter((name) => name.startsWith('DkimRecord'))
      .sort();
    expect(dkim).toEqual(['DkimRecord1', 'DkimRecord2', 'DkimRecord3']);
    dkim.forEach((name, i) => {
      expect(text(outputs[name]!.Value)).toBe(
        `<${identityId}.DkimDNSTokenName${i + 1}> CNAME <${identityId}.DkimDNSTokenValue${i + 1}>`,
      );
    });
  });

  it('makes the configuration set every send names, suppressing bounced and complaining addresses', () => {
    expect(configurationSetName('demo')).toBe('baosong-demo');
    const sets = resourcesOf(template, 'AWS::SES::ConfigurationSet');
    expect(sets).toHaveLength(1);
    expect(sets[0]![1]).toMatchObject({
      DeletionPolicy: 'Retain',
      Properties: {
        Name: 'baosong-demo',
        SuppressionOptions: { SuppressedReasons: expect.arrayContaining(['BOUNCE', 'COMPLAINT']) },
      },
    });
    expect(
      (sets[0]![1].Properties.SuppressionOptions as { SuppressedReasons: string[] }).SuppressedReasons,
    ).toHaveLength(2);
  });

  it('leaves the SES domain identity alone where another county of the account made it, and still makes the set', () => {
    const shared = Template.fromStack(newDataStack({ sesIdentityExists: true }).stack);
    shared.resourceCountIs('AWS::SES::EmailIdentity', 0);
    shared.resourcePropertiesCountIs('AWS::SES::ConfigurationSet', { Name: 'baosong-demo' }, 1);
    expect(Object.keys(shared.toJSON().Outputs).filter((name) => name.startsWith('DkimRecord'))).toEqual([]);
  });

  it("keeps the SMTP server's credentials in a retained secret instead of any SES resource when mail goes by SMTP", () => {
    const { stack: smtp } = newDataStack({ mailTransport: 'smtp' });
    const smtpTemplate = Template.fromStack(smtp);
    const all = Object.values(smtpTemplate.toJSON().Resources as Record<string, Resource>);
    expect(all.filter((r) => r.Type.startsWith('AWS::SES::'))).toEqual([]);
    expect(smtp.smtpCredentials).toBeDefined();
    expect(smtp.configurationSet).toBeUndefined();
    const credentialsId = smtp.resolve(smtp.getLogicalId(smtp.smtpCredentials!.node.defaultChild as never));
    const credentials = smtpTemplate.toJSON().Resources[credentialsId] as Resource;
    expect(credentials).toMatchObject({
      Type: 'AWS::SecretsManager::Secret',
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: { GenerateSecretString: { GenerateStringKey: 'password' } },
    });
    const placeholder = JSON.parse(
      (credentials.Properties.GenerateSecretString as { SecretStringTemplate: string }).SecretStringTemplate,
    );
    expect(Object.keys(placeholder)).toEqual(['username']);
    smtpTemplate.hasOutput('SmtpSecretArn', { Value: { Ref: credentialsId } });
    expect(Object.keys(smtpTemplate.toJSON().Outputs).filter((name) => name.startsWith('DkimRecord'))).toEqual([]);
    // The signing key is there as with SES.
    smtpTemplate.resourceCountIs('AWS::SecretsManager::Secret', 2);
    expect(smtp.refs().smtpCredentials).toBe(smtp.smtpCredentials);
    expect(stack.refs().smtpCredentials).toBeUndefined();
  });

  describe.each([
    ['SES', { mailTransport: 'ses' } as const],
    ['SMTP', { mailTransport: 'smtp' } as const],
  ])('cdk-nag, with mail by %s', (_transport, props) => {
    it('passes the AwsSolutions checks with no finding left unacknowledged', () => {
      const { stack: checked } = newDataStack(props);
      Template.fromStack(checked);
      const report = new AwsSolutionsChecks().validateScope(checked);
      const findings = report.violations.map(
        (v) => `${v.ruleName} at ${v.violatingResources.map((r) => r.constructPath).join(', ')}`,
      );
      expect(findings).toEqual([]);

      // As in infra/app.ts: registered as a plugin, any finding left would make synthesis throw.
      const { app } = newDataStack(props);
      Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
      expect(() => app.synth()).not.toThrow();
    });

    it('gives every acknowledgment a reason', () => {
      const acknowledgments = acknowledgmentsIn(newDataStack(props).stack);
      expect(acknowledgments.length).toBeGreaterThan(0);
      const withoutReason = acknowledgments.filter(({ reason }) => typeof reason !== 'string' || reason.trim() === '');
      expect(withoutReason).toEqual([]);
    });

    it('acknowledges only findings that would otherwise be reported', () => {
      const acknowledge = jest.spyOn(Validations.prototype, 'acknowledge').mockImplementation(() => undefined);
      let bare: BaosongDataStack;
      try {
        bare = newDataStack(props).stack;
      } finally {
        acknowledge.mockRestore();
      }
      Template.fromStack(bare);
      const findings = new AwsSolutionsChecks().validateScope(bare).violations;
      const unneeded = acknowledgmentsIn(newDataStack(props).stack).filter(
        ({ path: ackPath, id }) =>
          !findings.some(
            (v) =>
              v.ruleName === id &&
              v.violatingResources.some(
                (r) => r.constructPath === ackPath || r.constructPath?.startsWith(`${ackPath}/`),
              ),
          ),
      );
      expect(unneeded).toEqual([]);
    });
  });
});
