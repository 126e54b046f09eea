// A mail run: one message per recipient of a frozen content (the monthly 通报, the quarterly research status), sent
// exactly once each, paced, resumable. What is sent is a feature's (its `RunKind`); how it goes out is this.
// 1. Freeze the run: one item per county and period (`RUN`), written only if absent, holding the content and its
//    recipients. A second run of the same period — a scheduler retry, a re-run by hand, two invocations at once —
//    finds it and only resumes. `resend` starts the next round (recomputed, for everyone) once the last one is done.
// 2. Per recipient, a sent mark (`R#<round>#<personId>`): claimed with a conditional put before the send (absent, or
//    an earlier claim whose lease ran out without a send), marked sent after it. Two runs at once claim each
//    recipient once; a crash resumes where it stopped (only a message in flight at the crash may go twice).
// 3. Paced under the kind's rate; a throttle (SES's, or an SMTP server's 4yz) is waited out with back-off; what still
//    fails is released with its attempt counted, and given up by the outbox's rule (mail/retry). A recipient whose
//    address is stopped (SES reported a bounce or a complaint: mail/deliveryEvents) is not sent to: claimed given up
//    at once, with the reason.
// 4. A run stays in the outbox (the sweeper's queue) until every recipient has had it or was given up: due after the
//    job's own lease when a job sends it (the sweeper resumes a job that died; a long job keeps pushing it back), at
//    once when it is queued (the sweeper sends it, a budget per pass). The last pass takes it out, conditional on
//    its round.
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { now } from '../core/clock';
import { config } from '../core/config';
import { ConflictError } from '../core/errors';
import { errorFields, log } from '../core/log';
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
import { stopNotice, stopOn } from './deliveryEvents';
import type { DeliveryResult } from './outbox';
import { backoffMs, isGivenUp, isThrottled } from './retry';

export interface RunRecipient {
  personId: string;
  name: string;
  email: string;
  role: string;
  /** The address was stopped when the run was frozen (退信 or 投诉): why. Given up unsent, on the given-up list. */
  stopped?: string;
}

export interface Run<C> {
  period: string;
  round: number;
  content: C;
  recipients: RunRecipient[];
  startedAt: string;
  startedBy: string;
  /** While in the outbox (some recipient not yet sent): when the sweeper next looks at it. */
  outboxAt?: string;
  /** When its last recipient was sent (or given up). */
  finishedAt?: string;
}

export interface RunEmail {
  to: string;
  subject: string;
  html: string;
  text: string;
  attachments: { filename: string; contentType: string; content: Uint8Array }[];
}

export type Send = (email: RunEmail) => Promise<string>;

/** What a feature's run is: its outbox job, where it is kept, its content, recipients, emails and pace. */
export interface RunKind<C> {
  /** The outbox's job name: the sweeper hands such an item to `resumeRun` of this kind. */
  job: string;
  partition: (county: string, period: string) => string;
  compute: (period: string) => Promise<C>;
  recipients: () => Promise<RunRecipient[]>;
  /** The emails of a pass: what they share made once (a signed link, an attachment), then one per recipient. */
  emails: (run: Run<C>) => Promise<(recipient: RunRecipient) => RunEmail>;
  /** Messages a second. */
  rate: () => number;
  /** Said when a resend comes while the round before is still going out. */
  busy: string;
}

