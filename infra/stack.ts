// Everything one baosong deployment owns: the table, the bucket of the pieces' uploaded originals, the link-signing
// key, the HTTP API with one function per handler of shared/web/routes.ts, and one scheduled function per timed job
// there (the sweeper that finishes unsent email every minute, the daily reminders to editors).
import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps, TimeZone, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as targets from 'aws-cdk-lib/aws-scheduler-targets';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { createTableInput, TTL_ATTRIBUTE } from '../shared/store/tableDefinition';
import { DEFAULT_PATH, type HandlerName, handlers, jobs, type Route, routes } from '../shared/web/routes';
import { BaosongFunction, type BaosongFunctionProps } from './baosongFunction';

/** Operators' tools find the table name and API URL in this stack's outputs. */
export const STACK_NAME = 'Baosong';

type JobName = keyof typeof jobs;
type SharedFunctionProps = Pick<
  BaosongFunctionProps,
  'table' | 'filesBucket' | 'signingKey' | 'sender' | 'environment'
>;

interface JobSettings {
  /** What the job does, for the function's description. */
  description: string;
  scheduleDescription: string;
  timeout: Duration;
  /** How long a run is still worth starting, for the schedule's delivery and Lambda's async queue alike. */
  maxEventAge: Duration;
  /** Lambda's retries of a run that throws (the schedule retries a failed delivery twice regardless). */
  runRetries: number;
}

/** How each timed job runs on AWS: deployment choices, so they live here rather than in the shared route table. */
const jobSettings: Record<JobName, JobSettings> = {
  sweeper: {
    description: 'sends email left in the outbox',
    scheduleDescription: 'Every minute: send notifications a request could not send at once',
    // Pacing sends under the SES rate can take longer than a request, but stays under the one-minute tick so runs
    // do not pile up.
    timeout: Duration.seconds(50),
    // A later tick does the same work: an old or failed run is only worth a dead letter, not a retry that would
    // overlap the next tick.
    maxEventAge: Duration.minutes(5),
    runRetries: 0,
  },
  reminders: {
    description: 'reminds editors of pieces waiting for a decision',
    scheduleDescription: 'Daily at 09:00 China time: remind editors of pieces waiting for a decision',
    // One run a day that may page through many waiting pieces and send as it goes; nothing else overlaps it.
    timeout: Duration.minutes(5),
    // Reminders are keyed by piece and day, so a retried run reminds once; still worth sending within the hour.
    maxEventAge: Duration.hours(1),
    runRetries: 2,
  },
  quarterly: {
    description: 'sends the quarterly 重点调研 status to leaders and editors, once per recipient, paced',
    scheduleDescription: 'Quarterly on the 1st at 09:00 China time: the research tasks of the quarter before',
    // A few dozen recipients; the same mail run as the 通报 (sent marks, resumable).
    timeout: Duration.minutes(5),
    maxEventAge: Duration.hours(6),
    runRetries: 2,
  },
  bulletin: {
    description: 'sends the monthly 通报 (组工信息工作通报), once per recipient, paced',
    scheduleDescription: 'Monthly on the 1st at 09:00 China time: the 通报 of the month before',
    // Paced at 10 messages a second, a few hundred recipients take a minute; a rerun resumes where one stopped.
    timeout: Duration.minutes(10),
    // Per-recipient sent marks make a retried run send only what is missing: worth retrying for a day.
    maxEventAge: Duration.hours(6),
    runRetries: 2,
  },
};

export interface BaosongStackProps extends StackProps {
  countyId: string;
  /** SES identity (email address) every email is sent from. */
  sender: string;
  /** The display name beside the address; unset, 县委组织部信息科. */
  senderName?: string;
  /** Who to ask (office, phone), on every email and page; unset, 县委组织部信息科. */
  contact?: string;
  /** Base of links in emails and pages (a custom domain); defaults to the HTTP API's own endpoint. */
  publicUrl?: string;
  /** Days an editor's review link stays valid; unset, the functions' default (shared/core/config.ts) applies. */
  reviewLinkDays?: number;
  /** Days a piece may wait for a decision before the daily reminder; unset, the functions' default applies. */
  reminderAfterDays?: number;
  /** Who is told when something needs a person: a function failing, a job dead-lettered, an email given up. */
  alarmEmail?: string;
  /** When the 月通报 goes (a Scheduler cron in China time); unset, the 1st of each month at 09:00. */
  bulletinSchedule?: string;
  /** The 通报's yearly target of pieces and monthly target of 调研文稿; who gets it; its pace (messages a second). */
  yearlyTarget?: number;
  monthlyResearchTarget?: number;
  bulletinRecipients?: string;
  bulletinRate?: number;
}

