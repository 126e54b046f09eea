// The app stack (Baosong-<county>-app) as CloudFormation: the HTTP API's few routes, one function per audience,
// the timed jobs, the mail events, who may do what, the alarms and the log lines they count, and a clean cdk-nag
// (AwsSolutions) report for both stacks. Bundling is skipped; cdk.json's feature flags are applied so the template
// is the deployed one.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App, type Environment, Validations } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import {
  ALARM_METRIC_NAMESPACE,
  BaosongAppStack,
  type BaosongAppStackProps,
  LOG_PATTERNS,
  type MailSettings,
} from '../../infra/appStack';
import { filesBucketName, filesKeyPattern } from '../../infra/baosongFunction';
import { BaosongDataStack, configurationSetName } from '../../infra/dataStack';
import {
  esbuildOptions,
  type FunctionName,
  functionNames,
  LAZY_MODULES,
  moduleFile,
  nodeTarget,
  repoRoot,
  specOf,
} from '../../infra/functionBuild';
import { log } from '../../shared/core/log';
import { createTableInput } from '../../shared/store/tableDefinition';
import {
  type ApiRoute,
  apiRoutes,
  DEFAULT_PATH,
  eventHandlers,
  functionOf,
  functionSpec,
  type HandlerName,
  type HandlerSpec,
  type HttpFunctionName,
  handlers,
  httpFunctions,
  jobs,
  type Route,
  routes,
} from '../../shared/web/routes';

const sender = 'baosong@example.com';
const cdkContext: Record<string, unknown> = JSON.parse(readFileSync(path.join(repoRoot, 'cdk.json'), 'utf8')).context;

type JobName = keyof typeof jobs;
const jobNames = Object.keys(jobs) as JobName[];
const httpNames = Object.keys(httpFunctions) as HttpFunctionName[];
type Grants = Omit<HandlerSpec, 'file'>;

interface Variant {
  mail?: 'ses' | 'smtp';
  env?: Environment;
  props?: Partial<BaosongAppStackProps>;
}

/** Both stacks of the demo county, as infra/app.ts builds them. */
function newStacks(variant: Variant = {}): { app: App; data: BaosongDataStack; stack: BaosongAppStack } {
  const app = new App({ context: { ...cdkContext, 'aws:cdk:bundling-stacks': [] } });
  const transport = variant.mail ?? 'ses';
  const data = new BaosongDataStack(app, 'Baosong-demo-data', {
    env: variant.env,
    countyId: 'demo',
    sender,
    mailTransport: transport,
  });
  const mail: MailSettings =
    transport === 'smtp'
      ? { kind: 'smtp', sender, host: 'smtp.example.gov.cn', port: 465, secure: true }
      : { kind: 'ses', sender, configurationSet: configurationSetName('demo') };
  const stack = new BaosongAppStack(app, 'Baosong-demo-app', {
    env: variant.env,
    countyId: 'demo',
    data: data.refs(),
    mail,
    ...variant.props,
  });
  stack.addStackDependency(data);
  return { app, data, stack };
}

type Resource = { Type: string; Properties: Record<string, unknown> } & Record<string, unknown>;
type Statement = {
  Effect?: string;
  Action: string | string[];
  Resource?: unknown;
  Condition?: Record<string, unknown>;
};

const asList = <T>(value: T | T[] | undefined): T[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];
const actionsOf = (statement: Statement): string[] => asList(statement.Action);

/** The templates of both stacks, read as text: who may do what, on which resource. */
class Synthesized {
  readonly template: Template;
  readonly dataTemplate: Template;
  readonly resources: Record<string, Resource>;
  private readonly exports: Record<string, unknown>;

  constructor(
    readonly data: BaosongDataStack,
    readonly stack: BaosongAppStack,
  ) {
    this.template = Template.fromStack(stack);
    this.dataTemplate = Template.fromStack(data);
    this.resources = this.template.toJSON().Resources;
    const outputs = (this.dataTemplate.toJSON().Outputs ?? {}) as Record<
      string,
      { Value: unknown; Export?: { Name: string } }
    >;
    this.exports = Object.fromEntries(
      Object.values(outputs)
        .filter((o) => o.Export)
        .map((o) => [o.Export!.Name, o.Value]),
    );
  }

  /** A value as text: `{Ref: X}` as `<X>`, `Fn::GetAtt` as `<X.Attr>`, an import as `data:` and its value there. */
  text = (value: unknown): string => {
    if (typeof value === 'string') return value;
    const v = value as Record<string, unknown>;
    if (typeof v.Ref === 'string') return `<${v.Ref}>`;
    if (Array.isArray(v['Fn::GetAtt'])) return `<${(v['Fn::GetAtt'] as string[]).join('.')}>`;
    const join = v['Fn::Join'] as [string, unknown[]] | undefined;
    if (join) return join[1].map(this.text).join(join[0]);
    if (typeof v['Fn::ImportValue'] === 'string') {
      const exported = this.exports[v['Fn::ImportValue'] as string];
      return exported === undefined ? `<no such export: ${v['Fn::ImportValue']}>` : `data:${this.text(exported)}`;
    }
    return JSON.stringify(value);
  };

  of(type: string): [string, Resource][] {
    return Object.entries(this.resources).filter(([, r]) => r.Type === type);
  }

  logicalId(construct: IConstruct | undefined): string {
    return this.stack.resolve(this.stack.getLogicalId(construct as CfnFunction));
  }

  dataId(construct: IConstruct): string {
    return this.data.resolve(this.data.getLogicalId(construct.node.defaultChild as CfnFunction));
  }

  functionId(name: FunctionName): string {
    return this.logicalId(this.stack.functions[name].function.node.defaultChild as IConstruct);
  }

  logGroupId(name: FunctionName): string {
    return this.logicalId(this.stack.functions[name].logGroup.node.defaultChild as IConstruct);
  }

