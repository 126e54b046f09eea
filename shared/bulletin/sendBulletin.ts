// Use case: send a month's 通报, exactly once per recipient, paced.
// 1. Freeze the run: one item per county-month (`RUN`), written only if absent, holding the computed Bulletin, its
//    round and its recipients (leaders, editors, informants as configured, active, one message each). A second run
//    of the same month — a scheduler retry, a re-run by hand, two invocations at once — finds it and only resumes.
//    `resend` starts the next round (recomputed, for everyone) with one conditional update on the round it read.
// 2. Per recipient, a sent mark (`R#<round>#<personId>`): claimed with a conditional put before the send (absent, or
//    an earlier claim whose lease ran out without a send), marked sent after it. Two runs at once claim each
//    recipient once; a crash resumes where it stopped (only a message in flight at the crash may go twice).
// 3. Paced under `bulletinRate` messages a second; SES throttling is waited out with back-off; what still fails is
//    released with its attempt counted, and given up by the outbox's rule (mail/retry).
// 4. A run stays in the outbox (the sweeper's queue) until every recipient has had it or was given up: due after
//    the job's own lease when the job sends it (the sweeper resumes a job that died), at once when the desk queues it
//    (the sweeper sends it, a budget per pass). The last pass takes it out, conditional on its round.
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { now } from '../core/clock';
import { config } from '../core/config';
import { ConflictError } from '../core/errors';
import { errorFields, log } from '../core/log';
import { bulletinUrl } from '../links/links';
import type { DeliveryResult } from '../mail/outbox';
import { backoffMs, isGivenUp } from '../mail/retry';
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
  /** While in the outbox (some recipient not yet sent): when the sweeper next looks at it. */
  outboxAt?: string;
  /** When its last recipient was sent (or given up). */
  finishedAt?: string;
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
  /** Given up (now or before): SES refused the address for good, or it failed as often as the outbox allows. */
  givenUp: number;
  recipients: number;
  /** This call froze the run (first time, or a resend). */
  started: boolean;
}

/** How long a claim holds a recipient: far beyond one send and its retries. */
const CLAIM_MS = 5 * 60_000;
const THROTTLE_TRIES = 6;
/** What one sweeper pass (50 s at most) spends on a queued run before it leaves the rest to the next pass. */
const RESUME_BUDGET_MS = 25_000;
/** The outbox's job name of a run: the sweeper hands such an item to `resumeRun`. */
export const BULLETIN_JOB = 'bulletin';

