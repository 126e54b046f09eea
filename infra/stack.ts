// Everything one baosong deployment owns: the table, the link-signing key, the HTTP API with one function per
// handler of shared/routes.ts, and the sweeper that finishes unsent email every minute.
import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps, TimeZone, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as targets from 'aws-cdk-lib/aws-scheduler-targets';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { type HandlerName, handlers, jobs, type Route, routes } from '../shared/routes';
import { createTableInput } from '../shared/tableDefinition';
import { BaosongFunction } from './baosongFunction';

/** Operators' tools find the table name and API URL in this stack's outputs. */
export const STACK_NAME = 'Baosong';

export interface BaosongStackProps extends StackProps {
  countyId: string;
  /** SES identity (email address) every email is sent from. */
  sender: string;
  /** Base of links in emails and pages (a custom domain); defaults to the HTTP API's own endpoint. */
  publicUrl?: string;
}

export class BaosongStack extends Stack {
  readonly table: dynamodb.Table;
  readonly signingKey: secretsmanager.Secret;
  readonly httpApi: apigw.HttpApi;
  readonly functions: Record<HandlerName | keyof typeof jobs, BaosongFunction>;

  constructor(scope: Construct, id: string, props: BaosongStackProps) {
    super(scope, id, props);

    this.table = tableFromDefinition(this, 'Table');

    this.signingKey = new secretsmanager.Secret(this, 'SigningKey', {
      description: 'HMAC key for baosong personal and review links',
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
      // The table outlives the stack, and every link in people's mailboxes is signed with this key.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.signingKey).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        "Rotating the signing key would invalidate every informant's personal link at once; links carry a " +
        'per-informant key version instead, so one person can be revoked without breaking the others.',
    });

    this.httpApi = new apigw.HttpApi(this, 'HttpApi', {
      description: 'baosong submission, review and link pages',
      // Created below, with throttling and access logs.
      createDefaultStage: false,
    });
    const accessLogs = new logs.LogGroup(this, 'ApiAccessLogs', { retention: logs.RetentionDays.SIX_MONTHS });
    new apigw.HttpStage(this, 'DefaultStage', {
      httpApi: this.httpApi,
      stageName: '$default',
      autoDeploy: true,
      // A county has dozens of informants and a few editors: this is far above real use and caps a runaway client.
      throttle: { burstLimit: 50, rateLimit: 20 },
      accessLogSettings: {
        destination: new apigw.LogGroupLogDestination(accessLogs),
        // The route key, not the raw path or query, so signed link tokens never land in the logs.
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            time: '$context.requestTime',
            ip: '$context.identity.sourceIp',
            routeKey: '$context.routeKey',
            status: '$context.status',
            responseLength: '$context.responseLength',
            latencyMs: '$context.responseLatency',
            integrationError: '$context.integrationErrorMessage',
          }),
        ),
      },
    });

    const environment = {
      TABLE_NAME: this.table.tableName,
      COUNTY_ID: props.countyId,
      PUBLIC_URL: props.publicUrl ?? this.httpApi.apiEndpoint,
      SENDER: props.sender,
      SIGNING_KEY_SECRET_ARN: this.signingKey.secretArn,
    };
    const shared = { table: this.table, signingKey: this.signingKey, sender: props.sender, environment };

    const handlerFunctions = Object.fromEntries(
      Object.entries(handlers).map(([name, spec]) => [
        name,
        new BaosongFunction(this, `${pascal(name)}Function`, { ...shared, spec, description: `baosong ${name}` }),
      ]),
    ) as Record<HandlerName, BaosongFunction>;

    const integrations = new Map<HandlerName, HttpLambdaIntegration>();
    const integrationFor = (name: HandlerName): HttpLambdaIntegration => {
      let integration = integrations.get(name);
      if (!integration) {
        integration = new HttpLambdaIntegration(`${pascal(name)}Integration`, handlerFunctions[name].function);
        integrations.set(name, integration);
      }
      return integration;
    };
    for (const route of routes) {
      this.httpApi.addRoutes({
        path: route.path,
        methods: httpMethods(route),
        integration: integrationFor(route.handler),
      });
    }
    Validations.of(this.httpApi).acknowledge({
      id: 'AwsSolutions-APIG4',
      reason:
        'The API is public by design: informants and editors are authenticated inside the handlers by ' +
        'HMAC-signed personal links, not by an API Gateway authorizer.',
    });

    const sweeper = new BaosongFunction(this, 'SweeperFunction', {
      ...shared,
      spec: jobs.sweeper,
      description: 'baosong sweeper: sends email left in the outbox',
      // Pacing sends under the SES rate can take longer than a request, but stays under the one-minute tick
      // so runs do not pile up.
      timeout: Duration.seconds(50),
    });
    this.functions = { ...handlerFunctions, sweeper };

    const sweeperDeadLetters = new sqs.Queue(this, 'SweeperDeadLetters', {
      enforceSSL: true,
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(sweeperDeadLetters).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This queue is itself the dead-letter queue of the sweeper schedule; a queue behind it would only hold ' +
        'the same failed invocations again.',
    });
    // An own role, rather than the one CDK would make under a hashed id, so its grant can be suppressed by
    // reference; like CDK's, only this account's default schedule group may assume it (confused deputy).
    const sweeperScheduleRole = new iam.Role(this, 'SweeperScheduleRole', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: {
          StringEquals: {
            'aws:SourceAccount': this.account,
            'aws:SourceArn': this.formatArn({
              service: 'scheduler',
              resource: 'schedule-group',
              resourceName: 'default',
            }),
          },
        },
      }),
    });
    new scheduler.Schedule(this, 'SweeperSchedule', {
      description: 'Every minute: send notifications a request could not send at once',
      // Rates ignore the zone; it is set so any cron added beside it means China time, as the bulletins do.
      schedule: scheduler.ScheduleExpression.expression(jobs.sweeper.schedule, TimeZone.ASIA_SHANGHAI),
      target: new targets.LambdaInvoke(sweeper.function, {
        // The scheduled time is the run's idempotency key.
        input: scheduler.ScheduleTargetInput.fromObject({
          job: 'sweeper',
          scheduledTime: scheduler.ContextAttribute.scheduledTime,
        }),
        retryAttempts: 2,
        // A later tick does the same work, so an invocation older than a few minutes is only worth a dead letter.
        maxEventAge: Duration.minutes(5),
        deadLetterQueue: sweeperDeadLetters,
        role: sweeperScheduleRole,
      }),
    });

    this.acknowledgeInvokeWildcard(sweeperScheduleRole);

    new CfnOutput(this, 'ApiUrl', { value: this.httpApi.apiEndpoint });
    new CfnOutput(this, 'PublicUrl', { value: environment.PUBLIC_URL });
    new CfnOutput(this, 'TableName', { value: this.table.tableName });
    new CfnOutput(this, 'SecretArn', { value: this.signingKey.secretArn });
  }

  /** The scheduler role's `function:*` wildcard comes from CDK's grantInvoke: acknowledged for that one function. */
  private acknowledgeInvokeWildcard(sweeperScheduleRole: iam.Role): void {
    const sweeperFunction = this.functions.sweeper.function.node.defaultChild as lambda.CfnFunction;
    Validations.of(sweeperScheduleRole).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${this.resolve(this.getLogicalId(sweeperFunction))}.Arn>:*]`,
      reason:
        "The scheduler's role may invoke the sweeper function and its versions/aliases (CDK grantInvoke); " +
        'the wildcard covers only qualifiers of that one function.',
    });
  }
}

/** The CDK table built from shared/tableDefinition.ts, the same definition local creation (dynalite) uses. */
function tableFromDefinition(scope: Construct, id: string): dynamodb.Table {
  const definition = createTableInput('unused');
  const attributeTypes = new Map(
    (definition.AttributeDefinitions ?? []).map((a) => [a.AttributeName, attributeType(a.AttributeType)]),
  );
  const keys = (schema: { AttributeName?: string; KeyType?: string }[] | undefined) => {
    const key = (keyType: string): dynamodb.Attribute | undefined => {
      const name = schema?.find((k) => k.KeyType === keyType)?.AttributeName;
      if (name === undefined) return undefined;
      const type = attributeTypes.get(name);
      if (!type) throw new Error(`Table definition: no attribute definition for key ${name}`);
      return { name, type };
    };
    const partitionKey = key('HASH');
    if (!partitionKey) throw new Error('Table definition: a key schema has no HASH key');
    return { partitionKey, sortKey: key('RANGE') };
  };

  const table = new dynamodb.Table(scope, id, {
    ...keys(definition.KeySchema),
    billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    deletionProtection: true,
    removalPolicy: RemovalPolicy.RETAIN,
  });
  for (const index of definition.GlobalSecondaryIndexes ?? []) {
    if (!index.IndexName) throw new Error('Table definition: an index has no name');
    table.addGlobalSecondaryIndex({
      indexName: index.IndexName,
      ...keys(index.KeySchema),
      projectionType: projectionType(index.Projection?.ProjectionType),
      nonKeyAttributes: index.Projection?.NonKeyAttributes,
    });
  }
  return table;
}

function attributeType(type: string | undefined): dynamodb.AttributeType {
  switch (type) {
    case 'S':
      return dynamodb.AttributeType.STRING;
    case 'N':
      return dynamodb.AttributeType.NUMBER;
    case 'B':
      return dynamodb.AttributeType.BINARY;
    default:
      throw new Error(`Table definition: unknown attribute type ${type}`);
  }
}

function projectionType(type: string | undefined): dynamodb.ProjectionType {
  switch (type) {
    case 'ALL':
    case undefined:
      return dynamodb.ProjectionType.ALL;
    case 'KEYS_ONLY':
      return dynamodb.ProjectionType.KEYS_ONLY;
    case 'INCLUDE':
      return dynamodb.ProjectionType.INCLUDE;
    default:
      throw new Error(`Table definition: unknown projection type ${type}`);
  }
}

/** A GET route also answers HEAD (mail scanners HEAD every link); ANY answers 405 for what a path lacks. */
function httpMethods(route: Route): apigw.HttpMethod[] {
  switch (route.method) {
    case 'GET':
      return [apigw.HttpMethod.GET, apigw.HttpMethod.HEAD];
    case 'POST':
      return [apigw.HttpMethod.POST];
    case 'ANY':
      return [apigw.HttpMethod.ANY];
  }
}

function pascal(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}