export class BaosongStack extends Stack {
  readonly table: dynamodb.Table;
  readonly filesBucket: s3.Bucket;
  readonly signingKey: secretsmanager.Secret;
  readonly httpApi: apigw.HttpApi;
  readonly functions: Record<HandlerName | JobName, BaosongFunction>;
  readonly alarms: sns.Topic;
  private readonly deadLetterQueues: sqs.Queue[] = [];

  constructor(scope: Construct, id: string, props: BaosongStackProps) {
    super(scope, id, props);

    this.table = tableFromDefinition(this, 'Table');
    this.filesBucket = filesBucketWithAccessLogs(this);

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

    const publicUrl = props.publicUrl ?? this.httpApi.apiEndpoint;
    const environment: Record<string, string> = {
      TABLE_NAME: this.table.tableName,
      FILES_BUCKET: this.filesBucket.bucketName,
      COUNTY_ID: props.countyId,
      PUBLIC_URL: publicUrl,
      SENDER: props.sender,
      ...(props.senderName ? { SENDER_NAME: props.senderName } : {}),
      ...(props.contact ? { CONTACT: props.contact } : {}),
      SIGNING_KEY_SECRET_ARN: this.signingKey.secretArn,
      ...days('REVIEW_LINK_DAYS', props.reviewLinkDays),
      ...days('REMINDER_AFTER_DAYS', props.reminderAfterDays),
      ...days('BULLETIN_YEARLY_TARGET', props.yearlyTarget),
      ...days('BULLETIN_RESEARCH_TARGET', props.monthlyResearchTarget),
      ...days('BULLETIN_RATE', props.bulletinRate),
      ...(props.bulletinRecipients ? { BULLETIN_RECIPIENTS: props.bulletinRecipients } : {}),
    };
    const shared: SharedFunctionProps = {
      table: this.table,
      filesBucket: this.filesBucket,
      signingKey: this.signingKey,
      sender: props.sender,
      environment,
    };

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
      if (route.path === DEFAULT_PATH) {
        // Whatever no other route matches: our Chinese 404 instead of API Gateway's English one.
        new apigw.HttpRoute(this.httpApi, 'DefaultRoute', {
          httpApi: this.httpApi,
          routeKey: apigw.HttpRouteKey.DEFAULT,
          integration: integrationFor(route.handler),
        });
        continue;
      }
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

    const jobFunctions = Object.fromEntries(
      (Object.entries(jobs) as [JobName, (typeof jobs)[JobName]][]).map(([name, spec]) => [
        name,
        this.scheduleJob(
          name,
          name === 'bulletin' && props.bulletinSchedule
            ? ({ ...spec, schedule: props.bulletinSchedule } as typeof spec)
            : spec,
          shared,
        ),
      ]),
    ) as Record<JobName, BaosongFunction>;
    this.functions = { ...handlerFunctions, ...jobFunctions };
    this.alarms = this.alarmTopic(props.alarmEmail);
    this.watch();

    new CfnOutput(this, 'ApiUrl', { value: this.httpApi.apiEndpoint });
    new CfnOutput(this, 'PublicUrl', { value: publicUrl });
    new CfnOutput(this, 'TableName', { value: this.table.tableName });
    new CfnOutput(this, 'FilesBucketName', { value: this.filesBucket.bucketName });
    new CfnOutput(this, 'SecretArn', { value: this.signingKey.secretArn });
  }

  /** The topic alarms go to; `alarmEmail` (a deploy-time setting) subscribes an operator's address. */
  private alarmTopic(alarmEmail: string | undefined): sns.Topic {
    const topic = new sns.Topic(this, 'Alarms', { displayName: 'baosong alarms', enforceSSL: true });
    if (alarmEmail) topic.addSubscription(new subscriptions.EmailSubscription(alarmEmail));
    new CfnOutput(this, 'AlarmTopicArn', { value: topic.topicArn });
    return topic;
  }