const iso = (ms: number) => new Date(ms).toISOString();

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
async function freeze(
  month: string,
  by: string,
  resend: boolean,
  queued: boolean,
): Promise<{ run: BulletinRun; started: boolean }> {
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
  const t = now().getTime();
  const item = {
    ...runKey(county, month),
    type: 'bulletin',
    ...run,
    outbox: keys.outbox(county),
    outboxJob: BULLETIN_JOB,
    outboxAt: iso(queued ? t : t + CLAIM_MS),
  };
  const written = before
    ? await putIf(item, { expression: '#r = :r', names: { '#r': 'round' }, values: { ':r': before.round } })
    : await putIfAbsent(item);
  if (written) return { run: { ...run, outboxAt: item.outboxAt }, started: true };
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

/** How far a round has gone: recipients sent, and given up. */
export async function runProgress(run: BulletinRun): Promise<{ sent: number; givenUp: number }> {
  const marks = [...(await marksOf(run.month, run.round)).values()];
  return { sent: marks.filter((m) => m.sentAt).length, givenUp: marks.filter((m) => m.failedAt).length };
}

/** Claims a recipient for this run: free, or an earlier claim that lapsed without a send. */
async function claim(key: ItemKey, personId: string, claimId: string, attempts: number): Promise<boolean> {
  const t = now().getTime();
  return putIf(
    { ...key, personId, claimId, leaseUntil: t + CLAIM_MS, ...(attempts ? { attempts } : {}) },
    {
      expression: 'attribute_not_exists(pk) OR (attribute_not_exists(sentAt) AND leaseUntil < :t)',
      values: { ':t': t },
    },
    claimId,
  );
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** How often a mark is tried before it is left (the message went: a mark that does not stick may send it again). */
const MARK_TRIES = 4;

/** Marks a claimed recipient (sent, or released); tried again when the store stumbles, never thrown. */
async function mark(key: ItemKey, claimId: string, fields: Record<string, unknown>): Promise<void> {
  const names = Object.keys(fields);
  for (let attempt = 1; ; attempt++) {
    try {
      await db().send(
        new UpdateCommand({
          TableName: tableName(),
          Key: key,
          UpdateExpression: `SET ${names.map((_, i) => `#f${i} = :f${i}`).join(', ')}`,
          ConditionExpression: 'claimId = :c',
          ExpressionAttributeNames: Object.fromEntries(names.map((n, i) => [`#f${i}`, n])),
          ExpressionAttributeValues: {
            ':c': claimId,
            ...Object.fromEntries(names.map((n, i) => [`:f${i}`, fields[n]])),
          },
        }),
      );
      return;
    } catch (err) {
      // The claim is another run's now (its lease lapsed): that run decides.
      if (isConditionFailed(err)) return log.warn('bulletin mark lost to another run', { sk: key.sk });
      if (attempt >= MARK_TRIES) return log.error('bulletin mark left unwritten', { sk: key.sk, ...errorFields(err) });
      await sleep(200 * 2 ** attempt);
    }
  }
}

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

interface RoundCounts {
  sent: number;
  already: number;
  failed: number;
  givenUp: number;
  deferred: number;
  /** Claimed by another run still sending (not yet marked either way). */
  elsewhere: number;
  /** The most attempts of a recipient left failed: the run's back-off. */
  attempts: number;
}

/** One pass over a round: every recipient not yet sent or given up, claimed, sent and marked; `until`: a deadline. */
async function sendRound(run: BulletinRun, send: Send, until = Number.POSITIVE_INFINITY): Promise<RoundCounts> {
  const county = config().countyId;
  const counts: RoundCounts = { sent: 0, already: 0, failed: 0, givenUp: 0, deferred: 0, elsewhere: 0, attempts: 0 };
  const marks = await marksOf(run.month, run.round);
  const due = run.recipients.filter((r) => {
    const m = marks.get(r.personId);
    if (m?.sentAt) counts.already += 1;
    else if (m?.failedAt) counts.givenUp += 1;
    else return true;
    return false;
  });
  if (due.length === 0) return counts;
  const [view, sheet] = await Promise.all([bulletinUrl(run.month), xlsxOf(bulletinSheet(run.bulletin))]);
  const pace = pacer(config().bulletinRate);
  const inFlight = Math.max(1, Math.ceil(config().bulletinRate));
  let cursor = 0;
  const worker = async () => {
    while (cursor < due.length) {
      if (Date.now() >= until) {
        counts.deferred += due.length - cursor;
        cursor = due.length;
        return;
      }
      const r = due[cursor++]!;
      const key = markKey(county, run.month, run.round, r.personId);
      const claimId = newWriteId();
      const before = Number(marks.get(r.personId)?.attempts ?? 0);
      let claimed: boolean;
      try {
        claimed = await claim(key, r.personId, claimId, before);
      } catch (err) {
        // Not claimed (the store refused or stumbled): nothing sent, left for the next run.
        log.warn('bulletin recipient left for the next run', errorFields(err));
        counts.failed += 1;
        continue;
      }
      if (!claimed) {
        counts.elsewhere += 1;
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
        counts.sent += 1;
        continue;
      }
      const attempts = before + 1;
      const givenUp = isGivenUp(attempts, lastError);
      if (givenUp) counts.givenUp += 1;
      else {
        counts.failed += 1;
        counts.attempts = Math.max(counts.attempts, attempts);
      }
      (givenUp ? log.error : log.warn)(givenUp ? 'bulletin email given up' : 'bulletin email left for the next run', {
        attempts,
        ...errorFields(lastError),
      });
      // Released at once: the next run need not wait out the lease.
      const error = lastError instanceof Error ? `${lastError.name}: ${lastError.message}`.slice(0, 300) : 'error';
      await mark(key, claimId, {
        leaseUntil: 0,
        attempts,
        lastError: error,
        ...(givenUp ? { failedAt: now().toISOString() } : {}),
      });
    }
  };
  await Promise.all(Array.from({ length: Math.min(inFlight, due.length) }, worker));
  return counts;
}

/**
 * After a pass: a run every recipient has had (or was given up) leaves the outbox; otherwise it is due again — at
 * once when the pass ran out of time, after the back-off when sends failed, after a claim's lease when another run
 * holds recipients. Conditional on the round (and on the sweeper's lease, when it holds the run). Bookkeeping only:
 * if the write fails the run stays due, and the next pass finds it done and takes it out.
 */
async function settleRun(run: BulletinRun, c: RoundCounts, leaseId?: string): Promise<void> {
  const t = now().getTime();
  const done = c.failed === 0 && c.deferred === 0 && c.elsewhere === 0;
  // Taken out already (an earlier pass, or another run at the same time): nothing to settle.
  if (done && !run.outboxAt) return;
  const next = c.deferred ? t : c.failed ? t + backoffMs(c.attempts) : t + CLAIM_MS;
  try {
    await db().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: runKey(config().countyId, run.month),
        UpdateExpression: done
          ? 'SET finishedAt = :now REMOVE #o, #at, outboxJob, leaseId'
          : 'SET #o = :o, outboxJob = :j, #at = :next REMOVE leaseId',
        ConditionExpression: `#r = :r${leaseId ? ' AND leaseId = :l' : ''}`,
        ExpressionAttributeNames: { '#r': 'round', '#o': 'outbox', '#at': 'outboxAt' },
        ExpressionAttributeValues: {
          ':r': run.round,
          ...(done
            ? { ':now': iso(t) }
            : { ':next': iso(next), ':o': keys.outbox(config().countyId), ':j': BULLETIN_JOB }),
          ...(leaseId ? { ':l': leaseId } : {}),
        },
      }),
    );
  } catch (err) {
    // A lost answer, a newer round, the sweeper's lease, the store down: the run's next pass settles it.
    if (!isConditionFailed(err)) log.warn('bulletin run left in the outbox', { month: run.month, ...errorFields(err) });
  }
}

