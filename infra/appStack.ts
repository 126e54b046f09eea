// What runs a county's baosong, in a stack that can be destroyed and deployed again onto the same data
// (infra/dataStack.ts): the HTTP API (a few path-family routes, optionally on the county's own domain), one function
// per audience from shared/web/routes.ts, one scheduled function per timed job, the function that records SES's
// bounces and complaints, and the alarms that tell a person when something needs them.
import { Annotations, CfnOutput, Duration, Stack, type StackProps, TimeZone, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import { SnsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as targets from 'aws-cdk-lib/aws-scheduler-targets';
import * as ses from 'aws-cdk-lib/aws-ses';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { apiRoutes, DEFAULT_PATH, eventHandlers, functionSpec, httpFunctions, jobs } from '../shared/web/routes';
import { BaosongFunction, type DataRefs, filesBucketName, LOG_RETENTION, type MailTransport } from './baosongFunction';
import { type FunctionName, type JobName, specOf } from './functionBuild';

type HttpFunctionName = keyof typeof httpFunctions;
type SharedFunctionProps = Pick<
  ConstructorParameters<typeof BaosongFunction>[2],
  'countyId' | 'data' | 'mail' | 'environment'
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

/** How mail leaves, as the app stack is told: SES (with its configuration set) or an SMTP server. */
export type MailSettings =
  | { kind: 'ses'; sender: string; configurationSet: string }
  | { kind: 'smtp'; sender: string; host: string; port?: number; secure?: boolean };

export interface BaosongAppStackProps extends StackProps {
  countyId: string;
  /** The data stack's table, bucket and keys (or a restored table, by name: README's restore drill). */
  data: Omit<DataRefs, 'filesBucket'>;
  /** A table restored from the data stack's (point-in-time restore makes a new one), used instead of it. */
  restoredTableName?: string;
  mail: MailSettings;
  /** The display name beside the address; unset, 县委组织部信息科. */
  senderName?: string;
  /** Who to ask (office, phone), on every email and page; unset, 县委组织部信息科. */
  contact?: string;
  /** `full` (unset): emails carry the pieces' text; `link`: they say what happened and link to the page, no work text. */
  emailFullText?: 'full' | 'link';
  /** The county's own domain for the links (with an ACM certificate of it in this region). */
  domain?: { name: string; certificateArn: string };
  /** Base of links in emails and pages; unset, https://<domain> or else the HTTP API's own endpoint. */
  publicUrl?: string;
  /** Days an editor's review link stays valid; unset, the functions' default (shared/core/config.ts) applies. */
  reviewLinkDays?: number;
  /** Days a piece may wait for a decision before the daily reminder; unset, the functions' default applies. */
  reminderAfterDays?: number;
  /** Who is told when something needs a person; without it the alarms go to a topic nobody reads (a warning). */
  alarmEmail?: string;
  /** When the 月通报 goes (a Scheduler cron in China time); unset, the 1st of each month at 09:00. */
  bulletinSchedule?: string;
  /** The 通报's yearly target of pieces and monthly target of 调研文稿; who gets it; its pace (messages a second). */
  yearlyTarget?: number;
  monthlyResearchTarget?: number;
  bulletinRecipients?: string;
  bulletinRate?: number;
}

/** The metric namespace of the alarms that come from log lines. */
export const ALARM_METRIC_NAMESPACE = 'baosong';

/**
 * Log lines the alarms count, as the functions write them (shared/core/log.ts: one JSON line each, which Lambda's
 * text format puts after a timestamp, request id and level). A quoted term matches a line that contains it, in the
 * text format and in Lambda's JSON format alike; a JSON pattern (`{ $.message = … }`) would match neither.
 */
export const LOG_PATTERNS = {
  emailGivenUp: '"email given up"',
  sweepFinished: '"sweep finished"',
  addressStopped: '"email address stopped"',
} as const;

export class BaosongAppStack extends Stack {
  readonly httpApi: apigw.HttpApi;
  readonly functions: Record<FunctionName, BaosongFunction>;
  readonly alarms: sns.Topic;
  readonly mailEvents?: sns.Topic;
  private readonly deadLetterQueues: sqs.Queue[] = [];

  constructor(scope: Construct, id: string, props: BaosongAppStackProps) {
    super(scope, id, props);
    const filesBucket = s3.Bucket.fromBucketName(this, 'FilesBucket', filesBucketName(props.countyId, this.account));
    const data: DataRefs = {
      ...props.data,
      filesBucket,
      ...(props.restoredTableName
        ? {
            tableName: props.restoredTableName,
            tableArn: this.formatArn({
              service: 'dynamodb',
              resource: 'table',
              resourceName: props.restoredTableName,
            }),
          }
        : {}),
    };

    this.httpApi = new apigw.HttpApi(this, 'HttpApi', {
      description: `baosong ${props.countyId}: submission, review, desk and link pages`,
      // Created below, with throttling and access logs.
      createDefaultStage: false,
      // With the county's domain, links use it only: the API's own address answers nothing.
      disableExecuteApiEndpoint: props.domain !== undefined,
    });
    const accessLogs = new logs.LogGroup(this, 'ApiAccessLogs', { retention: LOG_RETENTION });
    const stage = new apigw.HttpStage(this, 'DefaultStage', {
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

    // With the county's domain the API's own address is switched off: links name the domain only.
    const publicUrl = props.publicUrl ?? (props.domain ? `https://${props.domain.name}` : this.httpApi.apiEndpoint);
    if (props.domain) {
      const domainName = new apigw.DomainName(this, 'Domain', {
        domainName: props.domain.name,
        certificate: acm.Certificate.fromCertificateArn(this, 'Certificate', props.domain.certificateArn),
      });
      new apigw.ApiMapping(this, 'DomainMapping', { api: this.httpApi, domainName, stage });
      new CfnOutput(this, 'DomainTarget', {
        description: `CNAME ${props.domain.name} to this name in the county's DNS`,
        value: domainName.regionalDomainName,
      });
    }

    const mail: MailTransport =
      props.mail.kind === 'ses'
        ? { kind: 'ses', sender: props.mail.sender, configurationSet: props.mail.configurationSet }
        : { kind: 'smtp' };
    const environment: Record<string, string> = {
      TABLE_NAME: data.tableName,
      FILES_BUCKET: data.filesBucket.bucketName,
      COUNTY_ID: props.countyId,
      PUBLIC_URL: publicUrl,
      SENDER: props.mail.sender,
      ...(props.senderName ? { SENDER_NAME: props.senderName } : {}),
      ...(props.contact ? { CONTACT: props.contact } : {}),
      ...(props.emailFullText ? { EMAIL_FULL_TEXT: props.emailFullText } : {}),
      SIGNING_KEY_SECRET_ARN: data.signingKey.secretArn,
      ...mailEnvironment(props.mail, data),
      ...days('REVIEW_LINK_DAYS', props.reviewLinkDays),
      ...days('REMINDER_AFTER_DAYS', props.reminderAfterDays),
      ...days('BULLETIN_YEARLY_TARGET', props.yearlyTarget),
      ...days('BULLETIN_RESEARCH_TARGET', props.monthlyResearchTarget),
      ...days('BULLETIN_RATE', props.bulletinRate),
      ...(props.bulletinRecipients ? { BULLETIN_RECIPIENTS: props.bulletinRecipients } : {}),
    };
    const shared: SharedFunctionProps = { countyId: props.countyId, data, mail, environment };

    const httpFunctionsBuilt = Object.fromEntries(
      (Object.keys(httpFunctions) as HttpFunctionName[]).map((name) => [
        name,
        new BaosongFunction(this, `${pascal(name)}Function`, {
          ...shared,
          name,
          spec: functionSpec(name),
          environment: { ...environment, BAOSONG_FUNCTION: name },
          description: `baosong ${props.countyId} ${name}: ${httpFunctions[name].description}`,
        }),
      ]),
    ) as Record<HttpFunctionName, BaosongFunction>;

    // One integration, and so one invoke permission, per function (not per route).
    const integrations = new Map<HttpFunctionName, HttpLambdaIntegration>();
    const integrationFor = (name: HttpFunctionName): HttpLambdaIntegration => {
      let integration = integrations.get(name);
      if (!integration) {
        integration = new HttpLambdaIntegration(`${pascal(name)}Integration`, httpFunctionsBuilt[name].function, {
          scopePermissionToRoute: false,
        });
        integrations.set(name, integration);
      }
      return integration;
    };
    for (const route of apiRoutes) {
      if (route.path === DEFAULT_PATH) {
        // Whatever no other route matches: the public function's router answers it (a page, a 405 or the 404).
        new apigw.HttpRoute(this.httpApi, 'DefaultRoute', {
          httpApi: this.httpApi,
          routeKey: apigw.HttpRouteKey.DEFAULT,
          integration: integrationFor(route.fn),
        });
        continue;
      }
      this.httpApi.addRoutes({
        path: route.path,
        methods: [route.method === 'POST' ? apigw.HttpMethod.POST : apigw.HttpMethod.ANY],
        integration: integrationFor(route.fn),
      });
    }
    Validations.of(this.httpApi).acknowledge({
      id: 'AwsSolutions-APIG4',
      reason:
        'The API is public by design: informants and editors are authenticated inside the handlers by ' +
        'HMAC-signed personal links and desk sessions, not by an API Gateway authorizer.',
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

    const mailEventsFunction = new BaosongFunction(this, 'MailEventsFunction', {
      ...shared,
      name: 'mailEvents',
      spec: eventHandlers.mailEvents,
      description: `baosong ${props.countyId}: records SES bounces and complaints on the person (退信 / 投诉)`,
    });
    if (props.mail.kind === 'ses') this.mailEvents = this.bounceEvents(props.mail.configurationSet, mailEventsFunction);

    this.functions = { ...httpFunctionsBuilt, ...jobFunctions, mailEvents: mailEventsFunction };
    this.alarms = this.alarmTopic(props.alarmEmail);
    this.watch();

    if (!props.domain) new CfnOutput(this, 'ApiUrl', { value: this.httpApi.apiEndpoint });
    new CfnOutput(this, 'PublicUrl', { value: publicUrl });
    new CfnOutput(this, 'TableName', { value: data.tableName });
  }

  /**
   * SES's bounce and complaint events of the configuration set, through an SNS topic, to the function that records
   * them on the person. A record it cannot store is retried by Lambda, then kept in a dead-letter queue.
   */
  private bounceEvents(configurationSet: string, fn: BaosongFunction): sns.Topic {
    const topic = new sns.Topic(this, 'MailEvents', { displayName: 'baosong mail events', enforceSSL: true });
    new ses.ConfigurationSetEventDestination(this, 'MailEventsDestination', {
      configurationSet: ses.ConfigurationSet.fromConfigurationSetName(this, 'ConfigurationSet', configurationSet),
      destination: ses.EventDestination.snsTopic(topic),
      events: [ses.EmailSendingEvent.BOUNCE, ses.EmailSendingEvent.COMPLAINT],
    });
    const deadLetters = this.deadLetterQueue('MailEventsDeadLetters', 'mail events');
    // SNS delivers to Lambda asynchronously: its redrive queue takes what it cannot deliver, Lambda's on-failure
    // destination what the function failed to store after its retries (a store outage). Both land in one queue.
    fn.function.addEventSource(new SnsEventSource(topic, { deadLetterQueue: deadLetters }));
    fn.function.configureAsyncInvoke({ retryAttempts: 2, onFailure: new destinations.SqsDestination(deadLetters) });
    return topic;
  }

  private deadLetterQueue(id: string, what: string): sqs.Queue {
    const queue = new sqs.Queue(this, id, {
      enforceSSL: true,
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      retentionPeriod: Duration.days(14),
    });
    this.deadLetterQueues.push(queue);
    Validations.of(queue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        `This queue is itself the dead-letter queue of the ${what}; a queue behind it would only hold the same ` +
        'failed deliveries again.',
    });
    return queue;
  }

  /** The topic alarms go to; `alarmEmail` (a deploy-time setting) subscribes an operator's address. */
  private alarmTopic(alarmEmail: string | undefined): sns.Topic {
    const topic = new sns.Topic(this, 'Alarms', { displayName: 'baosong alarms', enforceSSL: true });
    if (alarmEmail) {
      topic.addSubscription(new subscriptions.EmailSubscription(alarmEmail));
    } else {
      Annotations.of(this).addWarningV2(
        'baosong:noAlarmEmail',
        'No baosong:alarmEmail: the alarms go to an SNS topic nobody is subscribed to, so no person learns of a ' +
          'failure. Deploy with -c baosong:alarmEmail=ADDRESS.',
      );
    }
    new CfnOutput(this, 'AlarmTopicArn', { value: topic.topicArn });
    return topic;
  }

  /**
   * Alarms for what needs a person: the API answering 5xx (every HTTP handler catches its errors and answers 500 or
   * 503, so Lambda's Errors metric never sees them), a function failing (a job's run, a router that cannot load a
   * module), the sweeper not finishing a run for 15 minutes (missing data is breaching: a sweeper that never starts
   * is the failure), an email given up by any function or job, a dead-lettered job run or mail event.
   */
  private watch(): void {
    const notify = (alarm: cloudwatch.Alarm) => alarm.addAlarmAction(new cwActions.SnsAction(this.alarms));
    const once = { threshold: 1, evaluationPeriods: 1, treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING };
    notify(
      this.httpApi.metricServerError({ period: Duration.minutes(5), statistic: 'Sum' }).createAlarm(this, 'Api5xx', {
        alarmDescription: 'baosong: the API answered 5xx (see the functions’ log groups)',
        ...once,
      }),
    );
    for (const [name, fn] of Object.entries(this.functions) as [FunctionName, BaosongFunction][]) {
      notify(
        fn.function
          .metricErrors({ period: Duration.minutes(5), statistic: 'Sum' })
          .createAlarm(this, `${pascal(name)}Errors`, {
            alarmDescription: `baosong ${name}: the function failed (see its log group)`,
            ...once,
          }),
      );
      if (sendsEmail(name)) {
        new logs.MetricFilter(this, `${pascal(name)}EmailsGivenUp`, {
          logGroup: fn.logGroup,
          filterPattern: logs.FilterPattern.literal(LOG_PATTERNS.emailGivenUp),
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
        alarmDescription: 'baosong: an email was given up (the desk and `npm run admin -- outbox failed` list it)',
        ...once,
      }),
    );
    new logs.MetricFilter(this, 'SweeperHeartbeat', {
      logGroup: this.functions.sweeper.logGroup,
      filterPattern: logs.FilterPattern.literal(LOG_PATTERNS.sweepFinished),
      metricNamespace: ALARM_METRIC_NAMESPACE,
      metricName: 'SweeperRuns',
      metricValue: '1',
    });
    notify(
      new cloudwatch.Metric({
        namespace: ALARM_METRIC_NAMESPACE,
        metricName: 'SweeperRuns',
        period: Duration.minutes(15),
        statistic: 'Sum',
      }).createAlarm(this, 'SweeperSilent', {
        alarmDescription: 'baosong: the sweeper has not finished a run in 15 minutes: emails are waiting unsent',
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.BREACHING,
      }),
    );
    // A bounce or complaint stopped mail to someone: the roster needs a corrected address (名单 shows whom).
    new logs.MetricFilter(this, 'AddressesStopped', {
      logGroup: this.functions.mailEvents.logGroup,
      filterPattern: logs.FilterPattern.literal(LOG_PATTERNS.addressStopped),
      metricNamespace: ALARM_METRIC_NAMESPACE,
      metricName: 'AddressesStopped',
      metricValue: '1',
      defaultValue: 0,
    });
    notify(
      new cloudwatch.Metric({
        namespace: ALARM_METRIC_NAMESPACE,
        metricName: 'AddressesStopped',
        period: Duration.minutes(5),
        statistic: 'Sum',
      }).createAlarm(this, 'AddressStopped', {
        alarmDescription: 'baosong: a bounce or complaint stopped mail to an address (the desk’s 名单 shows whom)',
        ...once,
      }),
    );
    for (const queue of this.deadLetterQueues) {
      notify(
        queue
          .metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' })
          .createAlarm(this, `${queue.node.id}NotEmpty`, {
            alarmDescription: `baosong: a run or an event was dead-lettered (${queue.node.id})`,
            ...once,
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
      name,
      spec,
      description: `baosong ${name}: ${settings.description}`,
      timeout: settings.timeout,
    });

    const deadLetters = this.deadLetterQueue(`${id}DeadLetters`, `${name} job (its schedule and its failed runs)`);

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

/** The mail settings the functions read (shared/core/config.ts). */
function mailEnvironment(mail: MailSettings, data: DataRefs): Record<string, string> {
  if (mail.kind === 'ses') return { MAIL_TRANSPORT: 'ses', SES_CONFIGURATION_SET: mail.configurationSet };
  return {
    MAIL_TRANSPORT: 'smtp',
    SMTP_HOST: mail.host,
    ...(mail.port ? { SMTP_PORT: String(mail.port) } : {}),
    ...(mail.secure !== undefined ? { SMTP_SECURE: String(mail.secure) } : {}),
    ...(data.smtpCredentials ? { SMTP_SECRET_ARN: data.smtpCredentials.secretArn } : {}),
  };
}

/** An optional count (days, a target, a rate) as an environment variable, checked as shared/core/config.ts reads it. */
function days(variable: string, value: number | undefined): Record<string, string> {
  if (value === undefined) return {};
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${variable} must be a positive number, got ${value}`);
  return { [variable]: String(value) };
}

/** Whether a function can send mail (and so give one up): an HTTP function's routes, a job's or a handler's line. */
function sendsEmail(name: FunctionName): boolean {
  const spec = specOf(name);
  return spec.email || spec.attachments === true;
}

function pascal(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}
