// The defaults every baosong Lambda shares (runtime, architecture, memory, timeout, logs, bundling) and the
// permissions a function gets from its line in shared/web/routes.ts, so the stack reads as a list of what exists.
// The bundling choices are exported so a benchmark script can build a function exactly as a deploy does.
import * as path from 'node:path';
import { Duration, Stack, Validations } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { type BundlingOptions, Charset, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { BuildOptions } from 'esbuild';
import type { HandlerSpec } from '../shared/web/routes';

/** Repository root: handler files in shared/web/routes.ts are relative to it. */
export const repoRoot = path.resolve(__dirname, '..');

// Matches Runtime.NODEJS_22_X below and the Node 22 the tests and `npm start` run on.
const nodeTarget = 'node22';
// Module-first resolution picks the ESM builds of the SDK and middy, which tree-shake to a smaller bundle.
const mainFields = ['module', 'main'];

/**
 * NodejsFunction bundling for every function. CJS, because on Node 22 an ESM bundle importing `node:http` pays
 * ~40-50 ms more at load; the SDK is bundled (and minified) rather than taken from the runtime, so the version we
 * test is the version we run; no source maps, because they only help with NODE_OPTIONS=--enable-source-maps, which
 * costs ~45% more load work on every cold start.
 */
// The SDK's default credential chain, replaced by the environment provider Lambda needs (infra/lambdaCredentials.ts).
// DynamoDB's endpoint discovery, which no operation we call uses, replaced by its "off" (infra/endpointDiscovery.ts).
const sdkAliases = {
  '@aws-sdk/credential-provider-node': path.join(repoRoot, 'infra', 'lambdaCredentials.ts'),
  '@aws-sdk/middleware-endpoint-discovery': path.join(repoRoot, 'infra', 'endpointDiscovery.ts'),
};

/**
 * Modules a function loads only when it needs them — the spreadsheet libraries when a file is read or written, the
 * multipart parser when a file is uploaded — built
 * as files of their own beside the function's bundle (`import('./libraries.js')` finds them there). In the bundle they
 * would be parsed at every cold start of the functions that carry them, for the few requests that use them.
 */
export const LAZY_MODULES = [
  { source: 'shared/sheets/libraries.ts', file: 'libraries.js' },
  { source: 'shared/sheets/writers.ts', file: 'writers.js' },
  { source: 'shared/web/multipart.ts', file: 'multipart.js' },
  { source: 'shared/desk/bulletinDocx.ts', file: 'bulletinDocx.js' },
  { source: 'shared/mail/rawEmail.ts', file: 'rawEmail.js' },
  { source: 'shared/app/mailRuns.ts', file: 'mailRuns.js' },
  // The S3 client, for a request that stores or serves a file; mammoth and the sanitizer, for one that reads a .docx.
  { source: 'shared/store/objects.ts', file: 'objects.js' },
  { source: 'shared/documents/readDocx.ts', file: 'readDocx.js' },
] as const;

/**
 * A lazy module is built whole but for the other lazy modules it loads in turn (the 通报's sending loads the MIME
 * composer and the spreadsheet writer): those stay files of their own beside it, loaded on use as from any bundle.
 */
export const lazyExternals = (file: string): string[] =>
  LAZY_MODULES.filter((m) => m.file !== file).map((m) => `./${m.file}`);

const lazyOptions = (m: (typeof LAZY_MODULES)[number], outfile: string): BuildOptions => ({
  ...esbuildOptions,
  external: lazyExternals(m.file),
  entryPoints: [path.join(repoRoot, m.source)],
  outfile,
});

/** Builds the lazily loaded modules into `dir` (beside bundles built with `esbuildOptions`), as a deploy does. */
export async function buildLazyModules(dir: string): Promise<string[]> {
  const { build } = await import('esbuild');
  return Promise.all(
    LAZY_MODULES.map(async (m) => {
      const outfile = path.join(dir, m.file);
      await build(lazyOptions(m, outfile));
      return outfile;
    }),
  );
}

export const bundling: BundlingOptions = {
  format: OutputFormat.CJS,
  minify: true,
  sourceMap: false,
  target: nodeTarget,
  mainFields,
  bundleAwsSDK: true,
  // Pages and emails are Chinese: as UTF-8 each character is 3 bytes to read and parse, escaped (the default) 6.
  charset: Charset.UTF8,
  esbuildArgs: Object.fromEntries(Object.entries(sdkAliases).map(([from, to]) => [`--alias:${from}`, to])),
  externalModules: LAZY_MODULES.map((m) => `./${m.file}`),
  // The same esbuild, the same options, each lazy module into the function's asset beside its index.js.
  commandHooks: {
    beforeBundling: () => [],
    beforeInstall: () => [],
    afterBundling: (inputDir: string, outputDir: string) =>
      LAZY_MODULES.map(
        (m) =>
          `"${inputDir}/node_modules/.bin/esbuild" "${inputDir}/${m.source}" --bundle --platform=node --format=cjs --minify --target=${nodeTarget} --main-fields=${mainFields.join(',')} --charset=utf8${lazyExternals(
            m.file,
          )
            .map((e) => ` --external:${e}`)
            .join('')} --outfile="${outputDir}/${m.file}"`,
      ),
  },
};

/**
 * The same choices as plain esbuild options, for scripts that build functions outside CDK:
 * `esbuild.build({ ...esbuildOptions, entryPoints: [entry], outfile })`.
 */
export const esbuildOptions: BuildOptions = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  minify: true,
  sourcemap: false,
  target: nodeTarget,
  mainFields,
  // bundleAwsSDK: nothing is external but the lazily loaded modules, which are files of their own.
  external: LAZY_MODULES.map((m) => `./${m.file}`),
  alias: sdkAliases,
  charset: 'utf8',
};

