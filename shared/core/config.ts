// Configuration: read once from the environment on first use, and fail fast naming the missing variable.
// Lambda gets these from the CDK stack; `npm start`, the admin CLI and the tests set them for the local stand-ins.

export interface Config {
  tableName: string;
  countyId: string;
  /** Base of every link in an email or page, without a trailing slash. */
  publicUrl: string;
  /** The address mail is sent from: an SES identity, or an address the SMTP login may send as. */
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
  /** How mail leaves: SES, or SMTP where SES is not offered (AWS China) or the county must use its own server. */
  mailTransport: MailTransport;
  /** Set when `mailTransport` is `smtp`. */
  smtp?: SmtpConfig;
  /** The SES configuration set every SES send names (its bounce and complaint events), if any. */
  sesConfigurationSet?: string;
  /**
   * What emails carry (`EMAIL_FULL_TEXT`, the deploy setting `baosong:emailFullText`): `full`, the work's text (titles,
   * bodies, feedback, topics and tasks, the 通报's figures); `link`, only what happened and a link to the page that shows
   * it, for counties whose rules forbid sending work text to outside mailboxes.
   */
  emailText: EmailText;
}

export type EmailText = 'full' | 'link';

export type MailTransport = 'ses' | 'smtp';

export interface SmtpConfig {
  host: string;
  port: number;
  /** Implicit TLS from the first byte (port 465); otherwise plain, then STARTTLS, which is required. */
  secure: boolean;
  /** Credentials given directly (local), or read from Secrets Manager (AWS): `{"username":…,"password":…}`. */
  user?: string;
  pass?: string;
  secretArn?: string;
  /** Accept a self-signed server certificate: local runs and tests only. */
  allowSelfSigned: boolean;
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

/** `true`/`1` or `false`/`0`; `undefined` when unset. */
function flag(env: NodeJS.ProcessEnv, name: string): boolean | undefined {
  const raw = env[name]?.trim().toLowerCase();
  if (!raw) return undefined;
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  throw new Error(`Environment variable ${name} must be true or false (got ${env[name]})`);
}

function mailTransport(env: NodeJS.ProcessEnv): MailTransport {
  const raw = env.MAIL_TRANSPORT?.trim().toLowerCase();
  if (!raw) return 'ses';
  if (raw === 'ses' || raw === 'smtp') return raw;
  throw new Error(`Environment variable MAIL_TRANSPORT must be ses or smtp (got ${env.MAIL_TRANSPORT})`);
}

function emailText(env: NodeJS.ProcessEnv): EmailText {
  const raw = env.EMAIL_FULL_TEXT?.trim().toLowerCase();
  if (!raw) return 'full';
  if (raw === 'full' || raw === 'link') return raw;
  throw new Error(`Environment variable EMAIL_FULL_TEXT must be full or link (got ${env.EMAIL_FULL_TEXT})`);
}

/**
 * The SMTP server's settings. Port 465 with implicit TLS unless told otherwise (RFC 8314 prefers it for submission,
 * and the mail services and government servers in China offer it most widely); any other port speaks plain first
 * and must upgrade with STARTTLS before it logs in.
 */
function smtp(env: NodeJS.ProcessEnv, local: boolean): SmtpConfig {
  const rawPort = env.SMTP_PORT?.trim();
  const secureFlag = flag(env, 'SMTP_SECURE');
  const port = rawPort ? Number(rawPort) : secureFlag === false ? 587 : 465;
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(`Environment variable SMTP_PORT must be a port number (got ${rawPort})`);
  }
  const user = env.SMTP_USER?.trim() || undefined;
  const pass = env.SMTP_PASS || undefined;
  const secretArn = env.SMTP_SECRET_ARN?.trim() || undefined;
  if (!secretArn && !user) {
    throw new Error('Missing environment variable SMTP_SECRET_ARN (or SMTP_USER and SMTP_PASS for local runs)');
  }
  if (!secretArn && !pass) throw new Error('Missing environment variable SMTP_PASS');
  const allowSelfSigned = flag(env, 'SMTP_ALLOW_SELF_SIGNED') ?? false;
  if (allowSelfSigned && !local) {
    throw new Error('Environment variable SMTP_ALLOW_SELF_SIGNED is for local runs and tests only (BAOSONG_LOCAL=1)');
  }
  return {
    host: required(env, 'SMTP_HOST'),
    port,
    secure: secureFlag ?? port === 465,
    ...(secretArn ? { secretArn } : { user, pass }),
    allowSelfSigned,
  };
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
  const local = env.BAOSONG_LOCAL === '1';
  const transport = mailTransport(env);
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
    local,
    yearlyTarget: positive(env, 'BULLETIN_YEARLY_TARGET', 230),
    monthlyResearchTarget: positive(env, 'BULLETIN_RESEARCH_TARGET', 4),
    bulletinRecipients: audiences(env),
    bulletinRate: positive(env, 'BULLETIN_RATE', 10),
    mailTransport: transport,
    ...(transport === 'smtp' ? { smtp: smtp(env, local) } : {}),
    sesConfigurationSet: env.SES_CONFIGURATION_SET?.trim() || undefined,
    emailText: emailText(env),
  };
}

let cached: Config | undefined;

export function config(): Config {
  cached ??= readConfig();
  return cached;
}
