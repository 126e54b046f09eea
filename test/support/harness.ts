// A county of its own for one test file: a fresh table in the shared dynalite, the same gateway and handlers
// `npm start` serves (on a free port), and the shared SES mailbox read through `GET /store`, filtered to this
// file's recipients. Every email address a test uses should end in the file's own domain (see `domain`).
import { randomBytes } from 'node:crypto';
import { startGateway } from '../../local/app';
import { ensureTable } from '../../local/env';

export interface StoredEmail {
  messageId: string;
  from: string;
  destination: { to: string[]; cc: string[]; bcc: string[] };
  subject: string;
  body: { text?: string; html?: string };
  at: number;
}

export interface TestCounty {
  baseUrl: string;
  /** Email domain owned by this test file: mail to it is this file's mail. */
  domain: string;
  tableName: string;
  mails: (to?: string) => Promise<StoredEmail[]>;
  /** Waits until `count` emails to `to` (matching `subject` if given) are in the mailbox. */
  waitForMails: (to: string, count: number, subject?: RegExp) => Promise<StoredEmail[]>;
  close: () => Promise<void>;
}

export async function readMailbox(sesEndpoint = process.env.SES_ENDPOINT!): Promise<StoredEmail[]> {
  const res = await fetch(`${sesEndpoint}/store`);
  return ((await res.json()) as { emails: StoredEmail[] }).emails;
}

export async function startTestCounty(options: { sesEndpoint?: string } = {}): Promise<TestCounty> {
  const tag = randomBytes(4).toString('hex');
  const tableName = `t_${tag}`;
  const domain = `${tag}.example.com`;
  Object.assign(process.env, {
    TABLE_NAME: tableName,
    COUNTY_ID: `c${tag}`,
    SENDER: 'baosong@example.com',
    AWS_REGION: 'cn-north-1',
    SIGNING_KEY: randomBytes(32).toString('hex'),
    BAOSONG_LOCAL: '1',
    BAOSONG_QUIET: process.env.BAOSONG_LOUD ? '' : '1',
    ...(options.sesEndpoint ? { SES_ENDPOINT: options.sesEndpoint } : {}),
  });
  await ensureTable(process.env.DDB_ENDPOINT!, tableName);
  const gateway = await startGateway(0, () => {});
  const baseUrl = `http://127.0.0.1:${gateway.port}`;
  process.env.PUBLIC_URL = baseUrl;
  const sesEndpoint = process.env.SES_ENDPOINT!;

  const mails = async (to?: string) =>
    (await readMailbox(sesEndpoint)).filter((m) =>
      m.destination.to.some((address) => (to ? address === to : address.endsWith(`@${domain}`))),
    );
  const waitForMails = async (to: string, count: number, subject?: RegExp) => {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const found = (await mails(to)).filter((m) => !subject || subject.test(m.subject));
      if (found.length >= count || Date.now() > deadline) return found;
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  return { baseUrl, domain, tableName, mails, waitForMails, close: gateway.close };
}

/** A small roster for one test file: units of both kinds, informants, an editor, a leader. */
export function rosterCsv(domain: string): string {
  return [
    '单位,姓名,邮箱,手机,角色',
    `县委办公室,陈晓明,chen@${domain},13900000011,信息员`,
    `城关镇党委,张伟,zhang@${domain},,信息员`,
    `红旗乡党委,周强,zhou@${domain},13900000023,信息员`,
    `县委组织部信息科,王编辑,editor@${domain},,编辑`,
    `县委组织部,赵部长,leader@${domain},,领导`,
  ].join('\n');
}

/** The personal link in the newest email to `to` that has one. */
export function linkIn(mail: StoredEmail | undefined, path = '/submit'): string {
  const match = mail?.body.text?.match(new RegExp(`https?://\\S+${path.replace(/\//g, '\\/')}\\S*`));
  if (!match) throw new Error(`no ${path} link in email "${mail?.subject}"`);
  return match[0];
}

export const LONG_BODY =
  '城关镇坚持把党员教育培训作为基层党建的基础工程，创新开展“夜校课堂”，全年培训党员一千二百人次。';

/** A form post as a browser sends it (redirects answered, not followed). */
export const form = (fields: Record<string, string> = {}): RequestInit => ({
  method: 'POST',
  redirect: 'manual',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams(fields).toString(),
});

/** A JSON post that wants JSON back. */
export const jsonPost = (fields: Record<string, unknown>): RequestInit => ({
  method: 'POST',
  redirect: 'manual',
  headers: { 'content-type': 'application/json', accept: 'application/json' },
  body: JSON.stringify(fields),
});