  variables(name: FunctionName): Record<string, unknown> {
    const fn = this.resources[this.functionId(name)]!;
    return (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
  }

  /** The statements of the policies attached to one role. */
  statementsOfRole(roleId: string): Statement[] {
    return this.of('AWS::IAM::Policy')
      .filter(([, policy]) => JSON.stringify(policy.Properties.Roles) === JSON.stringify([{ Ref: roleId }]))
      .flatMap(([, policy]) => (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
  }

  /** The statements of the policy attached to one function's role. */
  statementsOf(name: FunctionName): Statement[] {
    return this.statementsOfRole(this.logicalId(this.stack.functions[name].function.role?.node.defaultChild));
  }

  /** What a function may do, one `action on resource` line per pair (however statements are merged). */
  grantsOf(name: FunctionName): string[] {
    return this.statementsOf(name)
      .flatMap((st) => {
        expect(st.Effect).toBe('Allow');
        const condition = st.Condition ? ` if ${JSON.stringify(st.Condition)}` : '';
        return actionsOf(st).flatMap((action) =>
          asList(st.Resource).map((resource) => `${action} on ${this.text(resource)}${condition}`),
        );
      })
      .sort();
  }

  /** The dead-letter queue a job's failed runs go to (Lambda's own async settings). */
  runQueueOf(name: FunctionName): string | undefined {
    const configs = this.of('AWS::Lambda::EventInvokeConfig').filter(
      ([, c]) => JSON.stringify(c.Properties.FunctionName) === JSON.stringify({ Ref: this.functionId(name) }),
    );
    if (configs.length === 0) return undefined;
    expect(configs).toHaveLength(1);
    const destination = (configs[0]![1].Properties.DestinationConfig as { OnFailure: { Destination: unknown } })
      .OnFailure.Destination as { 'Fn::GetAtt': [string, string] };
    return destination['Fn::GetAtt'][0];
  }

  /** The schedule whose target is the given job's function. */
  scheduleOf(name: JobName): Resource {
    const schedules = this.of('AWS::Scheduler::Schedule').filter(
      ([, s]) =>
        JSON.stringify((s.Properties.Target as { Arn: unknown }).Arn) ===
        JSON.stringify({ 'Fn::GetAtt': [this.functionId(name), 'Arn'] }),
    );
    expect(schedules).toHaveLength(1);
    return schedules[0]![1];
  }

  /** The table's ARN as the functions' grants name it (an import from the data stack). */
  get tableArn(): string {
    return `data:<${this.dataId(this.data.table)}.Arn>`;
  }
  get signingKeyArn(): string {
    return `data:<${this.dataId(this.data.signingKey)}>`;
  }
  get smtpSecretArn(): string {
    return `data:<${this.dataId(this.data.smtpCredentials!)}>`;
  }
}

const sends = (spec: Grants) => spec.email || spec.attachments === true;

/** The API route that takes a detailed route, by the API's own rules: an exact route, a `{proxy+}` family, `$default`. */
function apiRouteOf(route: Route): ApiRoute {
  const exact = apiRoutes.find((a) => a.path === route.path && (a.method === 'ANY' || a.method === route.method));
  if (exact) return exact;
  const family = apiRoutes.find(
    (a) => a.path.endsWith('/{proxy+}') && route.path.startsWith(a.path.slice(0, -'{proxy+}'.length)),
  );
  return family ?? apiRoutes.find((a) => a.path === DEFAULT_PATH)!;
}

/** The union of the handler lines of the routes an HTTP function serves, and the 405 and 404 every router answers. */
function unionOfRoutes(fn: HttpFunctionName): Grants {
  const names = new Set<HandlerName>([
    ...routes.filter((route) => apiRouteOf(route).fn === fn).map((route) => route.handler),
    'methodNotAllowed',
    'fallback',
  ]);
  const lines: HandlerSpec[] = [...names].map((name) => handlers[name]);
  const union = <T>(lists: (readonly T[] | undefined)[]) => [...new Set(lists.flatMap((list) => list ?? []))].sort();
  return {
    table: union(lines.map((line) => line.table)),
    email: lines.some((line) => line.email),
    secret: lines.some((line) => line.secret),
    attachments: lines.some((line) => line.attachments === true),
    files: union(lines.map((line) => line.files)),
  };
}

const indexNames = (createTableInput('unused').GlobalSecondaryIndexes ?? []).map((index) => index.IndexName!);
const aws = (service: string, resource: string) =>
  `arn:<AWS::Partition>:${service}:<AWS::Region>:<AWS::AccountId>:${resource}`;
const sesResources = [
  aws('ses', `identity/${sender}`),
  aws('ses', 'identity/example.com'),
  aws('ses', `configuration-set/${configurationSetName('demo')}`),
];
const filesObjects = `arn:<AWS::Partition>:s3:::${filesBucketName('demo', '<AWS::AccountId>')}/${filesKeyPattern('demo')}`;

/** Exactly what a function with this spec may do, as `action on resource` lines. */
function expectedGrants(
  s: Synthesized,
  name: FunctionName,
  spec: Grants,
  options: { mail: 'ses' | 'smtp'; tableArn?: string },
): string[] {
  const table = options.tableArn ?? s.tableArn;
  const logGroup = `<${s.logGroupId(name)}.Arn>`;
  const lines = [`logs:CreateLogStream on ${logGroup}`, `logs:PutLogEvents on ${logGroup}`];
  lines.push(...spec.table.filter((a) => a !== 'DeleteItem').map((action) => `dynamodb:${action} on ${table}`));
  // Only claims and desk sessions may be deleted: the partition key must be one of this county's claim or session keys.
  if (spec.table.includes('DeleteItem')) {
    const deletable = JSON.stringify({
      'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['C#demo#CLAIM#*', 'C#demo#SESSION#*'] },
    });
    lines.push(`dynamodb:DeleteItem on ${table} if ${deletable}`);
  }
  if (spec.table.includes('Query'))
    lines.push(...indexNames.map((index) => `dynamodb:Query on ${table}/index/${index}`));
  const mailActions = [...(spec.email ? ['ses:SendEmail'] : []), ...(spec.attachments ? ['ses:SendRawEmail'] : [])];
  if (options.mail === 'ses') {
    const condition = JSON.stringify({ StringEquals: { 'ses:FromAddress': sender } });
    for (const action of mailActions) lines.push(...sesResources.map((arn) => `${action} on ${arn} if ${condition}`));
  } else if (sends(spec)) {
    lines.push(...['GetSecretValue', 'DescribeSecret'].map((a) => `secretsmanager:${a} on ${s.smtpSecretArn}`));
  }
  lines.push(...(spec.files ?? []).map((action) => `s3:${action} on ${filesObjects}`));
  if (spec.secret) {
    lines.push(...['GetSecretValue', 'DescribeSecret'].map((a) => `secretsmanager:${a} on ${s.signingKeyArn}`));
  }
  const queue = s.runQueueOf(name);
  if (queue) {
    lines.push(...['SendMessage', 'GetQueueAttributes', 'GetQueueUrl'].map((a) => `sqs:${a} on <${queue}.Arn>`));
  }
  return lines.sort();
}

/** Every statement of every policy: identity policies, inline role policies, and bucket, topic and queue policies. */
function allStatements(template: Template): Statement[] {
  const resources = Object.values(template.toJSON().Resources as Record<string, Resource>);
  return resources.flatMap((r) => {
    const documents = [
      r.Properties?.PolicyDocument,
      ...asList(r.Properties?.Policies as { PolicyDocument: unknown }[] | undefined).map((p) => p.PolicyDocument),
    ].filter(Boolean) as { Statement: Statement[] }[];
    return documents.flatMap((d) => d.Statement);
  });
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

const defaults = newStacks();
const s = new Synthesized(defaults.data, defaults.stack);
const { stack } = defaults;
const resourceCount = Object.keys(s.resources).length;

describe('BaosongAppStack', () => {
  describe('size', () => {
    it(`stays far under CloudFormation's 500 resources per stack: ${resourceCount} resources`, () => {
      expect(resourceCount).toBeLessThanOrEqual(300);
      expect(stack.stackName).toBe('Baosong-demo-app');
      // The app stack can be destroyed and deployed again: nothing in it is protected.
      expect(stack.terminationProtection).toBe(false);
    });

    it('has one API route per path family and one invoke permission per HTTP function (and one for SNS)', () => {
      expect(s.of('AWS::ApiGatewayV2::Route')).toHaveLength(apiRoutes.length);
      expect(s.of('AWS::ApiGatewayV2::Integration')).toHaveLength(httpNames.length);
      const permissions = s.of('AWS::Lambda::Permission').map(([, p]) => p.Properties.Principal);
      expect(permissions.filter((p) => p === 'apigateway.amazonaws.com')).toHaveLength(httpNames.length);
      // The mail events topic invoking its function.
      expect(permissions.filter((p) => p === 'sns.amazonaws.com')).toHaveLength(1);
      expect(permissions).toHaveLength(httpNames.length + 1);
      // The detailed table is many times the API's routes.
      expect(routes.length).toBeGreaterThan(apiRoutes.length * 5);
    });

    it('adds no resource at all for one more route in the detailed table', () => {
      const countByType = (template: Template) => {
        const counts: Record<string, number> = {};
        for (const r of Object.values(template.toJSON().Resources as Record<string, Resource>)) {
          counts[r.Type] = (counts[r.Type] ?? 0) + 1;
        }
        return counts;
      };
      const before = countByType(s.template);
      routes.push({ method: 'GET', path: '/desk/one-more-page', handler: 'desk' });
      routes.push({ method: 'POST', path: '/one-more-form', handler: 'requestLink' });
      let after: Record<string, number>;
      try {
        after = countByType(Template.fromStack(newStacks().stack));
      } finally {
        routes.splice(-2, 2);
      }
      expect(after).toEqual(before);
    });
  });

  describe('HTTP API', () => {
    it('routes exactly the path families of apiRoutes', () => {
      const keyOf = (route: ApiRoute) => (route.path === DEFAULT_PATH ? DEFAULT_PATH : `${route.method} ${route.path}`);
      const actual = s.of('AWS::ApiGatewayV2::Route').map(([, r]) => r.Properties.RouteKey as string);
      expect(actual.sort()).toEqual(apiRoutes.map(keyOf).sort());
      expect(actual.sort()).toEqual(
        [
          'POST /submissions',
          'POST /revise/{token}',
          'ANY /desk',
          'ANY /desk/{proxy+}',
          'ANY /review/{proxy+}',
          'ANY /adoption/{proxy+}',
          '$default',
        ].sort(),
      );
    });

    it("sends each route to its function's one integration", () => {
      const keyOf = (route: ApiRoute) => (route.path === DEFAULT_PATH ? DEFAULT_PATH : `${route.method} ${route.path}`);
      const integrationOf = new Map<HttpFunctionName, string>();
      for (const route of apiRoutes) {
        const found = s.of('AWS::ApiGatewayV2::Route').filter(([, r]) => r.Properties.RouteKey === keyOf(route));
        expect(found).toHaveLength(1);
        const target = s.text(found[0]![1].Properties.Target);
        expect(target).toMatch(/^integrations\/<[^>]+>$/);
        const integrationId = target.slice('integrations/<'.length, -1);
        expect(s.resources[integrationId]!.Properties).toMatchObject({
          IntegrationType: 'AWS_PROXY',
          PayloadFormatVersion: '2.0',
          IntegrationUri: { 'Fn::GetAtt': [s.functionId(route.fn), 'Arn'] },
        });
        expect(integrationOf.get(route.fn) ?? integrationId).toBe(integrationId);
        integrationOf.set(route.fn, integrationId);
      }
      expect([...integrationOf.keys()].sort()).toEqual([...httpNames].sort());
    });

    it('lets API Gateway invoke each HTTP function from this API only, with one permission for all its routes', () => {
      for (const name of httpNames) {
        const permissions = s
          .of('AWS::Lambda::Permission')
          .filter(
            ([, p]) =>
              JSON.stringify(p.Properties.FunctionName) ===
              JSON.stringify({ 'Fn::GetAtt': [s.functionId(name), 'Arn'] }),
          );
        expect({ name, permissions: permissions.length }).toEqual({ name, permissions: 1 });
        expect(permissions[0]![1].Properties).toMatchObject({
          Action: 'lambda:InvokeFunction',
          Principal: 'apigateway.amazonaws.com',
        });
        expect(s.text(permissions[0]![1].Properties.SourceArn)).toBe(
          aws('execute-api', `<${s.logicalId(stack.httpApi.node.defaultChild as IConstruct)}>/*/*/*`),
        );
      }
    });

    it('serves every detailed route from the function its API route goes to', () => {
      for (const route of routes) {
        expect({ route: `${route.method} ${route.path}`, fn: functionOf(route) }).toEqual({
          route: `${route.method} ${route.path}`,
          fn: apiRouteOf(route).fn,
        });
      }
      // Every function serves some route, and every route's handler is a function's.
      for (const name of httpNames) expect(routes.some((route) => functionOf(route) === name)).toBe(true);
    });

    it('throttles the default stage and writes access logs', () => {
      s.template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
        StageName: '$default',
        AutoDeploy: true,
        DefaultRouteSettings: { ThrottlingBurstLimit: 50, ThrottlingRateLimit: 20 },
        AccessLogSettings: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('routeKey') },
      });
    });

    it('keeps signed link tokens out of the access logs: the route key, never the raw path or query', () => {
      const [[, stage]] = s.of('AWS::ApiGatewayV2::Stage') as [[string, Resource]];
      const format = String((stage.Properties.AccessLogSettings as { Format: unknown }).Format);
      expect(format).toContain('$context.routeKey');
      expect(format).not.toContain('$context.path');
      expect(format).not.toMatch(/querystring|\$input|\$request|\$context\.request(Override)?\./i);
    });

    it("answers on the API's own endpoint and links to it when no domain is given", () => {
      s.template.hasResourceProperties('AWS::ApiGatewayV2::Api', { DisableExecuteApiEndpoint: false });
      s.template.resourceCountIs('AWS::ApiGatewayV2::DomainName', 0);
      const apiId = s.logicalId(stack.httpApi.node.defaultChild as IConstruct);
      for (const name of functionNames) {
        expect({ name, url: s.text(s.variables(name).PUBLIC_URL) }).toEqual({ name, url: `<${apiId}.ApiEndpoint>` });
      }
      for (const output of ['ApiUrl', 'PublicUrl', 'TableName', 'AlarmTopicArn']) s.template.hasOutput(output, {});
    });

    it("answers on the county's own domain only, and links to it, when a domain is given", () => {
      const certificateArn = 'arn:aws:acm:ap-southeast-1:123456789012:certificate/0a1b2c3d';
      const withDomain = newStacks({ props: { domain: { name: 'baosong.example.gov.cn', certificateArn } } });
      const custom = new Synthesized(withDomain.data, withDomain.stack);
      const apiId = custom.logicalId(custom.stack.httpApi.node.defaultChild as IConstruct);
      custom.template.hasResourceProperties('AWS::ApiGatewayV2::Api', { DisableExecuteApiEndpoint: true });
      const domains = custom.of('AWS::ApiGatewayV2::DomainName');
      expect(domains).toHaveLength(1);
      const [domainId, domain] = domains[0]!;
      expect(domain.Properties).toMatchObject({
        DomainName: 'baosong.example.gov.cn',
        DomainNameConfigurations: [expect.objectContaining({ CertificateArn: certificateArn })],
      });
      const mappings = custom.of('AWS::ApiGatewayV2::ApiMapping');
      expect(mappings).toHaveLength(1);
      const [[stageId]] = custom.of('AWS::ApiGatewayV2::Stage') as [[string, Resource]];
      expect(mappings[0]![1].Properties).toMatchObject({
        ApiId: { Ref: apiId },
        DomainName: { Ref: domainId },
        Stage: '$default',
      });
      // The stage is named, not referenced: the mapping waits for it.
      expect(mappings[0]![1].DependsOn).toContain(stageId);
      for (const name of functionNames) {
        expect({ name, url: custom.variables(name).PUBLIC_URL }).toEqual({
          name,
          url: 'https://baosong.example.gov.cn',
        });
      }
      custom.template.hasOutput('DomainTarget', { Value: { 'Fn::GetAtt': [domainId, 'RegionalDomainName'] } });
    });

    it('uses the given public URL for links instead of the API endpoint', () => {
      const { stack: custom } = newStacks({ props: { publicUrl: 'https://baosong.example.gov.cn/x' } });
      Template.fromStack(custom).allResourcesProperties('AWS::Lambda::Function', {
        Environment: { Variables: Match.objectLike({ PUBLIC_URL: 'https://baosong.example.gov.cn/x' }) },
      });
    });
  });

  describe('functions', () => {
    it('creates one function per audience, per job and for the mail events, each built as its own asset', () => {
      const functions = s.of('AWS::Lambda::Function');
      expect(functions).toHaveLength(httpNames.length + jobNames.length + Object.keys(eventHandlers).length);
      expect(Object.keys(stack.functions).sort()).toEqual([...functionNames].sort());
      expect([...functionNames].sort()).toEqual(
        ['public', 'review', 'desk', 'documents', 'sweeper', 'reminders', 'bulletin', 'quarterly', 'mailEvents'].sort(),
      );
      const keys = functions.map(([, fn]) => (fn.Properties.Code as { S3Key: unknown }).S3Key);
      expect(new Set(keys).size).toBe(functions.length);
    });

    it('runs every function on Node.js 24, arm64, from index.handler, without source-map NODE_OPTIONS', () => {
      expect(nodeTarget).toBe('node24');
      for (const [id, fn] of s.of('AWS::Lambda::Function')) {
        expect({ id, ...fn.Properties }).toMatchObject({
          id,
          Runtime: 'nodejs24.x',
          Architectures: ['arm64'],
          Handler: 'index.handler',
        });
        const variables = (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
        expect(String(variables.NODE_OPTIONS ?? '')).not.toContain('enable-source-maps');
      }
    });

    it('gives 1024 MB to the documents function only, 512 MB to every other', () => {
      for (const name of functionNames) {
        const memory = s.resources[s.functionId(name)]!.Properties.MemorySize;
        expect({ name, memory }).toEqual({ name, memory: name === 'documents' ? 1024 : 512 });
      }
      expect(httpFunctions.documents.memory).toBe(1024);
    });

    it('tells each HTTP function which it is, and every function the county, table, bucket, sender and keys', () => {
      for (const name of functionNames) {
        const variables = s.variables(name);
        expect({ name, fn: variables.BAOSONG_FUNCTION }).toEqual({
          name,
          fn: name in httpFunctions ? name : undefined,
        });
        expect(Object.keys(variables).sort()).toEqual(
          [
            'COUNTY_ID',
            'FILES_BUCKET',
            'PUBLIC_URL',
            'SENDER',
            'SIGNING_KEY_SECRET_ARN',
            'TABLE_NAME',
            'MAIL_TRANSPORT',
            'SES_CONFIGURATION_SET',
            ...(name in httpFunctions ? ['BAOSONG_FUNCTION'] : []),
          ].sort(),
        );
        expect({
          name,
          county: variables.COUNTY_ID,
          sender: variables.SENDER,
          transport: variables.MAIL_TRANSPORT,
          set: variables.SES_CONFIGURATION_SET,
          table: s.text(variables.TABLE_NAME),
          bucket: s.text(variables.FILES_BUCKET),
          key: s.text(variables.SIGNING_KEY_SECRET_ARN),
        }).toEqual({
          name,
          county: 'demo',
          sender,
          transport: 'ses',
          set: 'baosong-demo',
          table: `data:<${s.dataId(s.data.table)}>`,
          bucket: filesBucketName('demo', '<AWS::AccountId>'),
          key: s.signingKeyArn,
        });
      }
    });

    it('leaves the day settings to the functions unless given, and passes given ones as positive numbers', () => {
      for (const name of functionNames) {
        expect(s.variables(name).REVIEW_LINK_DAYS).toBeUndefined();
        expect(s.variables(name).REMINDER_AFTER_DAYS).toBeUndefined();
      }
      const { stack: configured } = newStacks({ props: { reviewLinkDays: 21, reminderAfterDays: 2 } });
      Template.fromStack(configured).allResourcesProperties('AWS::Lambda::Function', {
        Environment: { Variables: Match.objectLike({ REVIEW_LINK_DAYS: '21', REMINDER_AFTER_DAYS: '2' }) },
      });
      expect(() => newStacks({ props: { reviewLinkDays: 0 } })).toThrow(/REVIEW_LINK_DAYS must be a positive number/);
      expect(() => newStacks({ props: { reminderAfterDays: Number.NaN } })).toThrow(
        /REMINDER_AFTER_DAYS must be a positive/,
      );
    });

    it('refuses a sender that is not an email address', () => {
      const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
      const data = new BaosongDataStack(app, 'D', { countyId: 'demo', sender, mailTransport: 'ses' });
      expect(
        () =>
          new BaosongAppStack(app, 'A', {
            countyId: 'demo',
            data: data.refs(),
            mail: { kind: 'ses', sender: 'example.com', configurationSet: 'baosong-demo' },
          }),
      ).toThrow(/sender must be an email address/);
    });

    it('keeps every log group, the API access logs included, for 400 days', () => {
      const groups = s.of('AWS::Logs::LogGroup');
      expect(groups).toHaveLength(functionNames.length + 1);
      for (const [id, group] of groups) {
        expect({ id, days: group.Properties.RetentionInDays }).toEqual({ id, days: 400 });
      }
      // Each function logs to its own group; the stage to the remaining one.
      for (const name of functionNames) {
        expect(s.resources[s.functionId(name)]!.Properties.LoggingConfig).toEqual({
          LogGroup: { Ref: s.logGroupId(name) },
        });
      }
      const [[, stage]] = s.of('AWS::ApiGatewayV2::Stage') as [[string, Resource]];
      const accessLogs = s.text((stage.Properties.AccessLogSettings as { DestinationArn: unknown }).DestinationArn);
      const accessLogsId = accessLogs.slice(1, -'.Arn>'.length);
      expect(groups.map(([id]) => id)).toContain(accessLogsId);
      expect(functionNames.map((name) => s.logGroupId(name))).not.toContain(accessLogsId);
    });

    it('bundles as CJS with module-first main fields, no source maps, for Node 24; handler and lazy modules beside', () => {
      expect(esbuildOptions).toMatchObject({
        bundle: true,
        platform: 'node',
        format: 'cjs',
        minify: true,
        sourcemap: false,
        target: 'node24',
        mainFields: ['module', 'main'],
      });
      // The only external modules are the files of their own in an asset: the lazily loaded ones and the handlers.
      expect([...(esbuildOptions.external ?? [])].sort()).toEqual(
        [
          ...LAZY_MODULES.map((m) => `./${m.file}`),
          ...Object.keys(handlers).map((name) => `./${moduleFile(name as HandlerName)}`),
        ].sort(),
      );
    });
  });

  describe('permissions', () => {
    it("gives each HTTP function the union of its routes' handler lines, as functionSpec says", () => {
      for (const name of httpNames) {
        const spec = functionSpec(name);
        expect({ name, ...unionOfRoutes(name) }).toEqual({
          name,
          table: [...spec.table].sort(),
          email: spec.email,
          secret: spec.secret,
          attachments: spec.attachments === true,
          files: [...(spec.files ?? [])].sort(),
        });
      }
    });

    it("grants each HTTP function exactly what its routes' handler lines list, and nothing else", () => {
      for (const name of httpNames) {
        expect({ name, grants: s.grantsOf(name) }).toEqual({
          name,
          grants: expectedGrants(s, name, unionOfRoutes(name), { mail: 'ses' }),
        });
      }
    });

    it('grants each job and the mail events function exactly what its line lists, and its dead-letter queue', () => {
      for (const name of [...jobNames, 'mailEvents'] as FunctionName[]) {
        expect({ name, grants: s.grantsOf(name) }).toEqual({
          name,
          grants: expectedGrants(s, name, specOf(name), { mail: 'ses' }),
        });
      }
      // The sweeper deletes the files of revisions never written.
      expect(s.grantsOf('sweeper')).toContain(`s3:DeleteObject on ${filesObjects}`);
    });

    it('grants Query on each named index of the table, never on index/*, and never Scan', () => {
      const resources = allStatements(s.template).flatMap((st) => asList(st.Resource).map(s.text));
      expect(resources.filter((r) => r.includes('/index/')).length).toBeGreaterThan(0);
      expect(resources.filter((r) => /index\/\*$/.test(r))).toEqual([]);
      const actions = allStatements(s.template).flatMap(actionsOf);
      expect(actions).not.toContain('dynamodb:Scan');
      for (const name of functionNames) {
        const queries = s.grantsOf(name).filter((g) => g.startsWith('dynamodb:Query on '));
        if (!specOf(name).table.includes('Query')) {
          expect({ name, queries }).toEqual({ name, queries: [] });
          continue;
        }
        expect({ name, queries }).toEqual({
          name,
          queries: [s.tableArn, ...indexNames.map((index) => `${s.tableArn}/index/${index}`)]
            .map((arn) => `dynamodb:Query on ${arn}`)
            .sort(),
        });
      }
      expect([...indexNames].sort()).toEqual(['awaiting', 'byMonth', 'outbox']);
    });

    it('grants no wildcard action in any policy', () => {
      const allowed = allStatements(s.template).filter((st) => st.Effect !== 'Deny');
      expect(allowed.length).toBeGreaterThan(0);
      const wildcards = allowed.flatMap(actionsOf).filter((action) => action === '*' || action.includes('*'));
      expect(wildcards).toEqual([]);
    });

    it("lets only the functions that store or serve files touch the files bucket, only this county's objects", () => {
      const withFiles = functionNames.filter((name) => (specOf(name).files ?? []).length > 0);
      expect(withFiles.sort()).toEqual(['desk', 'documents', 'public', 'review', 'sweeper']);
      for (const name of functionNames) {
        const s3 = s.grantsOf(name).filter((g) => g.startsWith('s3:'));
        if (!withFiles.includes(name)) {
          expect({ name, s3 }).toEqual({ name, s3: [] });
          continue;
        }
        for (const grant of s3)
          expect(
            grant.endsWith(' on arn:<AWS::Partition>:s3:::baosong-demo-files-<AWS::AccountId>/counties/demo/*'),
          ).toBe(true);
        expect(s3.length).toBe((specOf(name).files ?? []).length);
      }
    });

    it('lets only the functions that send use SES, only as the sender and with the configuration set', () => {
      for (const name of functionNames) {
        const spec = specOf(name);
        const ses = s.statementsOf(name).filter((st) => actionsOf(st).some((a) => a.startsWith('ses:')));
        if (!sends(spec)) {
          expect({ name, ses }).toEqual({ name, ses: [] });
          continue;
        }
        expect({ name, statements: ses.length }).toEqual({ name, statements: 1 });
        const [statement] = ses as [Statement];
        // SendRawEmail (attachments) only where the spec says so: the 通报's and the quarterly matrix's .xlsx.
        expect({ name, actions: actionsOf(statement).sort() }).toEqual({
          name,
          actions: [...(spec.email ? ['ses:SendEmail'] : []), ...(spec.attachments ? ['ses:SendRawEmail'] : [])],
        });
        expect(asList(statement.Resource).map(s.text).sort()).toEqual([...sesResources].sort());
        expect(statement.Condition).toEqual({ StringEquals: { 'ses:FromAddress': sender } });
      }
      expect(functionNames.filter((name) => sends(specOf(name))).sort()).toEqual(
        ['bulletin', 'desk', 'documents', 'public', 'quarterly', 'reminders', 'review', 'sweeper'].sort(),
      );
    });

    it('reads the signing key only where a line says so', () => {
      for (const name of functionNames) {
        const reads = s.grantsOf(name).some((g) => g === `secretsmanager:GetSecretValue on ${s.signingKeyArn}`);
        expect({ name, reads }).toEqual({ name, reads: specOf(name).secret });
      }
    });
  });

  describe('mail by SMTP', () => {
    const smtpStacks = newStacks({ mail: 'smtp' });
    const smtp = new Synthesized(smtpStacks.data, smtpStacks.stack);

    it('makes no SES resource and grants no SES action', () => {
      const types = Object.values(smtp.resources).map((r) => r.Type);
      expect(types.filter((type) => type.startsWith('AWS::SES::'))).toEqual([]);
      expect(smtp.stack.mailEvents).toBeUndefined();
      expect(
        allStatements(smtp.template)
          .flatMap(actionsOf)
          .filter((a) => a.startsWith('ses:')),
      ).toEqual([]);
      // No topic but the alarms'.
      expect(smtp.of('AWS::SNS::Topic')).toHaveLength(1);
    });

    it("lets the functions that send read the SMTP server's credentials, and tells them where the server is", () => {
      for (const name of functionNames) {
        const spec = specOf(name);
        expect({ name, grants: smtp.grantsOf(name) }).toEqual({
          name,
          grants: expectedGrants(smtp, name, spec, { mail: 'smtp' }),
        });
        const variables = smtp.variables(name);
        expect({
          name,
          transport: variables.MAIL_TRANSPORT,
          host: variables.SMTP_HOST,
          port: variables.SMTP_PORT,
          secure: variables.SMTP_SECURE,
          secret: smtp.text(variables.SMTP_SECRET_ARN),
          set: variables.SES_CONFIGURATION_SET,
        }).toEqual({
          name,
          transport: 'smtp',
          host: 'smtp.example.gov.cn',
          port: '465',
          secure: 'true',
          secret: smtp.smtpSecretArn,
          set: undefined,
        });
        const readsSmtp = smtp.grantsOf(name).some((g) => g.includes(smtp.smtpSecretArn));
        expect({ name, readsSmtp }).toEqual({ name, readsSmtp: sends(spec) });
      }
    });
  });

  describe('timed jobs', () => {
    it('schedules every job once, on Shanghai time, with its name and the scheduled time as input', () => {
      s.template.resourceCountIs('AWS::Scheduler::Schedule', jobNames.length);
      expect(jobNames.sort()).toEqual(['bulletin', 'quarterly', 'reminders', 'sweeper']);
      expect(jobs.sweeper.schedule).toBe('rate(1 minute)');
      expect(jobs.reminders.schedule).toBe('cron(0 9 * * ? *)');
      for (const name of jobNames) {
        const schedule = s.scheduleOf(name);
        expect(schedule.Properties).toMatchObject({
          ScheduleExpression: jobs[name].schedule,
          ScheduleExpressionTimezone: 'Asia/Shanghai',
          State: 'ENABLED',
        });
        const target = schedule.Properties.Target as { Input: string };
        expect(JSON.parse(target.Input)).toEqual({ job: name, scheduledTime: '<aws.scheduler.scheduled-time>' });
      }
    });

    it('moves the bulletin to the configured schedule', () => {
      const moved = newStacks({ props: { bulletinSchedule: 'cron(30 8 2 * ? *)' } });
      const m = new Synthesized(moved.data, moved.stack);
      expect(m.scheduleOf('bulletin').Properties.ScheduleExpression).toBe('cron(30 8 2 * ? *)');
      expect(m.scheduleOf('reminders').Properties.ScheduleExpression).toBe(jobs.reminders.schedule);
    });

    it("gives every job's schedule retries and a TLS-only dead-letter queue that also takes its failed runs", () => {
      const queueIds = new Set<string>();
      for (const name of jobNames) {
        const target = s.scheduleOf(name).Properties.Target as Record<string, unknown>;
        expect(target).toMatchObject({
          RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: expect.any(Number) },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [expect.any(String), 'Arn'] } },
        });
        const queueId = (target.DeadLetterConfig as { Arn: { 'Fn::GetAtt': [string, string] } }).Arn['Fn::GetAtt'][0];
        expect(s.resources[queueId]!.Type).toBe('AWS::SQS::Queue');
        queueIds.add(queueId);

        // Scheduler invokes asynchronously, so a run that throws is dead-lettered by Lambda's own settings, and a
        // run is worth starting as long as its schedule would still deliver it.
        expect(s.runQueueOf(name)).toBe(queueId);
        s.template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
          FunctionName: { Ref: s.functionId(name) },
          MaximumEventAgeInSeconds: (target.RetryPolicy as { MaximumEventAgeInSeconds: number })
            .MaximumEventAgeInSeconds,
        });
        const sendsTo = s.statementsOf(name).filter((st) => actionsOf(st).includes('sqs:SendMessage'));
        expect(sendsTo.map((st) => st.Resource)).toEqual([{ 'Fn::GetAtt': [queueId, 'Arn'] }]);
      }
      expect(queueIds.size).toBe(jobNames.length);
      // The sweeper's next tick redoes a failed run, so Lambda does not retry it into the next tick.
      s.template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
        FunctionName: { Ref: s.functionId('sweeper') },
        MaximumRetryAttempts: 0,
      });
    });

    it('keeps every dead-letter queue encrypted for 14 days and denies it any request without TLS', () => {
      const queues = s.of('AWS::SQS::Queue');
      expect(queues).toHaveLength(jobNames.length + 1);
      for (const [, queue] of queues) {
        expect(queue.Properties).toMatchObject({ SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 86_400 });
      }
      const tlsDenied = s
        .of('AWS::SQS::QueuePolicy')
        .filter(([, policy]) =>
          (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement.some(
            (st) =>
              st.Effect === 'Deny' &&
              JSON.stringify(st.Condition) === JSON.stringify({ Bool: { 'aws:SecureTransport': 'false' } }),
          ),
        );
      expect(
        tlsDenied
          .flatMap(([, p]) => p.Properties.Queues as { Ref: string }[])
          .map((q) => q.Ref)
          .sort(),
      ).toEqual(queues.map(([id]) => id).sort());
    });

    it('gives the job functions timeouts that fit their schedules', () => {
      const timeoutOf = (name: JobName) => s.resources[s.functionId(name)]!.Properties.Timeout as number;
      // Under the one-minute tick, so sweeper runs do not pile up.
      expect(timeoutOf('sweeper')).toBe(50);
      for (const name of ['reminders', 'bulletin', 'quarterly'] as const) {
        expect(timeoutOf(name)).toBeGreaterThanOrEqual(50);
        expect(timeoutOf(name)).toBeLessThanOrEqual(900);
      }
      for (const name of httpNames) expect(s.resources[s.functionId(name)]!.Properties.Timeout).toBe(10);
    });

    it('lets each schedule role invoke exactly its job function, assumed only by Scheduler for this account', () => {
      const roles = s
        .of('AWS::IAM::Role')
        .filter(([, r]) => JSON.stringify(r.Properties.AssumeRolePolicyDocument).includes('scheduler.amazonaws.com'));
      expect(roles).toHaveLength(jobNames.length);
      for (const name of jobNames) {
        const roleArn = (s.scheduleOf(name).Properties.Target as { RoleArn: { 'Fn::GetAtt': [string, string] } })
          .RoleArn;
        const roleId = roleArn['Fn::GetAtt'][0];
        const role = roles.find(([id]) => id === roleId)?.[1];
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
        const sourceArn = (
          role!.Properties.AssumeRolePolicyDocument as {
            Statement: { Condition: { StringEquals: { 'aws:SourceArn': unknown } } }[];
          }
        ).Statement[0]!.Condition.StringEquals['aws:SourceArn'];
        expect(s.text(sourceArn)).toBe(aws('scheduler', 'schedule-group/default'));
        const invokes = s.statementsOfRole(roleId).filter((st) => actionsOf(st).includes('lambda:InvokeFunction'));
        const resources = invokes.flatMap((st) => asList(st.Resource)).map(s.text);
        const fnArn = `<${s.functionId(name)}.Arn>`;
        expect(resources.sort()).toEqual([fnArn, `${fnArn}:*`]);
      }
    });
  });

  describe('mail events', () => {
    const eventsTopicId = () => s.logicalId(stack.mailEvents!.node.defaultChild as IConstruct);

    it("publishes the configuration set's bounces and complaints to a TLS-only topic only SES of this account may use", () => {
      expect(stack.mailEvents).toBeDefined();
      const destinations = s.of('AWS::SES::ConfigurationSetEventDestination');
      expect(destinations).toHaveLength(1);
      expect(destinations[0]![1].Properties).toEqual({
        ConfigurationSetName: configurationSetName('demo'),
        EventDestination: expect.objectContaining({
          Enabled: true,
          MatchingEventTypes: ['bounce', 'complaint'],
          SnsDestination: { TopicARN: { Ref: eventsTopicId() } },
        }),
      });
      // The data stack's set, by name.
      s.dataTemplate.hasResourceProperties('AWS::SES::ConfigurationSet', { Name: configurationSetName('demo') });
      const policies = s
        .of('AWS::SNS::TopicPolicy')
        .filter(([, p]) => JSON.stringify(p.Properties.Topics) === JSON.stringify([{ Ref: eventsTopicId() }]));
      expect(policies).toHaveLength(1);
      const statements = (policies[0]![1].Properties.PolicyDocument as { Statement: Statement[] }).Statement;
      const allowed = statements.filter((st) => st.Effect === 'Allow');
      expect(allowed).toHaveLength(1);
      expect(allowed[0]).toMatchObject({ Principal: { Service: 'ses.amazonaws.com' }, Action: 'sns:Publish' });
      const condition = (allowed[0]!.Condition as { StringEquals: Record<string, unknown> }).StringEquals;
      expect(s.text(condition['AWS:SourceArn'])).toBe(aws('ses', `configuration-set/${configurationSetName('demo')}`));
      expect(condition['AWS:SourceAccount']).toEqual({ Ref: 'AWS::AccountId' });
      expect(
        statements.some(
          (st) =>
            st.Effect === 'Deny' &&
            JSON.stringify(st.Condition) === JSON.stringify({ Bool: { 'aws:SecureTransport': 'false' } }),
        ),
      ).toBe(true);
    });

    it('delivers them to the mail events function, with a dead-letter queue for what SNS cannot deliver', () => {
      const subscriptions = s
        .of('AWS::SNS::Subscription')
        .filter(([, sub]) => JSON.stringify(sub.Properties.TopicArn) === JSON.stringify({ Ref: eventsTopicId() }));
      expect(subscriptions).toHaveLength(1);
      const subscription = subscriptions[0]![1].Properties as {
        Protocol: string;
        Endpoint: unknown;
        RedrivePolicy: { deadLetterTargetArn: unknown };
      };
      expect(subscription.Protocol).toBe('lambda');
      expect(subscription.Endpoint).toEqual({ 'Fn::GetAtt': [s.functionId('mailEvents'), 'Arn'] });
      const queue = s.text(subscription.RedrivePolicy.deadLetterTargetArn);
      expect(queue).toMatch(/^<MailEventsDeadLetters[0-9A-F]+\.Arn>$/);
      s.template.hasResourceProperties('AWS::Lambda::Permission', {
        FunctionName: { 'Fn::GetAtt': [s.functionId('mailEvents'), 'Arn'] },
        Principal: 'sns.amazonaws.com',
        SourceArn: { Ref: eventsTopicId() },
      });
    });

    it('keeps a record the function fails to store in the dead-letter queue, after Lambda’s retries', () => {
      // SNS hands the event to Lambda asynchronously: once Lambda has it, only the function's own async settings
      // decide where a failed run goes (the subscription's redrive policy covers SNS's delivery only).
      const queue = s
        .of('AWS::SQS::Queue')
        .map(([id]) => id)
        .find((id) => id.startsWith('MailEventsDeadLetters'));
      expect(queue).toBeDefined();
      expect(s.runQueueOf('mailEvents')).toBe(queue);
    });
  });

  describe('alarms', () => {
    type Alarm = {
      MetricName: string;
      Namespace: string;
      AlarmActions: unknown[];
      Dimensions?: { Name: string; Value: unknown }[];
    } & Record<string, unknown>;
    const alarms = () => s.of('AWS::CloudWatch::Alarm').map(([, a]) => a.Properties as Alarm);
    const alarmTopicId = () => s.logicalId(stack.alarms.node.defaultChild as IConstruct);
    const byMetric = (metric: string) => alarms().filter((a) => a.MetricName === metric);
    const metricFilters = () => s.of('AWS::Logs::MetricFilter').map(([, f]) => f.Properties);

    it('sends every alarm to the one alarm topic', () => {
      // 5xx, each function's errors, emails given up, the silent sweeper, addresses stopped, each dead-letter queue.
      expect(alarms().length).toBe(1 + functionNames.length + 1 + 1 + 1 + s.of('AWS::SQS::Queue').length);
      for (const alarm of alarms()) expect(alarm.AlarmActions).toEqual([{ Ref: alarmTopicId() }]);
      s.template.hasOutput('AlarmTopicArn', { Value: { Ref: alarmTopicId() } });
    });

    it("alarms on the API's 5xx answers, which the handlers' caught errors never raise as Lambda errors", () => {
      const apiId = s.logicalId(stack.httpApi.node.defaultChild as IConstruct);
      expect(byMetric('5xx')).toEqual([
        expect.objectContaining({
          Namespace: 'AWS/ApiGateway',
          Dimensions: [{ Name: 'ApiId', Value: { Ref: apiId } }],
          Threshold: 1,
          ComparisonOperator: 'GreaterThanOrEqualToThreshold',
          Statistic: 'Sum',
        }),
      ]);
    });

    it("alarms on each function's errors", () => {
      const errors = byMetric('Errors');
      expect(errors).toHaveLength(functionNames.length);
      for (const name of functionNames) {
        expect(
          errors.filter(
            (a) =>
              a.Namespace === 'AWS/Lambda' &&
              JSON.stringify(a.Dimensions) ===
                JSON.stringify([{ Name: 'FunctionName', Value: { Ref: s.functionId(name) } }]),
          ),
        ).toHaveLength(1);
      }
    });

    it('counts the emails given up in the logs of every function that can send mail, and alarms on any', () => {
      const givingUp = metricFilters().filter((f) =>
        (f.MetricTransformations as { MetricName: string }[]).some((m) => m.MetricName === 'EmailsGivenUp'),
      );
      const senders = functionNames.filter((name) => sends(specOf(name)));
      expect(givingUp.map((f) => s.text(f.LogGroupName)).sort()).toEqual(
        senders.map((name) => `<${s.logGroupId(name)}>`).sort(),
      );
      for (const filter of givingUp) {
        expect(filter.FilterPattern).toBe(LOG_PATTERNS.emailGivenUp);
        expect(filter.MetricTransformations).toEqual([
          { MetricName: 'EmailsGivenUp', MetricNamespace: ALARM_METRIC_NAMESPACE, MetricValue: '1', DefaultValue: 0 },
        ]);
      }
      expect(byMetric('EmailsGivenUp')).toEqual([
        expect.objectContaining({
          Namespace: ALARM_METRIC_NAMESPACE,
          Threshold: 1,
          ComparisonOperator: 'GreaterThanOrEqualToThreshold',
          Statistic: 'Sum',
        }),
      ]);
      expect(byMetric('EmailsGivenUp')[0]!.Dimensions).toBeUndefined();
    });

    it('alarms when the sweeper has not finished a run for 15 minutes, missing data included', () => {
      const runs = metricFilters().filter((f) =>
        (f.MetricTransformations as { MetricName: string }[]).some((m) => m.MetricName === 'SweeperRuns'),
      );
      expect(runs).toHaveLength(1);
      expect(runs[0]).toMatchObject({
        FilterPattern: LOG_PATTERNS.sweepFinished,
        LogGroupName: { Ref: s.logGroupId('sweeper') },
        MetricTransformations: [
          { MetricName: 'SweeperRuns', MetricNamespace: ALARM_METRIC_NAMESPACE, MetricValue: '1' },
        ],
      });
      expect(byMetric('SweeperRuns')).toEqual([
        expect.objectContaining({
          Namespace: ALARM_METRIC_NAMESPACE,
          Period: 900,
          Statistic: 'Sum',
          Threshold: 1,
          ComparisonOperator: 'LessThanThreshold',
          EvaluationPeriods: 1,
          TreatMissingData: 'breaching',
        }),
      ]);
    });

    it('alarms when a bounce or complaint stops mail to an address', () => {
      const stopped = metricFilters().filter((f) =>
        (f.MetricTransformations as { MetricName: string }[]).some((m) => m.MetricName === 'AddressesStopped'),
      );
      expect(stopped).toEqual([
        {
          FilterPattern: LOG_PATTERNS.addressStopped,
          LogGroupName: { Ref: s.logGroupId('mailEvents') },
          MetricTransformations: [
            {
              MetricName: 'AddressesStopped',
              MetricNamespace: ALARM_METRIC_NAMESPACE,
              MetricValue: '1',
              DefaultValue: 0,
            },
          ],
        },
      ]);
      expect(byMetric('AddressesStopped')).toEqual([
        expect.objectContaining({ Namespace: ALARM_METRIC_NAMESPACE, Threshold: 1, Statistic: 'Sum' }),
      ]);
      // The three kinds of metric filter are all there is.
      expect(metricFilters()).toHaveLength(functionNames.filter((name) => sends(specOf(name))).length + 2);
    });

    it('alarms on a message in any dead-letter queue', () => {
      const visible = byMetric('ApproximateNumberOfMessagesVisible');
      const queues = s.of('AWS::SQS::Queue').map(([id]) => id);
      expect(
        visible
          .map((a) => {
            expect(a.Namespace).toBe('AWS/SQS');
            return s.text(a.Dimensions?.find((d) => d.Name === 'QueueName')?.Value).replace(/\.QueueName>$/, '>');
          })
          .sort(),
      ).toEqual(queues.map((id) => `<${id}>`).sort());
      for (const alarm of visible) expect(alarm).toMatchObject({ Threshold: 1, Statistic: 'Maximum' });
    });

    it('subscribes the alarm address given at deploy time, and warns when none is given', () => {
      const { stack: withEmail } = newStacks({ props: { alarmEmail: 'ops@example.gov.cn' } });
      const withEmailTemplate = Template.fromStack(withEmail);
      withEmailTemplate.hasResourceProperties('AWS::SNS::Subscription', {
        Protocol: 'email',
        Endpoint: 'ops@example.gov.cn',
        TopicArn: { Ref: withEmail.resolve(withEmail.getLogicalId(withEmail.alarms.node.defaultChild as CfnFunction)) },
      });
      const noAlarmEmail = Match.stringLikeRegexp('baosong:noAlarmEmail');
      expect(Annotations.fromStack(withEmail).findWarning('*', noAlarmEmail)).toEqual([]);

      s.template.resourcePropertiesCountIs('AWS::SNS::Subscription', { Protocol: 'email' }, 0);
      expect(Annotations.fromStack(stack).findWarning('*', noAlarmEmail)).toHaveLength(1);
    });
  });

  describe('a restored table', () => {
    const restoredName = 'baosong-demo-restored';
    const restored = newStacks({ props: { restoredTableName: restoredName } });
    const r = new Synthesized(restored.data, restored.stack);
    const restoredArn = aws('dynamodb', `table/${restoredName}`);

    it("points every function and every grant at the restored table, none at the data stack's", () => {
      for (const name of functionNames) {
        expect({ name, table: r.variables(name).TABLE_NAME }).toEqual({ name, table: restoredName });
        expect({ name, grants: r.grantsOf(name) }).toEqual({
          name,
          grants: expectedGrants(r, name, specOf(name), { mail: 'ses', tableArn: restoredArn }),
        });
        expect(r.grantsOf(name).filter((g) => g.includes(r.tableArn))).toEqual([]);
      }
      r.template.hasOutput('TableName', { Value: restoredName });
    });

    it('leaves the data stack’s exports as they were, so the data stack still deploys first', () => {
      const exportsOf = (t: Template) =>
        Object.values((t.toJSON().Outputs ?? {}) as Record<string, { Export?: { Name: string } }>)
          .flatMap((o) => (o.Export ? [o.Export.Name] : []))
          .sort();
      expect(exportsOf(r.dataTemplate)).toEqual(exportsOf(s.dataTemplate));
    });
  });

  describe('cdk-nag', () => {
    const variants: [string, Variant][] = [
      ['SES, no account', {}],
      ['SMTP, no account', { mail: 'smtp' }],
      [
        'SES, a domain and an alarm address',
        {
          props: {
            domain: { name: 'baosong.example.gov.cn', certificateArn: 'arn:aws:acm:ap-southeast-1:1:certificate/x' },
            alarmEmail: 'ops@example.gov.cn',
          },
        },
      ],
      ['SES, deployed to an account', { env: { account: '123456789012', region: 'ap-southeast-1' } }],
      [
        'SMTP, deployed to an account in China',
        { mail: 'smtp', env: { account: '123456789012', region: 'cn-north-1' } },
      ],
    ];

    it.each(variants)('passes the AwsSolutions checks on both stacks (%s) with no finding left', (_name, variant) => {
      const { data, stack: app } = newStacks(variant);
      for (const checked of [data, app]) {
        Template.fromStack(checked);
        const findings = new AwsSolutionsChecks()
          .validateScope(checked)
          .violations.map((v) => `${v.ruleName} at ${v.violatingResources.map((r) => r.constructPath).join(', ')}`);
        expect({ stack: checked.stackName, findings }).toEqual({ stack: checked.stackName, findings: [] });
      }
    });

    it.each(variants)('synthesizes with cdk-nag registered as infra/app.ts does (%s)', (_name, variant) => {
      const { app } = newStacks(variant);
      Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
      expect(() => app.synth()).not.toThrow();
    });

    it.each(variants.slice(0, 2))('gives every acknowledgment a reason (%s)', (_name, variant) => {
      const { app } = newStacks(variant);
      const acknowledgments = acknowledgmentsIn(app);
      expect(acknowledgments.length).toBeGreaterThan(0);
      const withoutReason = acknowledgments.filter(({ reason }) => typeof reason !== 'string' || reason.trim() === '');
      expect(withoutReason).toEqual([]);
    });

    it.each(variants.slice(0, 2))(
      'acknowledges only findings that would otherwise be reported (%s)',
      (_name, variant) => {
        const acknowledge = jest.spyOn(Validations.prototype, 'acknowledge').mockImplementation(() => undefined);
        let bare: ReturnType<typeof newStacks>;
        try {
          bare = newStacks(variant);
        } finally {
          acknowledge.mockRestore();
        }
        const findings = [bare.data, bare.stack].flatMap((checked) => {
          Template.fromStack(checked);
          return new AwsSolutionsChecks().validateScope(checked).violations;
        });
        const unneeded = acknowledgmentsIn(newStacks(variant).app).filter(
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
      },
    );
  });
});