  /**
   * Alarms for what needs a person: any function failing, any timed job run dead-lettered, any email the outbox
   * gave up (SES refused it for good or it failed ten times; `npm run admin -- outbox failed` lists them).
   */
  private watch(): void {
    const notify = (alarm: cloudwatch.Alarm) => alarm.addAlarmAction(new cwActions.SnsAction(this.alarms));
    for (const [name, fn] of Object.entries(this.functions)) {
      notify(
        fn.function
          .metricErrors({ period: Duration.minutes(5), statistic: 'Sum' })
          .createAlarm(this, `${pascal(name)}Errors`, {
            alarmDescription: `baosong ${name}: the function failed (see its log group)`,
            threshold: 1,
            evaluationPeriods: 1,
            treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
          }),
      );
      if (specsSendEmail(name)) {
        new logs.MetricFilter(this, `${pascal(name)}EmailsGivenUp`, {
          logGroup: fn.logGroup,
          filterPattern: logs.FilterPattern.stringValue('$.message', '=', 'email given up'),
          metricNamespace: ALARM_METRIC_NAMESPACE,
          metricName: 'EmailsGivenUp',
          metricValue: '1',
          defaultValue: 0,
        });
      }
    }
    notify(
      new cloudwatch.Metric({
        namespace: ALARM_METRIC_NAMESPACE,
        metricName: 'EmailsGivenUp',
        period: Duration.minutes(5),
        statistic: 'Sum',
      }).createAlarm(this, 'EmailsGivenUp', {
        alarmDescription: 'baosong: an email was given up (npm run admin -- outbox failed lists it)',
        threshold: 1,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
    );
    for (const queue of this.deadLetterQueues) {
      notify(
        queue
          .metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' })
          .createAlarm(this, `${queue.node.id}NotEmpty`, {
            alarmDescription: `baosong: a timed job run was dead-lettered (${queue.node.id})`,
            threshold: 1,
            evaluationPeriods: 1,
            treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
          }),
      );
    }
  }

  /**
   * One timed job of shared/web/routes.ts: its function, and an EventBridge Scheduler schedule on China time that
   * invokes it with `{ job, scheduledTime }` (the run's idempotency key). A run that cannot be delivered, or that
   * fails after Lambda's retries, lands in the job's dead-letter queue. Construct ids are derived from the job name
   * (`SweeperFunction`, `SweeperSchedule`, ...), so a deployed job keeps its resources.
   */
  private scheduleJob(name: JobName, spec: (typeof jobs)[JobName], shared: SharedFunctionProps): BaosongFunction {
    const settings = jobSettings[name];
    const id = pascal(name);
    const job = new BaosongFunction(this, `${id}Function`, {
      ...shared,
      spec,
      description: `baosong ${name}: ${settings.description}`,
      timeout: settings.timeout,
    });

    const deadLetters = new sqs.Queue(this, `${id}DeadLetters`, {
      enforceSSL: true,
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      retentionPeriod: Duration.days(14),
    });
    this.deadLetterQueues.push(deadLetters);
    Validations.of(deadLetters).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        `This queue is itself the dead-letter queue of the ${name} job (its schedule and its failed runs); a ` +
        'queue behind it would only hold the same failed invocations again.',
    });

    // Scheduler invokes Lambda asynchronously: its retry policy and dead-letter queue cover delivery only, so a
    // run that throws is retried (or not) and dead-lettered by Lambda's own async settings.
    job.function.configureAsyncInvoke({
      retryAttempts: settings.runRetries,
      maxEventAge: settings.maxEventAge,
      onFailure: new destinations.SqsDestination(deadLetters),
    });

    // An own role, rather than the one CDK would make under a hashed id, so its grant can be acknowledged by
    // reference; like CDK's, only this account's default schedule group may assume it (confused deputy). One role
    // per job: each schedule may invoke its own function only.
    const role = new iam.Role(this, `${id}ScheduleRole`, {
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
    new scheduler.Schedule(this, `${id}Schedule`, {
      description: settings.scheduleDescription,
      // Cron fields are read in China time, as the bulletins and office hours are; rates ignore the zone.
      schedule: scheduler.ScheduleExpression.expression(spec.schedule, TimeZone.ASIA_SHANGHAI),
      target: new targets.LambdaInvoke(job.function, {
        // The scheduled time is the run's idempotency key.
        input: scheduler.ScheduleTargetInput.fromObject({
          job: name,
          scheduledTime: scheduler.ContextAttribute.scheduledTime,
        }),
        retryAttempts: 2,
        maxEventAge: settings.maxEventAge,
        deadLetterQueue: deadLetters,
        role,
      }),
    });

    const cfnFunction = job.function.node.defaultChild as lambda.CfnFunction;
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${this.resolve(this.getLogicalId(cfnFunction))}.Arn>:*]`,
      reason:
        `The scheduler's role may invoke the ${name} function and its versions/aliases (CDK grantInvoke); ` +
        'the wildcard covers only qualifiers of that one function.',
    });
    return job;
  }
}

