// Use case: send a month's 通报, exactly once per recipient, paced.
// 1. Freeze the run: one item per county-month (`RUN`), written only if absent, holding the computed Bulletin, its
//    round and its recipients (leaders, editors, informants as configured, active, one message each). A second run
//    of the same month — a scheduler retry, a re-run by hand, two invocations at once — finds it and only resumes.
//    `resend` starts the next round (recomputed, for everyone) with one conditional update on the round it read.
// 2. Per recipient, a sent mark (`R#<round>#<personId>`): claimed with a conditional put before the send (absent, or
//    an earlier claim whose lease ran out without a send), marked sent after it. Two runs at once claim each
//    recipient once; a crash resumes where it stopped (only a message in flight at the crash may go twice).
// 3. Paced under `bulletinRate` messages a second; SES throttling is waited out with back-off; what still fails is
//    released for the next run (the scheduler's retry, the sweeper, a re-run), and reported.
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { now } from '../core/clock';
import { config } from '../core/config';
import { ConflictError } from '../core/errors';
import { errorFields, log } from '../core/log';
import { bulletinUrl } from '../links/links';
import { isActive, listRoster, type Person } from '../roster/people';
import { xlsxOf } from '../sheets/write';
import {
  db,
  getItems,
  type ItemKey,
  isConditionFailed,
  keyId,
  newWriteId,
  putIf,
  putIfAbsent,
  queryAll,
  tableName,
} from '../store/db';
import { keys } from '../store/keys';
import type { Bulletin } from './bulletin';
import { bulletinSheet, sheetFileName } from './bulletinSheet';
import { computeBulletin } from './computeBulletin';
import { bulletinEmail } from './emails';

export interface BulletinRecipient {
  personId: string;
  name: string;
  email: string;
  role: Person['role'];
}

export interface BulletinRun {
  month: string;
  round: number;
  bulletin: Bulletin;
  recipients: BulletinRecipient[];
  startedAt: string;
  startedBy: string;
}

export interface SendResult {
  month: string;
  round: number;
  /** Sent by this call. */
  sent: number;
  /** Sent before (by an earlier run, or by another at the same time). */
  already: number;
  /** Not sent now, left for the next run (SES refused or was down). */
  failed: number;
  recipients: number;
  /** This call froze the run (first time, or a resend). */
  started: boolean;
}

/** How long a claim holds a recipient: far beyond one send and its retries. */
const CLAIM_MS = 5 * 60_000;
const THROTTLE_TRIES = 6;

export const runKey = (county: string, month: string): ItemKey => ({ pk: keys.bulletin(county, month), sk: 'RUN' });
const markKey = (county: string, month: string, round: number, personId: string): ItemKey => ({
  pk: keys.bulletin(county, month),
  sk: `R#${String(round).padStart(3, '0')}#${personId}`,
});

/** The run of a month as stored (consistently read), if any. */
export async function bulletinRun(month: string): Promise<BulletinRun | undefined> {
  const key = runKey(config().countyId, month);
  const item = (await getItems([key], { consistent: true })).get(keyId(key));
  return item ? (item as unknown as BulletinRun) : undefined;
}

/** Who gets the 通报: the roles configured, active, each once (by address). */
export function bulletinRecipients(people: Person[]): BulletinRecipient[] {
  const roles = new Set(
    config().bulletinRecipients.map((a) => (a === 'leaders' ? 'leader' : a === 'editors' ? 'editor' : 'informant')),
  );
  const seen = new Set<string>();
  return people
    .filter((p) => roles.has(p.role) && isActive(p) && p.email)
    .sort((a, b) => a.role.localeCompare(b.role) || a.name.localeCompare(b.name, 'zh'))
    .filter((p) => {
      const address = p.email.toLowerCase();
      if (seen.has(address)) return false;
      seen.add(address);
      return true;
    })
    .map((p) => ({ personId: p.personId, name: p.name, email: p.email, role: p.role }));
}

/** Freezes the month's run (or its next round), or finds the one there; `started`: this call froze it. */
async function freeze(month: string, by: string, resend: boolean): Promise<{ run: BulletinRun; started: boolean }> {
  const county = config().countyId;
  const before = await bulletinRun(month);
  if (before && !resend) return { run: before, started: false };
  const [bulletin, roster] = await Promise.all([computeBulletin(month), listRoster(county)]);
  const run: BulletinRun = {
    month,
    round: (before?.round ?? 0) + 1,
    bulletin,
    recipients: bulletinRecipients(roster.people),
    startedAt: now().toISOString(),
    startedBy: by,
  };
  const item = { ...runKey(county, month), type: 'bulletin', ...run };
  const written = before
    ? await putIf(item, { expression: '#r = :r', names: { '#r': 'round' }, values: { ':r': before.round } })
    : await putIfAbsent(item);
  if (written) return { run, started: true };
  // Someone else froze it (or the next round) at the same moment: theirs is the run.
  const theirs = await bulletinRun(month);
  if (!theirs) throw new ConflictError('通报正在由其他人发送，请稍后再试。');
  return { run: theirs, started: false };
}

/** The marks of a round: who has it, and who is claimed by a run still holding them. */
async function marksOf(month: string, round: number): Promise<Map<string, Record<string, unknown>>> {
  const county = config().countyId;
  const items = await queryAll({
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :r)',
    ExpressionAttributeValues: { ':pk': keys.bulletin(county, month), ':r': `R#${String(round).padStart(3, '0')}#` },
    ConsistentRead: true,
  });
  return new Map(items.map((i) => [String(i.personId), i]));
}