/**
 * CloudWatch Logs' unstructured term matching for a pattern of one quoted term: the event matches when it contains
 * the term exactly (case included). Inside the quotes a backslash escapes the next character, as CloudWatch reads it.
 */
function quotedTerm(pattern: string): string {
  const quoted = /^"((?:[^"\\]|\\.)*)"$/.exec(pattern.trim());
  if (!quoted) throw new Error(`Not one quoted term: ${pattern}`);
  return quoted[1]!.replace(/\\(.)/g, '$1');
}
const matchesEvent = (pattern: string, event: string) => event.includes(quotedTerm(pattern));

/** The log events Lambda's Node.js runtime makes of one console call with a string, in either log format. */
const requestId = '8f5a3c1e-2b7d-4e9a-9c1f-0d6e5b4a3f21';
function lambdaEvents(level: 'INFO' | 'ERROR', line: string): { text: string; json: string } {
  const timestamp = new Date().toISOString();
  return {
    text: [timestamp, requestId, level, line].join('\t'),
    json: JSON.stringify({ timestamp, level, requestId, message: line }),
  };
}

/** The line shared/core/log.ts writes for one call, and the level Lambda gives it by its console method. */
function written(call: () => void): { level: 'INFO' | 'ERROR'; line: string } {
  const quiet = process.env.BAOSONG_QUIET;
  delete process.env.BAOSONG_QUIET;
  const out = jest.spyOn(console, 'log').mockImplementation(() => undefined);
  const err = jest.spyOn(console, 'error').mockImplementation(() => undefined);
  try {
    call();
    const calls = [
      ...out.mock.calls.map((c) => ['log', c] as const),
      ...err.mock.calls.map((c) => ['error', c] as const),
    ];
    expect(calls).toHaveLength(1);
    const [method, args] = calls[0]!;
    // One string argument: Lambda's JSON format then makes it the event's message as it is.
    expect(args).toHaveLength(1);
    expect(typeof args[0]).toBe('string');
    // Lambda's level is the console method's: console.log (info and warn lines alike) is INFO.
    return { level: method === 'error' ? 'ERROR' : 'INFO', line: args[0] as string };
  } finally {
    out.mockRestore();
    err.mockRestore();
    if (quiet === undefined) delete process.env.BAOSONG_QUIET;
    else process.env.BAOSONG_QUIET = quiet;
  }
}