export interface SendResult {
  period: string;
  round: number;
  /** Sent by this call. */
  sent: number;
  /** Sent before (by an earlier run, or by another at the same time). */
  already: number;
  /** Not sent now, left for the next run (SES refused or was down). */
  failed: number;
  /**
   * Given up (now or before): SES refused the address for good, it failed as often as the outbox allows, or the
   * address is stopped (a bounce or a complaint) and was not sent to.
   */
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
const HOLD_REFRESH_MS = 60_000;
/** How often a mark is tried before it is left (the message went: a mark that does not stick may send it again). */
const MARK_TRIES = 4;

const iso = (ms: number) => new Date(ms).toISOString();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const roundOf = (round: number) => String(round).padStart(3, '0');

export const runKey = (kind: RunKind<unknown>, period: string): ItemKey => ({
  pk: kind.partition(config().countyId, period),
  sk: 'RUN',
});
const markKey = (kind: RunKind<unknown>, period: string, round: number, personId: string): ItemKey => ({
  pk: kind.partition(config().countyId, period),
  sk: `R#${roundOf(round)}#${personId}`,
});

/** A run as stored; a 通报 run stored before runs were shared kept its period as `month` and content as `bulletin`. */
function runOf<C>(item: Record<string, unknown>): Run<C> {
  const run = item as unknown as Run<C> & { month?: string; bulletin?: C };
  return { ...run, period: run.period ?? run.month ?? '', content: run.content ?? (run.bulletin as C) };
}

/** The run of a period as stored (consistently read), if any. */
export async function readRun<C>(kind: RunKind<C>, period: string): Promise<Run<C> | undefined> {
  const key = runKey(kind as RunKind<unknown>, period);
  const item = (await getItems([key], { consistent: true })).get(keyId(key));
  return item ? runOf<C>(item) : undefined;
}

/** Freezes the period's run (or its next round), or finds the one there; `started`: this call froze it. */
async function freeze<C>(
  kind: RunKind<C>,
  period: string,
  by: string,
  resend: boolean,
  queued: boolean,
): Promise<{ run: Run<C>; started: boolean }> {
  const county = config().countyId;
  const before = await readRun(kind, period);
  if (before && !resend) return { run: before, started: false };
  // The next round only once the last one is done: a round still going out would go on sending beside it.
  if (before?.outboxAt) throw new ConflictError(kind.busy);
  const [content, recipients] = await Promise.all([kind.compute(period), kind.recipients()]);
  const run: Run<C> = {
    period,
    round: (before?.round ?? 0) + 1,
    content,
    recipients,
    startedAt: now().toISOString(),
    startedBy: by,
  };
  const t = now().getTime();
  const item = {
    ...runKey(kind as RunKind<unknown>, period),
    type: kind.job,
    ...run,
    outbox: keys.outbox(county),
    outboxJob: kind.job,
    outboxAt: iso(queued ? t : t + CLAIM_MS),
  };
  const written = before
    ? await putIf(item, {
        expression: '#r = :r AND attribute_not_exists(#o)',
        names: { '#r': 'round', '#o': 'outbox' },
        values: { ':r': before.round },
      })
    : await putIfAbsent(item);
  if (written) return { run: { ...run, outboxAt: item.outboxAt }, started: true };
  // Someone else froze it (or the next round) at the same moment: theirs is the run.
  const theirs = await readRun(kind, period);
  if (!theirs) throw new ConflictError('正在由其他人发送，请稍后再试。');
  if (before && theirs.round === before.round) throw new ConflictError(kind.busy);
  return { run: theirs, started: false };
}

/** The marks of a round: who has it, and who is claimed by a run still holding them. */
async function marksOf(kind: RunKind<unknown>, period: string, round: number) {
  const items = await queryAll({
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :r)',
    ExpressionAttributeValues: { ':pk': kind.partition(config().countyId, period), ':r': `R#${roundOf(round)}#` },
    ConsistentRead: true,
  });
  return new Map(items.map((i) => [String(i.personId), i]));
}

/** How far a round has gone: recipients sent, and those given up (by name, with the error SES gave). */
export async function runProgress<C>(
  kind: RunKind<C>,
  run: Run<C>,
): Promise<{ sent: number; givenUp: { name: string; email: string; error: string }[] }> {
  const marks = [...(await marksOf(kind as RunKind<unknown>, run.period, run.round)).values()];
  const byId = new Map(run.recipients.map((r) => [r.personId, r]));
  return {
    sent: marks.filter((m) => m.sentAt).length,
    givenUp: marks
      .filter((m) => m.failedAt)
      .map((m) => {
        const r = byId.get(String(m.personId));
        return { name: r?.name ?? String(m.personId), email: r?.email ?? '', error: String(m.lastError ?? '') };
      }),
  };
}

/** Claims a recipient for this run: free, or an earlier claim that lapsed without a send (and was not given up). */
async function claim(key: ItemKey, personId: string, claimId: string, attempts: number): Promise<boolean> {
  const t = now().getTime();
  return putIf(
    { ...key, personId, claimId, leaseUntil: t + CLAIM_MS, ...(attempts ? { attempts } : {}) },
    {
      expression:
        'attribute_not_exists(pk) OR (attribute_not_exists(sentAt) AND attribute_not_exists(failedAt) AND leaseUntil < :t)',
      values: { ':t': t },
    },
    claimId,
  );
}

/**
 * Gives up a recipient whose address is stopped, unsent: one write, the claim and the mark at once (a claim's
 * condition; its own write after a lost answer). False when another run holds the recipient.
 */
