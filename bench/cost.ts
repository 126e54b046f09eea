// Part of `npm run bench`: what one county's baosong costs a month, from the synthesized stacks' own settings — every
// function's memory, every schedule's rate, every alarm, secret and log group in the templates — at one county's load
// (stated below), priced at AWS's public on-demand prices (us-east-1, USD, December 2026; the China regions bill in
// CNY at about the same figures). Context only: no goal; the README quotes the total.
import { Template } from 'aws-cdk-lib/assertions';
import { demoStacks } from './stacks';
import type { BenchPart, Figure } from './types';

/** One county a month: 60 units, 300 pieces a year sent and reviewed, 10 editors and leaders on the desk daily. */
export const LOAD = {
  /** HTTP requests a month: pages, posts, downloads (a desk visit is ~20 requests, an informant's ~5). */
  requests: 30_000,
  /** Average Lambda time of a request, at its function's memory (measured locally at 20-200 ms; cold starts ~0.5 s). */
  requestSeconds: 0.25,
  /** Emails a month: acknowledgments, reviews, reminders, the 通报 to ~400 people, topics and tasks. */
  emails: 2_000,
  /** A sweeper run that finds nothing: one Query, ~60 ms. */
  idleSweepSeconds: 0.1,
  /** DynamoDB request units a month (each request reads a few items, a write ~5 items): measured ~10 per request. */
  readUnits: 300_000,
  writeUnits: 60_000,
  /** Table and files stored after a few years (the originals dominate). */
  tableGb: 1,
  filesGb: 5,
  /** Log volume: one JSON line per request and per sweep, ~300 bytes; access logs alike. */
  logGb: 0.1,
};

/** Public on-demand prices (USD). */
const PRICE = {
  lambdaGbSecondArm: 0.0000133334,
  lambdaRequest: 0.2 / 1e6,
  httpApiRequest: 1.0 / 1e6,
  ddbRead: 0.125 / 1e6,
  ddbWrite: 0.625 / 1e6,
  ddbStorageGb: 0.25,
  ddbPitrGb: 0.2,
  s3Gb: 0.023,
  sesEmail: 0.1 / 1000,
  secret: 0.4,
  alarm: 0.1,
  logIngestGb: 0.5,
  logStoreGb: 0.03,
  schedulerInvocation: 1.0 / 1e6,
};

const MINUTES_A_MONTH = 30 * 24 * 60;

/** Invocations a month of a Scheduler expression: `rate(1 minute)`, or a cron (daily, monthly, quarterly). */
function perMonth(expression: string): number {
  const rate = /^rate\((\d+) minutes?\)$/.exec(expression);
  if (rate) return MINUTES_A_MONTH / Number(rate[1]);
  const cron = /^cron\((\S+) (\S+) (\S+) (\S+) (\S+) (\S+)\)$/.exec(expression);
  if (!cron) throw new Error(`unknown schedule ${expression}`);
  const [, , , day, month] = cron;
  if (day === '*' || day === '?') return 30;
  return month === '*' ? 1 : month!.split(',').length / 12;
}

export function monthlyCost(): { total: number; lines: [string, number][] } {
  const { data, app: appStack } = demoStacks('Cost', { alarmEmail: 'ops@example.com' });
  const templates = [Template.fromStack(data), Template.fromStack(appStack)];
  const all = (type: string) => templates.flatMap((t) => Object.values(t.findResources(type)));
  const functions = all('AWS::Lambda::Function') as { Properties: { MemorySize: number; Description?: string } }[];
  const schedules = all('AWS::Scheduler::Schedule') as {
    Properties: { ScheduleExpression: string; Description?: string };
  }[];

  // Requests run on the HTTP functions; their memory is the average of theirs (the 1024 MB one takes few requests).
  const httpMemoryGb =
    functions
      .filter((f) => /public|review|desk|documents/.test(f.Properties.Description ?? ''))
      .reduce((gb, f, _i, list) => gb + f.Properties.MemorySize / 1024 / list.length, 0) || 0.5;
  const jobRuns = schedules.map((s) => perMonth(s.Properties.ScheduleExpression));
  const runs = jobRuns.reduce((a, b) => a + b, 0);
  const lines: [string, number][] = [
    ['API Gateway HTTP API requests', LOAD.requests * PRICE.httpApiRequest],
    [
      'Lambda (requests + timed jobs, arm64)',
      (LOAD.requests + runs) * PRICE.lambdaRequest +
        (LOAD.requests * LOAD.requestSeconds * httpMemoryGb + runs * LOAD.idleSweepSeconds * 0.5) *
          PRICE.lambdaGbSecondArm,
    ],
    ['EventBridge Scheduler invocations', runs * PRICE.schedulerInvocation],
    [
      'DynamoDB on demand (requests, storage, PITR)',
      LOAD.readUnits * PRICE.ddbRead +
        (LOAD.writeUnits + runs) * PRICE.ddbWrite +
        LOAD.tableGb * (PRICE.ddbStorageGb + PRICE.ddbPitrGb),
    ],
    ['S3 (originals, versioned)', LOAD.filesGb * PRICE.s3Gb],
    ['SES', LOAD.emails * PRICE.sesEmail],
    ['Secrets Manager', all('AWS::SecretsManager::Secret').length * PRICE.secret],
    ['CloudWatch alarms', all('AWS::CloudWatch::Alarm').length * PRICE.alarm],
    ['CloudWatch Logs (13 months kept, steady state)', LOAD.logGb * (PRICE.logIngestGb + 13 * PRICE.logStoreGb)],
  ];
  return { total: lines.reduce((n, [, usd]) => n + usd, 0), lines };
}

export const costFigures: BenchPart = async () => {
  const { total, lines } = monthlyCost();
  const figures: Figure[] = lines.map(([name, usd]) => ({
    group: 'monthly cost',
    name,
    value: Math.round(usd * 100) / 100,
    unit: 'USD',
    goal: 'context only',
    pass: null,
  }));
  figures.push({
    group: 'monthly cost',
    name: 'one county, a month',
    value: Math.round(total * 100) / 100,
    unit: 'USD',
    goal: 'context only',
    pass: null,
    detail:
      `${LOAD.requests} requests, ${LOAD.emails} emails, ${LOAD.filesGb} GB of originals; the stacks' ` +
      'memory, schedules, alarms, secrets and log groups as synthesized; public on-demand prices, no free tier',
  });
  return figures;
};
