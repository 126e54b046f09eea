// The CDK stack as CloudFormation: what exists, who may do what, and a clean cdk-nag (AwsSolutions) report.
// Bundling is skipped (seconds instead of tens); cdk.json's feature flags are applied so the template is the deployed one.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { App, type Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type { CfnRole } from 'aws-cdk-lib/aws-iam';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { bundling, esbuildOptions, FILES_KEY_PATTERN, LAZY_MODULES, repoRoot } from '../../infra/baosongFunction';
import { BaosongStack, type BaosongStackProps } from '../../infra/stack';
import { AWAITING_INDEX, createTableInput } from '../../shared/store/tableDefinition';
import { DEFAULT_PATH, type HandlerName, handlers, jobs, routes } from '../../shared/web/routes';

const sender = 'baosong@example.com';
const cdkContext: Record<string, unknown> = JSON.parse(readFileSync(path.join(repoRoot, 'cdk.json'), 'utf8')).context;

function newStack(props: Partial<BaosongStackProps> = {}): { app: App; stack: BaosongStack } {
  const app = new App({ context: { ...cdkContext, 'aws:cdk:bundling-stacks': [] } });
  const stack = new BaosongStack(app, 'Baosong', { countyId: 'demo', sender, ...props });
  return { app, stack };
}

type JobName = keyof typeof jobs;
const jobNames = Object.keys(jobs) as JobName[];

type Resource = { Type: string; Properties: Record<string, unknown> } & Record<string, unknown>;
type Statement = {
  Effect?: string;
  Action: string | string[];
  Resource?: unknown;
  Condition?: Record<string, unknown>;
};

function resourcesOf(template: Template, type: string): Resource[] {
  return Object.values(template.toJSON().Resources as Record<string, Resource>).filter((r) => r.Type === type);
}

function actionsOf(statement: Statement): string[] {
  return Array.isArray(statement.Action) ? statement.Action : [statement.Action];
}