describe('the log lines the alarms count', () => {
  const givenUp = () =>
    written(() =>
      log.error('email given up', {
        template: 'decision',
        attempts: 6,
        error: 'MessageRejected',
        detail: 'Email address is not verified.',
      }),
    );
  const leftForNextRun = () =>
    written(() =>
      log.warn('run email left for the next run', { template: 'bulletin', period: '2026-02', attempts: 2 }),
    );
  const swept = () => written(() => log.info('outbox swept', { sent: 3, failed: 0, pending: 0 }));
  const sweepFinished = () => written(() => log.info('sweep finished', { pending: 0 }));
  const stopped = () =>
    written(() => log.error('email address stopped', { kind: 'bounce', personId: 'p-17', reason: 'Permanent' }));
  const recorded = () => written(() => log.info('mail events recorded', { recorded: 1, ignored: 0 }));
  const failed = () => written(() => log.error('request failed', { error: 'Error', detail: 'email given' }));

  const lines = { givenUp, leftForNextRun, swept, sweepFinished, stopped, recorded, failed };
  const counted: [keyof typeof LOG_PATTERNS, keyof typeof lines, 'INFO' | 'ERROR'][] = [
    ['emailGivenUp', 'givenUp', 'ERROR'],
    ['sweepFinished', 'sweepFinished', 'INFO'],
    ['addressStopped', 'stopped', 'ERROR'],
  ];

  it('are each one quoted term, the patterns the metric filters use', () => {
    expect(Object.keys(LOG_PATTERNS).sort()).toEqual(counted.map(([pattern]) => pattern).sort());
    for (const pattern of Object.values(LOG_PATTERNS)) expect(() => quotedTerm(pattern)).not.toThrow();
    const patterns = s.of('AWS::Logs::MetricFilter').map(([, f]) => f.Properties.FilterPattern);
    expect([...new Set(patterns)].sort()).toEqual(Object.values(LOG_PATTERNS).sort());
  });

  it('are written by the code that gives an email up, stops an address, and by the sweeper when it finishes', () => {
    const source = (file: string) => readFileSync(path.join(repoRoot, file), 'utf8');
    expect(source('shared/mail/outbox.ts')).toContain("log.error('email given up'");
    expect(source('shared/mail/runs.ts')).toContain("'email given up'");
    expect(source('functions/sweeper.ts')).toContain("log.info('sweep finished'");
    expect(source('shared/roster/recordMailEvents.ts')).toContain("log.error('email address stopped'");
  });

  describe.each(['text', 'json'] as const)("in Lambda's %s log format", (format) => {
    it.each(counted)('%s counts the line %s, and no other line', (pattern, name, level) => {
      const line = lines[name]();
      expect(line.level).toBe(level);
      expect(matchesEvent(LOG_PATTERNS[pattern], lambdaEvents(line.level, line.line)[format])).toBe(true);
      for (const [otherName, other] of Object.entries(lines).filter(([n]) => n !== name)) {
        const { level: otherLevel, line: otherLine } = other();
        expect({
          otherName,
          matches: matchesEvent(LOG_PATTERNS[pattern], lambdaEvents(otherLevel, otherLine)[format]),
        }).toEqual({
          otherName,
          matches: false,
        });
      }
    });
  });
});