/** Alarm names, one per thing a person must look at. */
export const ALARM_METRIC_NAMESPACE = 'baosong';

/** The CDK table built from shared/store/tableDefinition.ts, the same definition local creation (dynalite) uses. */
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
    // Claims, throttle markers and link requests carry their end; DynamoDB deletes them some time after.
    timeToLiveAttribute: TTL_ATTRIBUTE,
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

/** Where the files bucket's server access logs go in the access-log bucket. */
const FILES_ACCESS_LOG_PREFIX = 'files/';

/**
 * The bucket of the pieces' uploaded originals (.docx, .pdf, images), and a bucket of its own for its server access
 * logs: who fetched or wrote which original, kept apart so the functions' grants never reach the record of them.
 */
function filesBucketWithAccessLogs(scope: Construct): s3.Bucket {
  const accessLogs = new s3.Bucket(scope, 'FilesAccessLogs', {
    // S3 delivers server access logs only to a bucket encrypted with S3-managed keys.
    encryption: s3.BucketEncryption.S3_MANAGED,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    enforceSSL: true,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    removalPolicy: RemovalPolicy.RETAIN,
    // Half a year, as the functions' and the API's logs: a bulletin quarter and the questions that follow it.
    lifecycleRules: [{ id: 'ExpireAccessLogs', expiration: Duration.days(180) }],
  });
  // No access logs of its own (they would need yet another bucket): cdk-nag's AwsSolutions-S1 already passes a
  // bucket that is another bucket's log target, so there is no finding to acknowledge.

  const files = new s3.Bucket(scope, 'FilesBucket', {
    // S3-managed keys: the objects are reached only through this stack's function roles (no public access, no
    // other grants), so a customer-managed KMS key would add a key policy, per-request KMS calls and kms grants
    // beside each function's route-table actions, without keeping out anyone who could not grant themselves both.
    encryption: s3.BucketEncryption.S3_MANAGED,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    enforceSSL: true,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    // A DeleteObject (the functions have no version actions) only hides an original behind a delete marker, so a
    // mistaken or malicious delete can be undone.
    versioned: true,
    // The originals outlive the stack, as the table that names them does.
    removalPolicy: RemovalPolicy.RETAIN,
    autoDeleteObjects: false,
    lifecycleRules: [
      {
        id: 'TidyUploads',
        // The code puts each file whole; a multipart upload left incomplete (a tool's, or a future change's) is dead
        // long before this, since no Lambda runs for more than 15 minutes.
        abortIncompleteMultipartUploadAfter: Duration.days(3),
        // Keys are never overwritten (one per upload), so old versions are deleted files: the sweeper's orphan
        // uploads and any mistaken delete. A quarter is long enough to notice and restore a wrong delete; after it
        // the orphans stop costing.
        noncurrentVersionExpiration: Duration.days(90),
        // The delete markers left once their versions have expired.
        expiredObjectDeleteMarker: true,
      },
    ],
  });

  // Delivered under the bucket policy below (rather than the legacy LogDeliveryWrite ACL CDK uses without the
  // serverAccessLogsUseBucketPolicy flag), so both buckets keep ACLs disabled.
  (files.node.defaultChild as s3.CfnBucket).loggingConfiguration = {
    destinationBucketName: accessLogs.bucketName,
    logFilePrefix: FILES_ACCESS_LOG_PREFIX,
  };
  accessLogs.addToResourcePolicy(
    new iam.PolicyStatement({
      principals: [new iam.ServicePrincipal('logging.s3.amazonaws.com')],
      actions: ['s3:PutObject'],
      resources: [accessLogs.arnForObjects(`${FILES_ACCESS_LOG_PREFIX}*`)],
      // Only the files bucket's logs, from this account (confused deputy).
      conditions: {
        ArnLike: { 'aws:SourceArn': files.bucketArn },
        StringEquals: { 'aws:SourceAccount': Stack.of(scope).account },
      },
    }),
  );
  return files;
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

/** An optional count (days, a target, a rate) as an environment variable, checked as shared/core/config.ts reads it. */
function days(variable: string, value: number | undefined): Record<string, string> {
  if (value === undefined) return {};
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${variable} must be a positive number, got ${value}`);
  return { [variable]: String(value) };
}

function specsSendEmail(name: string): boolean {
  return ({ ...handlers, ...jobs } as Record<string, { email: boolean }>)[name]?.email ?? false;
}

function pascal(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}