/** Claims a recipient for this run: free, or an earlier claim that lapsed without a send. */
async function claim(key: ItemKey, personId: string, claimId: string): Promise<boolean> {
  const t = now().getTime();
  return putIf(
    { ...key, personId, claimId, leaseUntil: t + CLAIM_MS },
    {
      expression: 'attribute_not_exists(pk) OR (attribute_not_exists(sentAt) AND leaseUntil < :t)',
      values: { ':t': t },
    },
    claimId,
  );
}

async function mark(key: ItemKey, claimId: string, fields: Record<string, unknown>): Promise<void> {
  const names = Object.keys(fields);
  try {
    await db().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: key,
        UpdateExpression: `SET ${names.map((_, i) => `#f${i} = :f${i}`).join(', ')}`,
        ConditionExpression: 'claimId = :c',
        ExpressionAttributeNames: Object.fromEntries(names.map((n, i) => [`#f${i}`, n])),
        ExpressionAttributeValues: { ':c': claimId, ...Object.fromEntries(names.map((n, i) => [`:f${i}`, fields[n]])) },
      }),
    );
  } catch (err) {
    if (!isConditionFailed(err)) throw err;
    log.warn('bulletin mark lost to another run', { sk: key.sk });
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One start every 1000/rate ms, however many are in flight. */
function pacer(rate: number): () => Promise<void> {
  const gap = 1000 / rate;
  let next = 0;
  return async () => {
    const t = Date.now();
    const at = Math.max(t, next);
    next = at + gap;
    if (at > t) await sleep(at - t);
  };
}

const isThrottle = (err: unknown) =>
  err instanceof Error &&
  (err.name === 'Throttling' || err.name === 'ThrottlingException' || /rate exceeded/i.test(err.message));

export type Send = (email: {
  to: string;
  subject: string;
  html: string;
  text: string;
  attachments: { filename: string; contentType: string; content: Uint8Array }[];
}) => Promise<string>;

const defaultSend: Send = async (email) => (await import('./rawEmail.js')).sendEmailWithAttachments(email);

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** The email of one recipient (a name: the greeting), the unit table attached. */
function emailOf(b: Bulletin, to: string, view: string, sheet: Uint8Array, name?: string): Parameters<Send>[0] {
  return {
    to,
    ...bulletinEmail(b, { view }, name),
    attachments: [{ filename: sheetFileName(b), contentType: XLSX, content: sheet }],
  };
}

/**
 * Sends the month's 通报 to whoever of its run has not had it. `to`: a trial send to one address only, outside the
 * run (no marks: it changes nothing of who has had it).
 */
export async function sendBulletin(
  month: string,
  options: { by?: string; resend?: boolean; send?: Send; freezeOnly?: boolean } = {},
): Promise<SendResult> {
  const county = config().countyId;
  const { run, started } = await freeze(month, options.by ?? '定时任务', options.resend ?? false);
  const result: SendResult = {
    month,
    round: run.round,
    sent: 0,
    already: 0,
    failed: 0,
    recipients: run.recipients.length,
    started,
  };
  if (options.freezeOnly) return result;
  const marks = await marksOf(month, run.round);
  const due = run.recipients.filter((r) => {
    if (marks.get(r.personId)?.sentAt) {
      result.already += 1;
      return false;
    }
    return true;
  });
  if (due.length === 0) return result;
  const [view, sheet] = await Promise.all([bulletinUrl(month), xlsxOf(bulletinSheet(run.bulletin))]);
  const send = options.send ?? defaultSend;
  const pace = pacer(config().bulletinRate);
  const inFlight = Math.max(1, Math.ceil(config().bulletinRate));
  let cursor = 0;
  const worker = async () => {
    while (cursor < due.length) {
      const r = due[cursor++]!;
      const key = markKey(county, month, run.round, r.personId);
      const claimId = newWriteId();
      if (!(await claim(key, r.personId, claimId))) {
        result.already += 1;
        continue;
      }
      const email = emailOf(run.bulletin, r.email, view, sheet, r.name);
      let sentId: string | undefined;
      let lastError: unknown;
      for (let attempt = 0; attempt < THROTTLE_TRIES && sentId === undefined; attempt++) {
        await pace();
        try {
          sentId = await send(email);
        } catch (err) {
          lastError = err;
          if (!isThrottle(err)) break;
          await sleep(Math.min(8000, 250 * 2 ** attempt));
        }
      }
      if (sentId !== undefined) {
        await mark(key, claimId, { sentAt: now().toISOString(), messageId: sentId });
        result.sent += 1;
      } else {
        result.failed += 1;
        log.warn('bulletin email left for the next run', errorFields(lastError));
        // Released at once: the next run need not wait out the lease.
        await mark(key, claimId, { leaseUntil: 0, lastError: String((lastError as Error)?.name ?? 'error') }).catch(
          () => {},
        );
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(inFlight, due.length) }, worker));
  log.info('bulletin sent', { month, round: run.round, sent: result.sent, failed: result.failed });
  return result;
}

/** A trial send to one address (`--to`): the month's 通报 as it stands now, outside any run. */
export async function sendTrial(month: string, to: string, send: Send = defaultSend): Promise<string> {
  const bulletin = await computeBulletin(month);
  const [view, sheet] = await Promise.all([bulletinUrl(month), xlsxOf(bulletinSheet(bulletin))]);
  return send(emailOf(bulletin, to, view, sheet));
}
