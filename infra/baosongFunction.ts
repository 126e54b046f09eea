// The defaults every baosong Lambda shares (runtime, architecture, memory, timeout, logs, the build of
// infra/functionBuild.ts) and the permissions a function gets from its lines in shared/web/routes.ts, so the stacks
// read as a list of what exists.
import { AssetHashType, DockerImage, Duration, Stack, Token, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { keys } from '../shared/store/keys';
import { createTableInput } from '../shared/store/tableDefinition';
import type { HandlerSpec } from '../shared/web/routes';
import { buildFunction, type FunctionName, repoRoot } from './functionBuild';

/** Logs are kept 400 days: the law asks for at least six months of records, and a 通报 year is questioned later. */
export const LOG_RETENTION_DAYS = 400;
export const LOG_RETENTION = logs.RetentionDays.THIRTEEN_MONTHS;

/** What the data stack holds that a function may reach (tables and buckets by reference, across stacks). */
export interface DataRefs {
  tableName: string;
  tableArn: string;
  /** Named by county and account (filesBucketName), so the app stack reaches it without a cross-stack export. */
  filesBucket: s3.IBucket;
  signingKey: secretsmanager.ISecret;
  /** The SMTP server's credentials, where mail goes through SMTP. */
  smtpCredentials?: secretsmanager.ISecret;
}

/** How mail leaves: SES as one identity (an address), or an SMTP server. */
export type MailTransport = { kind: 'ses'; sender: string; configurationSet: string } | { kind: 'smtp' };

export interface BaosongFunctionProps {
  name: FunctionName;
  /** What it may do: for an HTTP function the union of its routes' lines, for a job its own line. */
  spec: Omit<HandlerSpec, 'file'>;
  countyId: string;
  data: DataRefs;
  mail: MailTransport;
  /** Variables shared/core/config.ts reads. */
  environment: Record<string, string>;
  description?: string;
  /** Defaults to 10 s: a request does a few DynamoDB calls and at most a handful of sends. */
  timeout?: Duration;
}

/** The asset of one function: built by infra/functionBuild.ts during synth (no Docker), hashed by its output. */
export function functionCode(name: FunctionName): lambda.Code {
  return lambda.Code.fromAsset(repoRoot, {
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      // Never pulled: the local build always answers. The command names the function, so each asset is its own.
      image: DockerImage.fromRegistry('public.ecr.aws/sam/build-nodejs24.x'),
      command: ['baosong-build', name],
      local: {
        tryBundle(outputDir: string) {
          buildFunction(name, outputDir);
          return true;
        },
      },
    },
  });
}