async function withhold(key: ItemKey, r: RunRecipient, claimId: string, attempts: number): Promise<boolean> {
  const t = now().getTime();
  return putIf(
    {
      ...key,
      personId: r.personId,
      claimId,
      leaseUntil: 0,
      failedAt: iso(t),
      lastError: r.stopped ?? '',
      stopped: r.stopped ?? '',
      ...(attempts ? { attempts } : {}),
    },
    {
      expression:
        'attribute_not_exists(pk) OR (attribute_not_exists(sentAt) AND attribute_not_exists(failedAt) AND leaseUntil < :t)',
      values: { ':t': t },
    },
    claimId,
  );
}

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
      if (isConditionFailed(err)) return log.warn('run mark lost to another run', { sk: key.sk });
      if (attempt >= MARK_TRIES) return log.error('run mark left unwritten', { sk: key.sk, ...errorFields(err) });
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

/** Every message goes with its attachment: SendRawEmail, from a module loaded when it sends. */
export const defaultSend: Send = async (email) => (await import('./rawEmail.js')).sendEmailWithAttachments(email);

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

/** Moves a run's due time in the outbox past another claim's lease (while it is still in, in this round). */
async function holdRun(kind: RunKind<unknown>, run: Run<unknown>): Promise<void> {
  await db()
    .send(
      new UpdateCommand({
        TableName: tableName(),
        Key: runKey(kind, run.period),
        UpdateExpression: 'SET #at = :at',
        ConditionExpression: '#r = :r AND attribute_exists(#o)',
        ExpressionAttributeNames: { '#r': 'round', '#o': 'outbox', '#at': 'outboxAt' },
        ExpressionAttributeValues: { ':r': run.round, ':at': iso(now().getTime() + CLAIM_MS) },
      }),
    )
    .catch(() => {}); // Only a hold: the claims keep each recipient once whatever the sweeper does.
}