export interface BaosongFunctionProps {
  /** The function's line in shared/web/routes.ts: its file, table access and whether it sends email. */
  spec: HandlerSpec;
  table: dynamodb.ITable;
  /** The pieces' uploaded originals; a function gets exactly the object actions its spec's `files` lists. */
  filesBucket: s3.IBucket;
  signingKey: secretsmanager.ISecret;
  /** SES identity (an email address) mail is sent from; email-sending functions may send only as it. */
  sender: string;
  /** Variables shared/core/config.ts reads. */
  environment: Record<string, string>;
  description?: string;
  /** Defaults to 10 s: a request does a few DynamoDB calls and at most a handful of sends. */
  timeout?: Duration;
}

/** One Lambda function of baosong with the shared defaults and least-privilege grants. */
export class BaosongFunction extends Construct {
  readonly function: NodejsFunction;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: BaosongFunctionProps) {
    super(scope, id);
    const { spec } = props;

    // Half a year of logs covers a bulletin quarter and the questions that follow it.
    this.logGroup = new logs.LogGroup(this, 'Logs', { retention: logs.RetentionDays.SIX_MONTHS });

    // An own role instead of the AWSLambdaBasicExecutionRole managed policy: it may write to its own log group only.
    const role = new iam.Role(this, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    this.logGroup.grantWrite(role);

    this.function = new NodejsFunction(this, 'Function', {
      entry: path.join(repoRoot, spec.file),
      handler: 'handler',
      description: props.description,
      runtime: lambda.Runtime.NODEJS_22_X,
      // Graviton: cheaper per GB-second and at least as fast for this I/O-bound Node code.
      architecture: lambda.Architecture.ARM_64,
      // CPU share grows with memory. At 512 MB (~0.3 vCPU) loading the bundled SDK and the TLS handshakes of a
      // cold start take a fraction of what they take at 128 MB; at a county's traffic the cost difference is cents.
      // The functions that read a Word document take more (its tree is many times its XML), and the CPU with it.
      memorySize: spec.memory ?? 512,
      timeout: props.timeout ?? Duration.seconds(10),
      role,
      logGroup: this.logGroup,
      environment: props.environment,
      bundling,
    });

    Validations.of(this).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'Node.js 22 is chosen to match the local tooling (npm start, tests and benchmarks run on Node 22), so ' +
        'what is tested is what runs; move to the next LTS runtime together with the tooling.',
    });

    // Exactly the actions its code calls, listed beside the route table (never Scan, never the stream).
    if (spec.table.length > 0) {
      props.table.grant(this.function, ...spec.table.map((action) => `dynamodb:${action}`));
      acknowledgeIndexWildcard(this, props.table);
    }

    const raw = 'attachments' in spec && spec.attachments === true;
    if (spec.email || raw) {
      this.function.addToRolePolicy(sesSendStatement(this, props.sender, { send: spec.email, raw }));
    }

    // An explicit statement rather than grantRead/grantPut, which add wildcard actions (s3:GetObject*, s3:Abort*...).
    const files = spec.files ?? [];
    if (files.length > 0) {
      this.function.addToRolePolicy(
        new iam.PolicyStatement({
          actions: files.map((action) => `s3:${action}`),
          resources: [props.filesBucket.arnForObjects(FILES_KEY_PATTERN)],
        }),
      );
      acknowledgeObjectWildcard(this, props.filesBucket);
    }

    if (spec.secret) props.signingKey.grantRead(this.function);
  }
}

/** The prefix of every key the code writes (shared/documents/files.ts `fileKey`); the grants cover nothing else. */
export const FILES_KEY_PATTERN = 'counties/*';

/** Object keys are made per upload, so the grant names a prefix; acknowledge exactly that prefix of this bucket. */
function acknowledgeObjectWildcard(scope: Construct, bucket: s3.IBucket): void {
  const cfnBucket = bucket.node.defaultChild;
  if (!(cfnBucket instanceof s3.CfnBucket)) return;
  const stack = Stack.of(cfnBucket);
  Validations.of(scope).acknowledge({
    id: `AwsSolutions-IAM5[Resource::<${stack.resolve(stack.getLogicalId(cfnBucket))}.Arn>/${FILES_KEY_PATTERN}]`,
    reason:
      'Each upload gets keys of its own (county, piece, revision, upload id), so a function may act on the ' +
      'objects under the counties/ prefix of this one bucket, with only the object actions its route-table line ' +
      'lists (never a listing, never a version or ACL action).',
  });
}

/** CDK grants a table together with `table/index/*`; acknowledge exactly that resource of exactly this table. */
function acknowledgeIndexWildcard(scope: Construct, table: dynamodb.ITable): void {
  const cfnTable = table.node.defaultChild;
  if (!(cfnTable instanceof dynamodb.CfnTable)) return;
  const stack = Stack.of(cfnTable);
  Validations.of(scope).acknowledge({
    id: `AwsSolutions-IAM5[Resource::<${stack.resolve(stack.getLogicalId(cfnTable))}.Arn>/index/*]`,
    reason:
      'CDK grants table access together with its indexes; the month, outbox and awaiting indexes are Queried by ' +
      'design (bulletins, the sweeper and the reminders), and the wildcard covers only the indexes of this one table.',
  });
}

/**
 * SES send permission for the configured identity only. SES authorizes against the address identity if that is
 * verified, else the domain identity, so both ARNs are listed; the condition pins the From address either way.
 */
export function sesSendStatement(
  scope: Construct,
  sender: string,
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
    resources: [address, domain].map((identity) =>
      stack.formatArn({ service: 'ses', resource: 'identity', resourceName: identity }),
    ),
    conditions: { StringEquals: { 'ses:FromAddress': address } },
  });
}
