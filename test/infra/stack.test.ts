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
import { bundling, esbuildOptions, repoRoot } from '../../infra/baosongFunction';
import { BaosongStack, type BaosongStackProps } from '../../infra/stack';
import { type HandlerName, handlers, jobs, routes } from '../../shared/routes';
import { createTableInput } from '../../shared/tableDefinition';

const sender = 'baosong@example.com';
const cdkContext: Record<string, unknown> = JSON.parse(readFileSync(path.join(repoRoot, 'cdk.json'), 'utf8')).context;

function newStack(props: Partial<BaosongStackProps> = {}): { app: App; stack: BaosongStack } {
  const app = new App({ context: { ...cdkContext, 'aws:cdk:bundling-stacks': [] } });
  const stack = new BaosongStack(app, 'Baosong', { countyId: 'demo', sender, ...props });
  return { app, stack };
}

type Resource = { Type: string; Properties: Record<string, unknown> } & Record<string, unknown>;
type Statement = { Action: string | string[]; Resource?: unknown; Condition?: Record<string, unknown> };

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

  /** The statements of the policy attached to one function's role. */
  function statementsOf(name: HandlerName | keyof typeof jobs): Statement[] {
    const role = stack.functions[name].function.role?.node.defaultChild as CfnRole;
    const roleId = stack.resolve(stack.getLogicalId(role));
    return resourcesOf(template, 'AWS::IAM::Policy')
      .filter((policy) => JSON.stringify(policy.Properties.Roles) === JSON.stringify([{ Ref: roleId }]))
      .flatMap((policy) => (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
  }

  it('keeps the table on-demand, recoverable and protected, with the shared key schema and both indexes', () => {
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
  });

  it('creates one Node.js 22 arm64 function per handler and job, without source-map NODE_OPTIONS', () => {
    const functions = resourcesOf(template, 'AWS::Lambda::Function');
    expect(functions).toHaveLength(Object.keys(handlers).length + Object.keys(jobs).length);
    for (const fn of functions) {
      expect(fn.Properties).toMatchObject({ Runtime: 'nodejs22.x', Architectures: ['arm64'], MemorySize: 512 });
      const variables = (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
      expect(String(variables.NODE_OPTIONS ?? '')).not.toContain('enable-source-maps');
      expect(Object.keys(variables).sort()).toEqual(
        ['COUNTY_ID', 'PUBLIC_URL', 'SENDER', 'SIGNING_KEY_SECRET_ARN', 'TABLE_NAME'].sort(),
      );
    }
  });

  it('bundles as CJS with module-first main fields, the SDK inside and no source maps, the same for esbuild', () => {
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
      external: [],
    });
  });

  it('routes every entry of the route table, and HEAD wherever there is GET', () => {
    const expected = routes.flatMap((route) => {
      const key = `${route.method} ${route.path}`;
      return route.method === 'GET' ? [key, `HEAD ${route.path}`] : [key];
    });
    const actual = resourcesOf(template, 'AWS::ApiGatewayV2::Route').map((r) => r.Properties.RouteKey);
    expect(actual.sort()).toEqual(expected.sort());
    expect(actual).toEqual(expect.arrayContaining(['POST /submissions', 'ANY /submit', 'HEAD /submit']));
  });

  it('throttles the default stage and writes access logs', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingBurstLimit: 50, ThrottlingRateLimit: 20 },
      AccessLogSettings: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('routeKey') },
    });
  });

  it('runs the sweeper on Shanghai time with retries and a dead-letter queue that requires TLS', () => {
    const sweeperId = stack.resolve(
      stack.getLogicalId(stack.functions.sweeper.function.node.defaultChild as CfnFunction),
    );
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: jobs.sweeper.schedule,
      ScheduleExpressionTimezone: 'Asia/Shanghai',
      Target: Match.objectLike({
        Arn: { 'Fn::GetAtt': [sweeperId, 'Arn'] },
        DeadLetterConfig: { Arn: Match.anyValue() },
        RetryPolicy: Match.objectLike({ MaximumRetryAttempts: 2 }),
        Input: Match.stringLikeRegexp('<aws.scheduler.scheduled-time>'),
      }),
    });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
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

  it("grants table access by each handler's mode, and never Scan", () => {
    for (const [name, spec] of Object.entries({ ...handlers, ...jobs })) {
      const actions = statementsOf(name as HandlerName).flatMap(actionsOf);
      const dynamodb = actions.filter((action) => action.startsWith('dynamodb:'));
      expect(dynamodb).not.toContain('dynamodb:Scan');
      if (spec.table === 'none') expect(dynamodb).toEqual([]);
      if (spec.table === 'read') {
        expect(dynamodb).toContain('dynamodb:Query');
        expect(dynamodb).not.toContain('dynamodb:PutItem');
      }
      if (spec.table === 'readwrite') expect(dynamodb).toEqual(expect.arrayContaining(['dynamodb:PutItem']));
    }
  });

  it('lets only email-sending functions use SES, and only as the configured identity', () => {
    for (const [name, spec] of Object.entries({ ...handlers, ...jobs })) {
      const ses = statementsOf(name as HandlerName).filter((s) => actionsOf(s).some((a) => a.startsWith('ses:')));
      if (!spec.email) {
        expect(ses).toEqual([]);
        continue;
      }
      expect(ses).toHaveLength(1);
      const [statement] = ses;
      expect(actionsOf(statement!).sort()).toEqual(['ses:SendEmail', 'ses:SendRawEmail']);
      expect((statement!.Resource as unknown[]).map(arnText)).toEqual([
        'arn:<ref>:ses:<ref>:<ref>:identity/baosong@example.com',
        'arn:<ref>:ses:<ref>:<ref>:identity/example.com',
      ]);
      expect(statement!.Condition).toEqual({ StringEquals: { 'ses:FromAddress': sender } });
    }
  });

  it('keeps a 64-character signing key and outputs the API URL, table name and secret ARN', () => {
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: Match.objectLike({ PasswordLength: 64, ExcludePunctuation: true }),
    });
    for (const output of ['ApiUrl', 'TableName', 'SecretArn']) template.hasOutput(output, {});
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