/** Fn::Join flattened to text, every token shown as `<ref>`, so ARNs can be compared as strings. */
function arnText(value: unknown): string {
  if (typeof value === 'string') return value;
  const join = (value as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
  if (join) return join[1].map(arnText).join(join[0]);
  return '<ref>';
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

describe('BaosongStack', () => {
  let stack: BaosongStack;
  let template: Template;

  beforeAll(() => {
    ({ stack } = newStack());
    template = Template.fromStack(stack);
  });

  function logicalId(construct: IConstruct | undefined): string {
    return stack.resolve(stack.getLogicalId(construct as CfnFunction));
  }

  function functionId(name: HandlerName | JobName): string {
    return logicalId(stack.functions[name].function.node.defaultChild as CfnFunction);
  }

  /** The statements of the policies attached to one role. */
  function statementsOfRole(roleId: string): Statement[] {
    return resourcesOf(template, 'AWS::IAM::Policy')
      .filter((policy) => JSON.stringify(policy.Properties.Roles) === JSON.stringify([{ Ref: roleId }]))
      .flatMap((policy) => (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
  }

  /** The statements of the policy attached to one function's role. */
  function statementsOf(name: HandlerName | JobName): Statement[] {
    return statementsOfRole(logicalId(stack.functions[name].function.role?.node.defaultChild as CfnRole));
  }

  function filesBucketId(): string {
    return logicalId(stack.filesBucket.node.defaultChild);
  }

  /** The statements of a bucket's policy. */
  function bucketPolicyOf(bucketId: string): Statement[] {
    const policies = resourcesOf(template, 'AWS::S3::BucketPolicy').filter(
      (p) => JSON.stringify(p.Properties.Bucket) === JSON.stringify({ Ref: bucketId }),
    );
    expect(policies).toHaveLength(1);
    return (policies[0]!.Properties.PolicyDocument as { Statement: Statement[] }).Statement;
  }

  /** The schedule whose target is the given job's function. */
  function scheduleOf(name: JobName): Resource {
    const schedules = resourcesOf(template, 'AWS::Scheduler::Schedule').filter(
      (s) =>
        JSON.stringify((s.Properties.Target as { Arn: unknown }).Arn) ===
        JSON.stringify({ 'Fn::GetAtt': [functionId(name), 'Arn'] }),
    );
    expect(schedules).toHaveLength(1);
    return schedules[0]!;
  }

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

  it('keeps the files bucket encrypted, versioned, private and retained, and its access logs in a bucket apart', () => {
    const resources = template.toJSON().Resources as Record<string, Resource>;
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

    const logging = files.Properties.LoggingConfiguration as { DestinationBucketName: { Ref: string } };
    const logsId = logging.DestinationBucketName.Ref;
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
      LifecycleConfiguration: { Rules: [expect.objectContaining({ ExpirationInDays: 180, Status: 'Enabled' })] },
    });
    // Log delivery by bucket policy (ACLs stay disabled), for the files bucket's logs only.
    expect(logs.Properties.AccessControl).toBeUndefined();
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
    expect(arnText(delivery[0]!.Resource)).toBe(`<ref>/${(logging as { LogFilePrefix?: string }).LogFilePrefix}*`);
  });

  it('denies every request to the files bucket and its log bucket that does not use TLS', () => {
    const logsId = (
      template.toJSON().Resources[filesBucketId()].Properties.LoggingConfiguration as {
        DestinationBucketName: { Ref: string };
      }
    ).DestinationBucketName.Ref;
    for (const bucketId of [filesBucketId(), logsId]) {
      const denials = bucketPolicyOf(bucketId).filter(
        (st) =>
          st.Effect === 'Deny' &&
          JSON.stringify(st.Condition) === JSON.stringify({ Bool: { 'aws:SecureTransport': 'false' } }),
      );
      expect({ bucketId, denials: denials.length }).toEqual({ bucketId, denials: 1 });
      expect(denials[0]).toMatchObject({ Action: 's3:*', Principal: { AWS: '*' } });
      // The bucket and every object in it.
      expect((denials[0]!.Resource as unknown[]).map(arnText).sort()).toEqual(['<ref>', '<ref>/*']);
    }
  });

  it('aborts abandoned multipart uploads and expires deleted originals after a quarter', () => {
    const files = template.toJSON().Resources[filesBucketId()] as Resource;
    expect(files.Properties.LifecycleConfiguration).toEqual({
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

  it("passes the files bucket's name to every function", () => {
    template.allResourcesProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ FILES_BUCKET: { Ref: filesBucketId() } }) },
    });
  });

  it('creates one Node.js 22 arm64 function per handler and job, without source-map NODE_OPTIONS', () => {
    const functions = resourcesOf(template, 'AWS::Lambda::Function');
    expect(functions).toHaveLength(Object.keys(handlers).length + Object.keys(jobs).length);
    // 512 MB, but 1024 for the two that read a Word document (submission, revision).
    expect(functions.filter((fn) => fn.Properties.MemorySize === 1024)).toHaveLength(2);
    for (const fn of functions) {
      expect(fn.Properties).toMatchObject({ Runtime: 'nodejs22.x', Architectures: ['arm64'] });
      expect([512, 1024]).toContain(fn.Properties.MemorySize);
      const variables = (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
      expect(String(variables.NODE_OPTIONS ?? '')).not.toContain('enable-source-maps');
      expect(Object.keys(variables).sort()).toEqual(
        ['COUNTY_ID', 'FILES_BUCKET', 'PUBLIC_URL', 'SENDER', 'SIGNING_KEY_SECRET_ARN', 'TABLE_NAME'].sort(),
      );
    }
    expect(Object.keys(stack.functions).sort()).toEqual([...Object.keys(handlers), ...jobNames].sort());
  });

  it('leaves the day settings to the functions unless given, and passes given ones as positive numbers', () => {
    const numericOrUnset = (fn: Resource, name: string) => {
      const value = (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables[name];
      if (value !== undefined) expect(Number(value)).toBeGreaterThan(0);
    };
    for (const fn of resourcesOf(template, 'AWS::Lambda::Function')) {
      numericOrUnset(fn, 'REVIEW_LINK_DAYS');
      numericOrUnset(fn, 'REMINDER_AFTER_DAYS');
    }

    const { stack: configured } = newStack({ reviewLinkDays: 21, reminderAfterDays: 2 });
    Template.fromStack(configured).allResourcesProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ REVIEW_LINK_DAYS: '21', REMINDER_AFTER_DAYS: '2' }) },
    });
    expect(() => newStack({ reviewLinkDays: 0 })).toThrow(/REVIEW_LINK_DAYS must be a positive number/);
    expect(() => newStack({ reminderAfterDays: Number.NaN })).toThrow(/REMINDER_AFTER_DAYS must be a positive/);
  });

  it('bundles as CJS with module-first main fields, the SDK inside and no source maps, the same for esbuild; the lazily loaded modules beside', () => {
    expect(bundling).toMatchObject({ format: 'cjs', minify: true, sourceMap: false, bundleAwsSDK: true });
    expect(bundling.mainFields).toEqual(['module', 'main']);
    expect(esbuildOptions).toMatchObject({
      bundle: true,
      platform: 'node',
      format: bundling.format,
      minify: bundling.minify,
      sourcemap: bundling.sourceMap,
      target: bundling.target,
      mainFields: bundling.mainFields,
      external: bundling.externalModules,
    });
    // The only external modules are the lazily loaded ones, built into every asset after its bundle.
    expect(bundling.externalModules).toEqual(LAZY_MODULES.map((m) => `./${m.file}`));
    const hook = bundling.commandHooks!.afterBundling('/in', '/out').join('\n');
    for (const m of LAZY_MODULES)
      expect(hook).toContain(`"/in/${m.source}" --bundle --platform=node --format=cjs --minify`);
    for (const m of LAZY_MODULES) expect(hook).toContain(`--outfile="/out/${m.file}"`);
  });

  it('routes every entry of the route table, and HEAD wherever there is GET', () => {
    // API Gateway's key for the default route is the bare `$default`.
    const keyOf = (method: string, path: string) => (path === DEFAULT_PATH ? path : `${method} ${path}`);
    const expected = routes.flatMap((route) => {
      const key = keyOf(route.method, route.path);
      return route.method === 'GET' ? [key, `HEAD ${route.path}`] : [key];
    });
    const actual = resourcesOf(template, 'AWS::ApiGatewayV2::Route').map((r) => r.Properties.RouteKey);
    expect(actual.sort()).toEqual(expected.sort());
    expect(actual).toEqual(
      expect.arrayContaining([
        'POST /submissions',
        'ANY /submit',
        'HEAD /submit',
        'GET /review/{token}',
        'HEAD /review/{token}',
        'POST /review/{token}/renew',
        'ANY /review/{token}/renew',
        'HEAD /revise/{token}',
        'ANY /revise/{token}/renew',
        '$default',
      ]),
    );
  });

  it("sends each route to its handler's function", () => {
    const integrations = new Map(
      Object.entries(template.toJSON().Resources as Record<string, Resource>)
        .filter(([, r]) => r.Type === 'AWS::ApiGatewayV2::Integration')
        .map(([id, r]) => [id, (r.Properties.IntegrationUri as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0]]),
    );
    const targetOf = new Map(
      resourcesOf(template, 'AWS::ApiGatewayV2::Route').map((r) => {
        const [, parts] = (r.Properties.Target as { 'Fn::Join': [string, [string, { Ref: string }]] })['Fn::Join'];
        return [r.Properties.RouteKey as string, integrations.get(parts[1].Ref)];
      }),
    );
    for (const route of routes) {
      const methods = route.method === 'GET' ? ['GET', 'HEAD'] : [route.method];
      for (const method of methods) {
        const key = route.path === DEFAULT_PATH ? route.path : `${method} ${route.path}`;
        expect([key, targetOf.get(key)]).toEqual([key, functionId(route.handler)]);
      }
    }
  });

  it('throttles the default stage and writes access logs', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingBurstLimit: 50, ThrottlingRateLimit: 20 },
      AccessLogSettings: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('routeKey') },
    });
  });

  it('keeps signed link tokens out of the access logs: the route key, never the raw path or query', () => {
    const [stage] = resourcesOf(template, 'AWS::ApiGatewayV2::Stage');
    const format = String((stage!.Properties.AccessLogSettings as { Format: unknown }).Format);
    expect(format).toContain('$context.routeKey');
    expect(format).not.toContain('$context.path');
    expect(format).not.toMatch(/querystring|\$input|\$request|\$context\.request(Override)?\./i);
  });

  it('schedules every job once, on Shanghai time, with its name and the scheduled time as input', () => {
    template.resourceCountIs('AWS::Scheduler::Schedule', jobNames.length);
    expect(jobs.sweeper.schedule).toBe('rate(1 minute)');
    expect(jobs.reminders.schedule).toBe('cron(0 9 * * ? *)');
    for (const name of jobNames) {
      const schedule = scheduleOf(name);
      expect(schedule.Properties).toMatchObject({
        ScheduleExpression: jobs[name].schedule,
        ScheduleExpressionTimezone: 'Asia/Shanghai',
        State: 'ENABLED',
      });
      const target = schedule.Properties.Target as { Input: string };
      expect(JSON.parse(target.Input)).toEqual({ job: name, scheduledTime: '<aws.scheduler.scheduled-time>' });
    }
  });

  it("gives every job's schedule retries and a TLS-only dead-letter queue that also takes its failed runs", () => {
    const queueIds = new Set<string>();
    for (const name of jobNames) {
      const target = scheduleOf(name).Properties.Target as Record<string, unknown>;
      expect(target).toMatchObject({
        RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: expect.any(Number) },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [expect.any(String), 'Arn'] } },
      });
      const queueId = (target.DeadLetterConfig as { Arn: { 'Fn::GetAtt': [string, string] } }).Arn['Fn::GetAtt'][0];
      expect(template.toJSON().Resources[queueId].Type).toBe('AWS::SQS::Queue');
      queueIds.add(queueId);

      // Scheduler invokes asynchronously, so a run that throws is dead-lettered by Lambda's own settings.
      template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
        FunctionName: { Ref: functionId(name) },
        DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [queueId, 'Arn'] } } },
      });
      const sends = statementsOf(name).filter((st) => actionsOf(st).includes('sqs:SendMessage'));
      expect(sends.map((st) => st.Resource)).toEqual([{ 'Fn::GetAtt': [queueId, 'Arn'] }]);
    }
    expect(queueIds.size).toBe(jobNames.length);
    // The sweeper's next tick redoes a failed run, so Lambda does not retry it into the next tick.
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: functionId('sweeper') },
      MaximumRetryAttempts: 0,
    });

    for (const queue of resourcesOf(template, 'AWS::SQS::Queue')) {
      expect(queue.Properties).toMatchObject({ SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 86_400 });
    }
    const tlsDenied = resourcesOf(template, 'AWS::SQS::QueuePolicy').filter((policy) =>
      (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement.some(
        (st) =>
          st.Effect === 'Deny' &&
          JSON.stringify(st.Condition) === JSON.stringify({ Bool: { 'aws:SecureTransport': 'false' } }),
      ),
    );
    expect(
      tlsDenied
        .flatMap((p) => p.Properties.Queues as { Ref: string }[])
        .map((q) => q.Ref)
        .sort(),
    ).toEqual([...queueIds].sort());
  });

  it('gives the job functions timeouts that fit their schedules', () => {
    const timeoutOf = (name: JobName) => (stack.functions[name].function.node.defaultChild as CfnFunction).timeout;
    // Under the one-minute tick, so sweeper runs do not pile up.
    expect(timeoutOf('sweeper')).toBe(50);
    expect(timeoutOf('reminders')).toBeGreaterThanOrEqual(50);
    expect(timeoutOf('reminders')).toBeLessThanOrEqual(900);
  });

  it('lets each schedule role invoke exactly its job function, assumed only by Scheduler for this account', () => {
    const roles = Object.entries(template.toJSON().Resources as Record<string, Resource>).filter(
      ([, r]) =>
        r.Type === 'AWS::IAM::Role' &&
        JSON.stringify(r.Properties.AssumeRolePolicyDocument).includes('scheduler.amazonaws.com'),
    );
    expect(roles).toHaveLength(jobNames.length);
    for (const name of jobNames) {
      const roleArn = (scheduleOf(name).Properties.Target as { RoleArn: { 'Fn::GetAtt': [string, string] } }).RoleArn;
      const roleId = roleArn['Fn::GetAtt'][0];
      const role = roles.find(([id]) => id === roleId)?.[1];
      const sourceArn = JSON.stringify(role?.Properties.AssumeRolePolicyDocument);
      expect(sourceArn).toContain(':schedule-group/default');
      expect(role?.Properties.AssumeRolePolicyDocument).toMatchObject({
        Statement: [
          {
            Principal: { Service: 'scheduler.amazonaws.com' },
            Condition: {
              StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' }, 'aws:SourceArn': expect.anything() },
            },
          },
        ],
      });
      const invokes = statementsOfRole(roleId).filter((st) => actionsOf(st).includes('lambda:InvokeFunction'));
      const resources = invokes.flatMap((st) => (Array.isArray(st.Resource) ? st.Resource : [st.Resource]));
      expect(resources.map(arnText).sort()).toEqual(['<ref>', '<ref>:*']);
      expect(JSON.stringify(resources)).toContain(functionId(name));
      for (const other of [...Object.keys(handlers), ...jobNames].filter((n) => n !== name)) {
        expect(JSON.stringify(resources)).not.toContain(`"${functionId(other as HandlerName | JobName)}"`);
      }
    }
  });

  it('grants no wildcard action in any policy', () => {
    const statements = [
      ...resourcesOf(template, 'AWS::IAM::Policy').flatMap(
        (p) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement,
      ),
      ...resourcesOf(template, 'AWS::IAM::Role').flatMap((role) =>
        ((role.Properties.Policies as { PolicyDocument: { Statement: Statement[] } }[] | undefined) ?? []).flatMap(
          (p) => p.PolicyDocument.Statement,
        ),
      ),
    ];
    expect(statements.length).toBeGreaterThan(0);
    const wildcards = statements.flatMap(actionsOf).filter((action) => action === '*' || action.endsWith(':*'));
    expect(wildcards).toEqual([]);
  });

  it('grants each function exactly the table and file actions, SES and secret reads its route-table line lists', () => {
    for (const [name, spec] of Object.entries({ ...handlers, ...jobs })) {
      const actions = statementsOf(name as HandlerName).flatMap(actionsOf);
      const dynamodb = actions.filter((action) => action.startsWith('dynamodb:')).sort();
      expect({ name, dynamodb }).toEqual({ name, dynamodb: spec.table.map((a) => `dynamodb:${a}`).sort() });
      expect({ name, ses: actions.filter((a) => a.startsWith('ses:')) }).toEqual({
        name,
        ses: [
          ...(spec.email ? ['ses:SendEmail'] : []),
          ...('attachments' in spec && spec.attachments ? ['ses:SendRawEmail'] : []),
        ],
      });
      const secret = actions.filter((a) => a.startsWith('secretsmanager:'));
      expect({ name, readsSecret: secret.includes('secretsmanager:GetSecretValue') }).toEqual({
        name,
        readsSecret: spec.secret,
      });
      expect(dynamodb).not.toContain('dynamodb:Scan');
      const s3 = actions.filter((a) => a.startsWith('s3:')).sort();
      const files: readonly string[] = 'files' in spec ? spec.files : [];
      expect({ name, s3 }).toEqual({ name, s3: files.map((a) => `s3:${a}`).sort() });
    }
    // The sweeper deletes the files of revisions never written; only pieceFile reads them.
    expect(statementsOf('sweeper').flatMap(actionsOf)).toContain('s3:DeleteObject');
  });

  it("lets only the functions that store or serve files touch the files bucket, and only its pieces' objects", () => {
    const withFiles = Object.entries({ ...handlers, ...jobs }).filter(([, spec]) => 'files' in spec);
    expect(withFiles.map(([name]) => name).sort()).toEqual(['createSubmission', 'pieceFile', 'revise', 'sweeper']);
    for (const name of [...Object.keys(handlers), ...jobNames]) {
      const s3 = statementsOf(name as HandlerName).filter((st) => actionsOf(st).some((a) => a.startsWith('s3:')));
      if (!withFiles.some(([n]) => n === name)) {
        expect({ name, s3 }).toEqual({ name, s3: [] });
        continue;
      }
      for (const statement of s3) {
        // Only the S3 actions in their statement, on the objects under the key prefix, never the bucket itself.
        expect(actionsOf(statement).every((a) => a.startsWith('s3:'))).toBe(true);
        const resources = Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource];
        expect(resources).toEqual([
          { 'Fn::Join': ['', [{ 'Fn::GetAtt': [filesBucketId(), 'Arn'] }, `/${FILES_KEY_PATTERN}`]] },
        ]);
      }
    }
  });

  it('lets only email-sending functions use SES, and only as the configured identity', () => {
    for (const [name, spec] of Object.entries({ ...handlers, ...jobs })) {
      const ses = statementsOf(name as HandlerName).filter((s) => actionsOf(s).some((a) => a.startsWith('ses:')));
      const raw = 'attachments' in spec && spec.attachments === true;
      if (!spec.email && !raw) {
        expect(ses).toEqual([]);
        continue;
      }
      expect(ses).toHaveLength(1);
      const [statement] = ses;
      // SendRawEmail (attachments) only where the spec says so: the 通报's .xlsx.
      expect(actionsOf(statement!).sort()).toEqual([
        ...(spec.email ? ['ses:SendEmail'] : []),
        ...(raw ? ['ses:SendRawEmail'] : []),
      ]);
      expect((statement!.Resource as unknown[]).map(arnText)).toEqual([
        'arn:<ref>:ses:<ref>:<ref>:identity/baosong@example.com',
        'arn:<ref>:ses:<ref>:<ref>:identity/example.com',
      ]);
      expect(statement!.Condition).toEqual({ StringEquals: { 'ses:FromAddress': sender } });
    }
  });

  it('expires claims, throttle markers and link requests by TTL', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
    });
  });

  it('alarms to one topic on any function error, any dead-lettered job run and any email given up', () => {
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')) as {
      Properties: { MetricName: string; Namespace: string; AlarmActions: unknown[] };
    }[];
    const topics = Object.keys(template.findResources('AWS::SNS::Topic'));
    expect(topics).toHaveLength(1);
    const byMetric = (metric: string) => alarms.filter((a) => a.Properties.MetricName === metric);
    expect(byMetric('Errors')).toHaveLength(Object.keys({ ...handlers, ...jobs }).length);
    expect(byMetric('ApproximateNumberOfMessagesVisible')).toHaveLength(Object.keys(jobs).length);
    expect(byMetric('EmailsGivenUp')).toHaveLength(1);
    for (const alarm of alarms) expect(alarm.Properties.AlarmActions).toEqual([{ Ref: topics[0] }]);
    const emailing = Object.values({ ...handlers, ...jobs }).filter((spec) => spec.email).length;
    expect(Object.keys(template.findResources('AWS::Logs::MetricFilter'))).toHaveLength(emailing);
  });

  it('subscribes the alarm address given at deploy time', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const withEmail = Template.fromStack(
      new BaosongStack(app, 'WithAlarmEmail', { countyId: 'demo', sender, alarmEmail: 'ops@example.com' }),
    );
    withEmail.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@example.com' });
  });

  it('keeps a 64-character signing key and outputs the API URL, table name, files bucket and secret ARN', () => {
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: Match.objectLike({ PasswordLength: 64, ExcludePunctuation: true }),
    });
    for (const output of ['ApiUrl', 'TableName', 'SecretArn']) template.hasOutput(output, {});
    template.hasOutput('FilesBucketName', { Value: { Ref: filesBucketId() } });
  });

  it('passes the AwsSolutions checks with no finding left unacknowledged', () => {
    const report = new AwsSolutionsChecks().validateScope(stack);
    const findings = report.violations.map(
      (v) => `${v.ruleName} at ${v.violatingResources.map((r) => r.constructPath).join(', ')}`,
    );
    expect(findings).toEqual([]);

    // As in infra/app.ts: registered as a plugin, any finding left would make synthesis throw.
    const { app, stack: checked } = newStack();
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
    expect(() => Template.fromStack(checked)).not.toThrow();
  });

  it('gives every acknowledgment a reason', () => {
    const acknowledgments = acknowledgmentsIn(stack);
    expect(acknowledgments.length).toBeGreaterThan(0);
    const withoutReason = acknowledgments.filter(({ reason }) => typeof reason !== 'string' || reason.trim() === '');
    expect(withoutReason).toEqual([]);
  });

  it('acknowledges only findings that would otherwise be reported', () => {
    const acknowledge = jest.spyOn(Validations.prototype, 'acknowledge').mockImplementation(() => undefined);
    let bare: Stack;
    try {
      bare = newStack().stack;
    } finally {
      acknowledge.mockRestore();
    }
    Template.fromStack(bare);
    const findings = new AwsSolutionsChecks().validateScope(bare).violations;
    const unneeded = acknowledgmentsIn(stack).filter(
      ({ path: ackPath, id }) =>
        !findings.some(
          (v) =>
            v.ruleName === id &&
            v.violatingResources.some((r) => r.constructPath === ackPath || r.constructPath?.startsWith(`${ackPath}/`)),
        ),
    );
    expect(unneeded).toEqual([]);
  });

  it('uses the given public URL for links instead of the API endpoint', () => {
    const { stack: custom } = newStack({ publicUrl: 'https://baosong.example.gov.cn' });
    Template.fromStack(custom).allResourcesProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ PUBLIC_URL: 'https://baosong.example.gov.cn' }) },
    });
  });

  it('refuses a sender that is not an email address', () => {
    expect(() => newStack({ sender: 'example.com' })).toThrow(/sender must be an email address/);
  });
});