/** One Lambda function of baosong with the shared defaults and least-privilege grants. */
export class BaosongFunction extends Construct {
  readonly function: lambda.Function;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: BaosongFunctionProps) {
    super(scope, id);
    const { spec, data } = props;

    this.logGroup = new logs.LogGroup(this, 'Logs', { retention: LOG_RETENTION });

    // An own role instead of the AWSLambdaBasicExecutionRole managed policy: it may write to its own log group only.
    const role = new iam.Role(this, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    this.logGroup.grantWrite(role);

    this.function = new lambda.Function(this, 'Function', {
      code: functionCode(props.name),
      handler: 'index.handler',
      description: props.description,
      runtime: lambda.Runtime.NODEJS_24_X,
      // Graviton: cheaper per GB-second and at least as fast for this I/O-bound Node code.
      architecture: lambda.Architecture.ARM_64,
      // CPU share grows with memory. At 512 MB (~0.3 vCPU) loading the bundled SDK and the TLS handshakes of a
      // cold start take a fraction of what they take at 128 MB; at a county's traffic the cost difference is cents.
      // The function that reads Word documents takes more (its tree is many times its XML), and the CPU with it.
      memorySize: spec.memory ?? 512,
      timeout: props.timeout ?? Duration.seconds(10),
      role,
      logGroup: this.logGroup,
      environment: props.environment,
    });

    // Exactly the actions its code calls, on the table and its named indexes (never Scan, never a wildcard).
    if (spec.table.length > 0) {
      const actions = spec.table.filter((action) => action !== 'DeleteItem').map((action) => `dynamodb:${action}`);
      this.function.addToRolePolicy(new iam.PolicyStatement({ actions, resources: [data.tableArn] }));
      if (spec.table.includes('DeleteItem')) {
        // Only retry claims (a submission that surely wrote nothing releases them) and desk sessions (退出) are ever
        // deleted: no event, person or piece item can be, whatever the code did.
        this.function.addToRolePolicy(
          new iam.PolicyStatement({
            actions: ['dynamodb:DeleteItem'],
            resources: [data.tableArn],
            conditions: {
              'ForAllValues:StringLike': {
                'dynamodb:LeadingKeys': [keys.claim(props.countyId, '*'), keys.session(props.countyId, '*')],
              },
            },
          }),
        );
      }
      if (spec.table.includes('Query')) {
        this.function.addToRolePolicy(
          new iam.PolicyStatement({
            actions: ['dynamodb:Query'],
            resources: TABLE_INDEXES.map((index) => `${data.tableArn}/index/${index}`),
          }),
        );
      }
    }

    const raw = spec.attachments === true;
    if ((spec.email || raw) && props.mail.kind === 'ses') {
      this.function.addToRolePolicy(
        sesSendStatement(this, props.mail.sender, props.mail.configurationSet, { send: spec.email, raw }),
      );
    }
    if ((spec.email || raw) && props.mail.kind === 'smtp' && data.smtpCredentials) {
      data.smtpCredentials.grantRead(this.function);
    }

    // An explicit statement rather than grantRead/grantPut, which add wildcard actions (s3:GetObject*, s3:Abort*...);
    // only this county's keys, only the object actions its routes' lines list.
    const files = spec.files ?? [];
    if (files.length > 0) {
      const pattern = filesKeyPattern(props.countyId);
      this.function.addToRolePolicy(
        new iam.PolicyStatement({
          actions: files.map((action) => `s3:${action}`),
          resources: [data.filesBucket.arnForObjects(pattern)],
        }),
      );
      Validations.of(this).acknowledge({
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::${filesBucketName(props.countyId, accountAsNagShowsIt(this))}/${pattern}]`,
        reason:
          'Each upload gets keys of its own (county, piece, revision, upload id), so a function may act on the ' +
          "objects under this county's prefix of this one bucket, with only the object actions its routes list " +
          '(never a listing, never a version or ACL action).',
      });
    }

    if (spec.secret) data.signingKey.grantRead(this.function);
  }
}

/** The table's indexes, by name: Query is granted on each, not on `index/*`. */
const TABLE_INDEXES = (createTableInput('unused').GlobalSecondaryIndexes ?? []).map((index) => index.IndexName ?? '');

/**
 * The files bucket's name: fixed by county and account (S3 names are global), so the data stack makes it and the app
 * stack names it without an export between them, and an acknowledgment can name exactly its objects.
 */
export const filesBucketName = (countyId: string, account: string) => `baosong-${countyId}-files-${account}`;

/** The account as cdk-nag renders it in a finding: the number when the stack has one, else its pseudo parameter. */
function accountAsNagShowsIt(scope: Construct): string {
  const { account } = Stack.of(scope);
  return Token.isUnresolved(account) ? '<AWS::AccountId>' : account;
}

/** The prefix of every key the code writes for a county (shared/documents/files.ts `fileKey`). */
export const filesKeyPattern = (countyId: string) => `counties/${countyId}/*`;

/**
 * SES send permission for the configured identity only. SES authorizes against the address identity if that is
 * verified, else the domain identity, so both ARNs are listed; the condition pins the From address either way.
 */
export function sesSendStatement(
  scope: Construct,
  sender: string,
  configurationSet: string,
  actions: { send?: boolean; raw?: boolean } = { send: true },
): iam.PolicyStatement {
  const address = sender.trim();
  const at = address.lastIndexOf('@');
  if (at < 1 || at === address.length - 1) {
    throw new Error(`The sender must be an email address (an SES identity), got "${sender}"`);
  }
  const domain = address.slice(at + 1);
  const stack = Stack.of(scope);
  return new iam.PolicyStatement({
    // SendEmail where the spec sends email; SendRawEmail where it sends attachments (the 通报's .xlsx).
    actions: [...(actions.send ? ['ses:SendEmail'] : []), ...(actions.raw ? ['ses:SendRawEmail'] : [])],
    resources: [
      ...[address, domain].map((identity) =>
        stack.formatArn({ service: 'ses', resource: 'identity', resourceName: identity }),
      ),
      // Sends name the configuration set (bounce and complaint events), which SES authorizes too.
      stack.formatArn({ service: 'ses', resource: 'configuration-set', resourceName: configurationSet }),
    ],
    conditions: { StringEquals: { 'ses:FromAddress': address } },
  });
}