describe('infra/app.ts', () => {
  function runApp(context: Record<string, unknown>, env: Record<string, string | undefined>) {
    const outdir = mkdtempSync(path.join(tmpdir(), 'baosong-cdk-'));
    try {
      const { CDK_DEFAULT_ACCOUNT: _a, CDK_DEFAULT_REGION: _r, ...rest } = process.env;
      const result = spawnSync(path.join(repoRoot, 'node_modules', '.bin', 'tsx'), ['infra/app.ts'], {
        cwd: repoRoot,
        encoding: 'utf8',
        env: {
          ...rest,
          ...env,
          CDK_OUTDIR: outdir,
          CDK_CONTEXT_JSON: JSON.stringify({ ...cdkContext, 'aws:cdk:bundling-stacks': [], ...context }),
        },
      });
      const manifest =
        result.status === 0
          ? (JSON.parse(readFileSync(path.join(outdir, 'manifest.json'), 'utf8')) as {
              artifacts: Record<string, { type: string; dependencies?: string[] }>;
            })
          : undefined;
      return { ...result, manifest };
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  }

  it("builds the county's data and app stacks, the app after the data, and passes cdk-nag", () => {
    const result = runApp({ 'baosong:countyId': 'xian', 'baosong:sender': 'baosong@xian.example.gov.cn' }, {});
    expect({ status: result.status, stderr: result.status === 0 ? '' : result.stderr }).toEqual({
      status: 0,
      stderr: '',
    });
    const stacks = Object.entries(result.manifest!.artifacts).filter(([, a]) => a.type === 'aws:cloudformation:stack');
    expect(stacks.map(([name]) => name).sort()).toEqual(['Baosong-xian-app', 'Baosong-xian-data']);
    expect(stacks.find(([name]) => name === 'Baosong-xian-app')![1].dependencies).toContain('Baosong-xian-data');
  }, 120_000);

  it('refuses to deploy the demo county to an account', () => {
    const result = runApp({}, { CDK_DEFAULT_ACCOUNT: '123456789012', CDK_DEFAULT_REGION: 'ap-southeast-1' });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('Refusing to deploy the demo county');
  }, 120_000);
});