/** One pass over a round: every recipient not yet sent or given up, claimed, sent and marked; `until`: a deadline. */
async function sendRound<C>(
  kind: RunKind<C>,
  run: Run<C>,
  send: Send,
  until = Number.POSITIVE_INFINITY,
): Promise<RoundCounts> {
  const k = kind as RunKind<unknown>;
  const counts: RoundCounts = { sent: 0, already: 0, failed: 0, givenUp: 0, deferred: 0, elsewhere: 0, attempts: 0 };
  const marks = await marksOf(k, run.period, run.round);
  const due = run.recipients.filter((r) => {
    const m = marks.get(r.personId);
    if (m?.sentAt) counts.already += 1;
    else if (m?.failedAt) counts.givenUp += 1;
    else return true;
    return false;
  });
  if (due.length === 0) return counts;
  const emailOf = await kind.emails(run);
  const pace = pacer(kind.rate());
  const inFlight = Math.max(1, Math.ceil(kind.rate()));
  // A long job (thousands of recipients, or SES's slow sandbox rate) keeps its hold on the outbox, so the sweeper
  // does not start a second pacer beside it: once a minute its due time moves past another lease.
  let heldUntil = Date.now() + HOLD_REFRESH_MS;
  const hold = () => {
    if (until !== Number.POSITIVE_INFINITY || Date.now() < heldUntil) return;
    heldUntil = Date.now() + HOLD_REFRESH_MS;
    void holdRun(k, run as Run<unknown>);
  };
  let cursor = 0;
  const worker = async () => {
    while (cursor < due.length) {
      if (Date.now() >= until) {
        counts.deferred += due.length - cursor;
        cursor = due.length;
        return;
      }
      const r = due[cursor++]!;
      hold();
      const key = markKey(k, run.period, run.round, r.personId);
      const claimId = newWriteId();
      const before = Number(marks.get(r.personId)?.attempts ?? 0);
      if (r.stopped) {
        const withheld = await withhold(key, r, claimId, before).catch((err) => {
          log.warn('run recipient left for the next run', errorFields(err));
          return undefined;
        });
        if (withheld === undefined) counts.failed += 1;
        else if (withheld) {
          counts.givenUp += 1;
          log.warn('email withheld from a stopped address', { template: kind.job, period: run.period });
        } else counts.elsewhere += 1;
        continue;
      }
      let claimed: boolean;
      try {
        claimed = await claim(key, r.personId, claimId, before);
      } catch (err) {
        // Not claimed (the store refused or stumbled): nothing sent, left for the next run.
        log.warn('run recipient left for the next run', errorFields(err));
        counts.failed += 1;
        continue;
      }
      if (!claimed) {
        counts.elsewhere += 1;
        continue;
      }
      const email = emailOf(r);
      let sentId: string | undefined;
      let lastError: unknown;
      for (let attempt = 0; attempt < THROTTLE_TRIES && sentId === undefined; attempt++) {
        await pace();
        try {
          sentId = await send(email);
        } catch (err) {
          lastError = err;
          if (!isThrottled(err)) break;
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
      // Given up is the outbox's alarm line (the same message): someone must look at the address.
      (givenUp ? log.error : log.warn)(givenUp ? 'email given up' : 'run email left for the next run', {
        template: kind.job,
        period: run.period,
        personId: r.personId,
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
async function settleRun(kind: RunKind<unknown>, run: Run<unknown>, c: RoundCounts, leaseId?: string): Promise<void> {
  const t = now().getTime();
  const done = c.failed === 0 && c.deferred === 0 && c.elsewhere === 0;
  // Taken out already (an earlier pass, or another run at the same time): nothing to settle.
  if (done && !run.outboxAt) return;
  const next = c.deferred ? t : c.failed ? t + backoffMs(c.attempts) : t + CLAIM_MS;
  try {
    await db().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: runKey(kind, run.period),
        UpdateExpression: done
          ? 'SET finishedAt = :now REMOVE #o, #at, outboxJob, leaseId'
          : 'SET #o = :o, outboxJob = :j, #at = :next REMOVE leaseId',
        ConditionExpression: `#r = :r${leaseId ? ' AND leaseId = :l' : ''}`,
        ExpressionAttributeNames: { '#r': 'round', '#o': 'outbox', '#at': 'outboxAt' },
        ExpressionAttributeValues: {
          ':r': run.round,
          ...(done ? { ':now': iso(t) } : { ':next': iso(next), ':o': keys.outbox(config().countyId), ':j': kind.job }),
          ...(leaseId ? { ':l': leaseId } : {}),
        },
      }),
    );
  } catch (err) {
    // A lost answer, a newer round, the sweeper's lease, the store down: the run's next pass settles it.
    if (!isConditionFailed(err)) log.warn('run left in the outbox', { period: run.period, ...errorFields(err) });
  }
}

/**
 * Sends the period's run to whoever has not had it. `freezeOnly`: the run is frozen and queued for the sweeper (a
 * button on the desk: the request does not wait for a few hundred paced emails).
 */
export async function sendRun<C>(
  kind: RunKind<C>,
  period: string,
  options: { by?: string; resend?: boolean; send?: Send; freezeOnly?: boolean } = {},
): Promise<SendResult> {
  const by = options.by ?? '定时任务';
  const { run, started } = await freeze(kind, period, by, options.resend ?? false, options.freezeOnly ?? false);
  const base = { period, round: run.round, recipients: run.recipients.length, started };
  if (options.freezeOnly) return { ...base, sent: 0, already: 0, failed: 0, givenUp: 0 };
  const c = await sendRound(kind, run, options.send ?? defaultSend);
  await settleRun(kind as RunKind<unknown>, run as Run<unknown>, c);
  log.info('run sent', { job: kind.job, period, round: run.round, sent: c.sent, failed: c.failed, givenUp: c.givenUp });
  return { ...base, sent: c.sent, already: c.already + c.elsewhere, failed: c.failed, givenUp: c.givenUp };
}

/**
 * The sweeper's pass over a run it holds (an outbox item of the kind's job): what is left of it, within a budget,
 * then settled under the sweeper's lease.
 */
export async function resumeRun<C>(
  kind: RunKind<C>,
  item: Record<string, unknown>,
  leaseId: string,
): Promise<DeliveryResult> {
  const run = runOf<C>(item);
  const c = await sendRound(kind, run, defaultSend, Date.now() + RESUME_BUDGET_MS);
  await settleRun(kind as RunKind<unknown>, run as Run<unknown>, c, leaseId);
  if (c.sent || c.failed)
    log.info('run resumed', { job: kind.job, period: run.period, sent: c.sent, failed: c.failed });
  return { sent: c.sent, failed: c.failed, pending: c.failed + c.deferred + c.elsewhere };
}

/** Who gets a run: the people of the roles asked for, active, each once (by address). */
export function runRecipients(
  people: { personId: string; name: string; email: string; role: string; inactive?: unknown; mailStop?: unknown }[],
  roles: Set<string>,
): RunRecipient[] {
  const seen = new Set<string>();
  return people
    .filter((p) => roles.has(p.role) && !p.inactive && p.email)
    .sort((a, b) => a.role.localeCompare(b.role) || a.name.localeCompare(b.name, 'zh'))
    .filter((p) => {
      const address = p.email.toLowerCase();
      if (seen.has(address)) return false;
      seen.add(address);
      return true;
    })
    .map((p) => {
      // The roster's stop on the address (read with the roster: no read of its own), frozen with the run.
      const stop = stopOn(p.mailStop, p.email);
      return {
        personId: p.personId,
        name: p.name,
        email: p.email,
        role: p.role,
        ...(stop ? { stopped: stopNotice(stop) } : {}),
      };
    });
}