/**
 * Sends the month's 通报 to whoever of its run has not had it. `freezeOnly`: the run is frozen and queued for the
 * sweeper (the desk's send button: the request does not wait for a few hundred paced emails).
 */
export async function sendBulletin(
  month: string,
  options: { by?: string; resend?: boolean; send?: Send; freezeOnly?: boolean } = {},
): Promise<SendResult> {
  const by = options.by ?? '定时任务';
  const { run, started } = await freeze(month, by, options.resend ?? false, options.freezeOnly ?? false);
  const base = { month, round: run.round, recipients: run.recipients.length, started };
  if (options.freezeOnly) return { ...base, sent: 0, already: 0, failed: 0, givenUp: 0 };
  const c = await sendRound(run, options.send ?? defaultSend);
  await settleRun(run, c);
  log.info('bulletin sent', { month, round: run.round, sent: c.sent, failed: c.failed, givenUp: c.givenUp });
  return { ...base, sent: c.sent, already: c.already + c.elsewhere, failed: c.failed, givenUp: c.givenUp };
}

/**
 * The sweeper's pass over a run it holds (the outbox's job `bulletin`): what is left of it, within a budget, then
 * settled under the sweeper's lease.
 */
export async function resumeRun(item: Record<string, unknown>, leaseId: string): Promise<DeliveryResult> {
  const run = item as unknown as BulletinRun;
  const c = await sendRound(run, defaultSend, Date.now() + RESUME_BUDGET_MS);
  await settleRun(run, c, leaseId);
  if (c.sent || c.failed)
    log.info('bulletin resumed', { month: run.month, round: run.round, sent: c.sent, failed: c.failed });
  return { sent: c.sent, failed: c.failed, pending: c.failed + c.deferred + c.elsewhere };
}

/** A trial send to one address (`--to`): the month's 通报 as it stands now, outside any run. */
export async function sendTrial(month: string, to: string, send: Send = defaultSend): Promise<string> {
  const bulletin = await computeBulletin(month);
  const [view, sheet] = await Promise.all([bulletinUrl(month), xlsxOf(bulletinSheet(bulletin))]);
  return send(emailOf(bulletin, to, view, sheet));
}
