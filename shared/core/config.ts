// Configuration: read once from the environment on first use, and fail fast naming the missing variable.
// Lambda gets these from the CDK stack; `npm start`, the admin CLI and the tests set them for the local stand-ins.

export interface Config {
  tableName: string;
  countyId: string;
  /** Base of every link in an email or page, without a trailing slash. */
  publicUrl: string;
  /** SES identity mail is sent from. */
  sender: string;
  /** The display name beside it ("县委组织部信息科 <address>"). */
  senderName: string;
  /** Who to ask, on every email and page footer (office, phone): the emails cannot be answered. */
  contact: string;
  region: string;
  /** Local stand-ins; unset on AWS. */
  ddbEndpoint?: string;
  sesEndpoint?: string;
  s3Endpoint?: string;
  /** The bucket of the pieces' uploaded originals (every function knows its name; only some may touch it). */
  filesBucket?: string;
  /** Link-signing key: given directly (local), or read from Secrets Manager (AWS). */
  signingKey?: string;
  signingKeySecretArn?: string;
  /** Days an editor's review link stays valid. */
  reviewLinkDays: number;
  /** Days a piece may wait for a decision before editors get a daily reminder. */
  reminderAfterDays: number;
  /**
   * What one HTTP request may spend before its AWS calls are aborted (it answers 503 then). Lambda's timeout is 10 s;
   * the request's own remaining time caps this further.
   */
  requestBudgetMs: number;
  /** Local runs disable middy's early-timeout timer (no Lambda context deadline there). */
  local: boolean;
  /** The 通报's targets: pieces a year (the peers send 230+), 调研文稿 a month. */
  yearlyTarget: number;
  monthlyResearchTarget: number;
  /** Who gets the 月通报: any of leaders, editors, informants. */
  bulletinRecipients: BulletinAudience[];
  /** Bulletin emails per second at most (under the SES account's sending rate). */
  bulletinRate: number;
}

export type BulletinAudience = 'leaders' | 'editors' | 'informants';
const AUDIENCES: readonly BulletinAudience[] = ['leaders', 'editors', 'informants'];

function audiences(env: NodeJS.ProcessEnv): BulletinAudience[] {
  const raw = env.BULLETIN_RECIPIENTS?.trim();
  if (!raw) return [...AUDIENCES];
  const listed = raw.split(',').map((s) => s.trim());
  const wrong = listed.filter((s) => !AUDIENCES.includes(s as BulletinAudience));
  if (wrong.length || listed.length === 0) {
    throw new Error(`Environment variable BULLETIN_RECIPIENTS must list ${AUDIENCES.join(', ')} (got ${raw})`);
  }
  return listed as BulletinAudience[];
}

function positive(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`Environment variable ${name} must be a positive number`);
  return value;
}

function required(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (value === undefined || value.trim() === '') {
    throw new Error(`Missing environment variable ${name}`);
  }
  return value.trim();
}

export function readConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const signingKey = env.SIGNING_KEY?.trim() || undefined;
  const signingKeySecretArn = env.SIGNING_KEY_SECRET_ARN?.trim() || undefined;
  if (!signingKey && !signingKeySecretArn) {
    throw new Error('Missing environment variable SIGNING_KEY_SECRET_ARN (or SIGNING_KEY for local runs)');
  }
  return {
    tableName: required(env, 'TABLE_NAME'),
    countyId: required(env, 'COUNTY_ID'),
    publicUrl: required(env, 'PUBLIC_URL').replace(/\/+$/, ''),
    sender: required(env, 'SENDER'),
    senderName: env.SENDER_NAME?.trim() || '县委组织部信息科',
    contact: env.CONTACT?.trim() || '县委组织部信息科',
    region: env.AWS_REGION?.trim() || 'cn-north-1',
    ddbEndpoint: env.DDB_ENDPOINT?.trim() || undefined,
    sesEndpoint: env.SES_ENDPOINT?.trim() || undefined,
    s3Endpoint: env.S3_ENDPOINT?.trim() || undefined,
    filesBucket: env.FILES_BUCKET?.trim() || undefined,
    signingKey,
    signingKeySecretArn,
    reviewLinkDays: positive(env, 'REVIEW_LINK_DAYS', 14),
    reminderAfterDays: positive(env, 'REMINDER_AFTER_DAYS', 3),
    requestBudgetMs: positive(env, 'REQUEST_BUDGET_MS', 6000),
    local: env.BAOSONG_LOCAL === '1',
    yearlyTarget: positive(env, 'BULLETIN_YEARLY_TARGET', 230),
    monthlyResearchTarget: positive(env, 'BULLETIN_RESEARCH_TARGET', 4),
    bulletinRecipients: audiences(env),
    bulletinRate: positive(env, 'BULLETIN_RATE', 10),
  };
}

let cached: Config | undefined;

export function config(): Config {
  cached ??= readConfig();
  return cached;
}
