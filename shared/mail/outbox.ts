// The outbox: an item that needs email (an event, a reminder, a welcome) carries its notifications and a sparse
// `outbox` key; `outboxAt` says when it is next due. Whoever writes the item holds it from the write (`leaseId`,
// due only after LEASE_MS): it renders every email from what it holds in memory, sends them all at once and marks
// them in one write (`deliverWritten`). The sweeper (every minute on AWS, every few seconds locally) Queries only
// the items that are due — one in back-off costs nothing until its time — reads them in batches, takes each with
// one conditional write, sends, and marks each with one more. A send happens once unless a process dies between
// sending and marking (at-least-once: duplicates only in that window). Rendering is the features' business: whoever
// delivers hands over the templates it knows (a request its own; the sweeper every feature's), and a notification
// whose template it was not given is left for the sweeper. An address SES reported as bounced or complained of
// (mail/deliveryEvents.ts) is not sent to: the recipient, as the roster gives it, carries the stop, and the email is
// given up with its reason, on the failed list, instead of going out to be dropped.
import { QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { SETTLE_MS, settle, withBudget } from '../core/budget';
import { now } from '../core/clock';
import { config } from '../core/config';
import { DroppedEmailError } from '../core/errors';
import { type Limit, limiter } from '../core/limit';
import { errorFields, log } from '../core/log';
import {
  db,
  getItems,
  type ItemKey,
  isConditionFailed,
  isOwnWrite,
  keyId,
  newWriteId,
  queryAll,
  tableName,
} from '../store/db';
import { keys } from '../store/keys';
import { OUTBOX_INDEX } from '../store/tableDefinition';
import { type StopMark, stopNotice, stopOn } from './deliveryEvents';
import { textFooter } from './frame';
import { backoffMs, isGivenUp } from './retry';
import { type OutgoingEmail, sendEmail } from './ses';
import type { EmailTemplates, Recipient } from './templates';

export interface Notification {
  id: string;
  to: string;
  /** A template name of the feature that wrote the notification. */
  template: string;
  data: Record<string, string | number>;
  /** The roster person it is for: their current key version signs its links, and nobody left means no email. */
  personId?: string;
  sentAt?: string;
  messageId?: string;
  /** Sent as nothing: its recipient left the roster meanwhile (the reason). */
  dropped?: string;
  attempts?: number;
  lastError?: string;
  /** Epoch ms before which it is not tried again (the back-off after a failure). */
  retryAt?: number;
  /** Given up: SES refused it for good, or it failed MAX_ATTEMPTS times. Listed by `npm run admin -- outbox failed`. */
  failedAt?: string;
  /** Given up unsent: its address bounced or was complained of (the reason; also in `lastError`). */
  stopped?: string;
}

/** A notification as a use case writes it; the outbox numbers them. */
export type NotificationDraft = Omit<Notification, 'id'>;

/**
 * A piece of work the outbox holds beside notifications (an item with `outboxJob`: a 通报 run whose recipients are
 * not all sent): the sweeper takes it as any item and hands it, with its lease, to the job of that name, which sends
 * and settles it itself.
 */
export type OutboxJob = (item: Record<string, unknown> & ItemKey, leaseId: string) => Promise<DeliveryResult>;

/**
 * What delivering takes: the templates the caller knows, and who the recipients are (from memory or the roster),
 * with the stop on their address if SES reported one.
 */
export interface Sender {
  templates: EmailTemplates;
  recipients: (personIds: string[]) => Promise<Map<string, Recipient & StopMark>>;
  /** The jobs the caller runs (the sweeper: every feature's); an item of another job is left untouched. */
  jobs?: Record<string, OutboxJob>;
}

/** How long a holder keeps an item to itself: far beyond a Lambda's 10 s timeout. */
export const LEASE_MS = 60_000;
/** Sends in flight at once, in one request or one sweep (SES limits a sender's rate per second). */
const SENDS_AT_ONCE = 8;
/** Items one sweep takes on (one Query page): the rest are due still and come with the next sweep. */
const ITEMS_PER_SWEEP = 100;

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * The attributes that put an item into the outbox; spread them into the item being written. The writer holds it
 * (it sends at once with `deliverWritten`); `{ held: false }` leaves it to the sweeper from the start.
 */
export function outboxAttributes(
  county: string,
  notifications: NotificationDraft[],
  at: string,
  options: { held?: boolean } = {},
) {
  const held = options.held ?? true;
  return {
    notifications: notifications.map((n, i) => ({ ...n, id: `n${i + 1}` })),
    outbox: keys.outbox(county),
    outboxAt: held ? iso(new Date(at).getTime() + LEASE_MS) : at,
    ...(held ? { leaseId: newWriteId() } : {}),
  };
}

export interface DeliveryResult {
  sent: number;
  failed: number;
  pending: number;
}

type Item = Record<string, unknown> & ItemKey;

/**
 * The writer's delivery: sends every email of the item it has just written (and holds), rendered from the item in
 * memory, all at once, then marks them in one write. Whatever fails is left, with its back-off, to the sweeper.
 */
export async function deliverWritten(item: Item, sender: Sender): Promise<DeliveryResult> {
  const leaseId = item.leaseId;
  if (typeof leaseId !== 'string') throw new Error('deliverWritten: the item is not held by its writer');
  const t = now().getTime();
  const recipients = await sender.recipients(personIdsOf([item], sender.templates, t));
  return sendAndMark(item, leaseId, recipients, sender.templates, t, limiter(SENDS_AT_ONCE));
}

/** One pass over the county's outbox: every item that is due gets a delivery attempt. */
export async function sweepOutbox(county: string, sender: Sender): Promise<DeliveryResult> {
  const total: DeliveryResult = { sent: 0, failed: 0, pending: 0 };
  const t = now().getTime();
  const page = await db().send(
    new QueryCommand({
      TableName: tableName(),
      IndexName: OUTBOX_INDEX.name,
      KeyConditionExpression: '#o = :o AND #at <= :now',
      ExpressionAttributeNames: { '#o': OUTBOX_INDEX.partition, '#at': OUTBOX_INDEX.sort },
      ExpressionAttributeValues: { ':o': keys.outbox(county), ':now': iso(t) },
      Limit: ITEMS_PER_SWEEP,
    }),
  );
  const due = page.Items ?? [];
  if (due.length === 0) return total;
  // The index is read eventually: the items themselves, consistently, say what is still due.
  const items = await getItems(
    due.map((k) => ({ pk: String(k.pk), sk: String(k.sk) })),
    { consistent: true },
  );
  const current = [...items.values()].filter(
    (item) => item.outbox === keys.outbox(county) && String(item.outboxAt) <= iso(t),
  ) as Item[];
  const takeOrLeave = async (item: Item) => {
    const leaseId = await take(item, t).catch((err) => {
      // One item the store stumbles on does not hold up the others: it is tried again on the next sweep.
      log.warn('outbox item left for the next sweep', errorFields(err));
      return undefined;
    });
    return leaseId ? { item, leaseId } : undefined;
  };
  for (const item of current) {
    // A job this code does not know (a newer deploy's, or a mistake): left alone, and said, every sweep.
    if (typeof item.outboxJob === 'string' && sender.jobs && !sender.jobs[item.outboxJob]) {
      log.warn('outbox item of an unknown job left alone', { job: item.outboxJob, sk: item.sk });
    }
  }
  const jobs = Promise.all(
    current
      .filter((item) => typeof item.outboxJob === 'string' && sender.jobs?.[item.outboxJob] !== undefined)
      .map(async (item) => {
        const held = await takeOrLeave(item);
        if (!held) return { sent: 0, failed: 0, pending: 0 };
        return sender.jobs![String(item.outboxJob)]!(item, held.leaseId).catch((err) => {
          log.warn('outbox job left for the next sweep', { job: String(item.outboxJob), ...errorFields(err) });
          return { sent: 0, failed: 1, pending: 0 };
        });
      }),
  );
  const held = (await Promise.all(current.filter((item) => item.outboxJob === undefined).map(takeOrLeave))).filter(
    (h) => h !== undefined,
  );
  // The notifications and the jobs go at once; the jobs finish even when the notifications' part fails.
  const [mail, done] = await Promise.allSettled([deliverHeld(held, sender, t), jobs]);
  if (mail.status === 'rejected') throw mail.reason;
  if (done.status === 'rejected') throw done.reason;
  for (const r of [...mail.value, ...done.value]) {
    total.sent += r.sent;
    total.failed += r.failed;
    total.pending += r.pending;
  }
  return total;
}

/** The items a sweep holds: one read of every recipient of all of them, then each sent and marked. */
async function deliverHeld(
  held: { item: Item; leaseId: string }[],
  sender: Sender,
  t: number,
): Promise<DeliveryResult[]> {
  if (held.length === 0) return [];
  // If the recipients cannot be read, the leases end and the next sweeps try again.
  const recipients = await sender.recipients(
    personIdsOf(
      held.map((h) => h.item),
      sender.templates,
      t,
    ),
  );
  const limit = limiter(SENDS_AT_ONCE);
  return Promise.all(
    held.map(({ item, leaseId }) =>
      sendAndMark(item, leaseId, recipients, sender.templates, t, limit).catch((err) => {
        log.warn('outbox item left for the next sweep', errorFields(err));
        return { sent: 0, failed: 1, pending: 0 };
      }),
    ),
  );
}

/** What a delivery tries now: unsent, not given up, past its back-off, with a template the sender knows. */
function dueNotifications(item: Record<string, unknown>, templates: EmailTemplates, t: number) {
  return ((item.notifications ?? []) as Notification[])
    .map((notification, index) => ({ notification, index }))
    .filter(
      ({ notification: n }) => !n.sentAt && !n.failedAt && (n.retryAt ?? 0) <= t && templates[n.template] !== undefined,
    );
}

function personIdsOf(items: Record<string, unknown>[], templates: EmailTemplates, t: number): string[] {
  const ids = items.flatMap((item) =>
    dueNotifications(item, templates, t).map(({ notification }) => recipientIdOf(notification)),
  );
  return [...new Set(ids.filter((id): id is string => typeof id === 'string'))];
}

/** Who the email is for; notifications written before `personId` existed name them in their data. */
function recipientIdOf(notification: Notification): string | undefined {
  const id = notification.personId ?? notification.data.personId ?? notification.data.editorId;
  return id === undefined ? undefined : String(id);
}

/** The sweeper takes a due item for LEASE_MS: one conditional write (its own after a lost answer, by its stamp). */
async function take(item: Item, t: number): Promise<string | undefined> {
  const leaseId = newWriteId();
  const key = { pk: item.pk, sk: item.sk };
  try {
    await db().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: key,
        UpdateExpression: 'SET #at = :until, leaseId = :id',
        ConditionExpression: '#o = :o AND #at <= :now',
        ExpressionAttributeNames: { '#o': OUTBOX_INDEX.partition, '#at': OUTBOX_INDEX.sort },
        ExpressionAttributeValues: { ':until': iso(t + LEASE_MS), ':id': leaseId, ':o': item.outbox, ':now': iso(t) },
      }),
    );
    return leaseId;
  } catch (err) {
    if (!isConditionFailed(err)) throw err;
    return (await isOwnWrite(key, leaseId, (i) => i.leaseId)) ? leaseId : undefined;
  }
}

type Outcome =
  | { index: number; kind: 'sent'; messageId: string }
  | { index: number; kind: 'dropped'; why: string }
  | { index: number; kind: 'stopped'; why: string }
  | { index: number; kind: 'failed'; attempts: number; error: string; givenUp: boolean };

/** Renders one email from what is in memory; an outcome already when it cannot be rendered. */
async function render(
  notification: Notification,
  index: number,
  item: Item,
  recipients: Map<string, Recipient & StopMark>,
  templates: EmailTemplates,
): Promise<{ email: OutgoingEmail } | Outcome> {
  try {
    const id = recipientIdOf(notification);
    const recipient = id ? recipients.get(id) : undefined;
    const stop = stopOn(recipient?.mailStop, notification.to);
    if (stop) {
      log.warn('email withheld from a stopped address', { template: notification.template, kind: stop.kind });
      return { index, kind: 'stopped', why: stopNotice(stop) };
    }
    const email = await templates[notification.template]!(notification.data, {
      item,
      ...(recipient ? { recipient } : {}),
    });
    return { email: { to: notification.to, ...email, text: email.text + textFooter() } };
  } catch (err) {
    return failure(notification, index, err);
  }
}

function failure(notification: Notification, index: number, err: unknown): Outcome {
  if (err instanceof DroppedEmailError) return { index, kind: 'dropped', why: err.message };
  const attempts = (notification.attempts ?? 0) + 1;
  const givenUp = isGivenUp(attempts, err);
  if (givenUp) log.error('email given up', { template: notification.template, attempts, ...errorFields(err) });
  const error = err instanceof Error ? `${err.name}: ${err.message}`.slice(0, 300) : 'unknown';
  return { index, kind: 'failed', attempts, error, givenUp };
}

/**
 * Sends what is due on an item this caller holds, then one write: each outcome, and where the item goes — out of the
 * outbox when all is sent, to the failed list when the rest was given up, or back with its next due time.
 */
async function sendAndMark(
  item: Item,
  leaseId: string,
  recipients: Map<string, Recipient & StopMark>,
  templates: EmailTemplates,
  t: number,
  limit: Limit,
): Promise<DeliveryResult> {
  const notifications = (item.notifications ?? []) as Notification[];
  const due = dueNotifications(item, templates, t);
  // Every email rendered first, then all sent at once, in the item's order.
  const rendered = await Promise.all(
    due.map(({ notification, index }) => render(notification, index, item, recipients, templates)),
  );
  const outcomes = await Promise.all(
    rendered.map((r, i): Promise<Outcome> => {
      if (!('email' in r)) return Promise.resolve(r);
      const { notification, index } = due[i]!;
      return limit(() => sendEmail(r.email)).then(
        (messageId): Outcome => ({ index, kind: 'sent', messageId }),
        (err) => failure(notification, index, err),
      );
    }),
  );
  const after = notifications.map((n) => ({ ...n }));
  const set: string[] = [];
  const remove = ['leaseId'];
  const values: Record<string, unknown> = {};
  /** A value for the expression, by placeholder (only the ones used: DynamoDB refuses unused values). */
  const value = (placeholder: string, v: unknown) => {
    values[placeholder] = v;
    return placeholder;
  };
  const at = iso(now().getTime());
  for (const o of outcomes) {
    const p = `notifications[${o.index}]`;
    const n = after[o.index]!;
    if (o.kind === 'sent' || o.kind === 'dropped') {
      set.push(`${p}.sentAt = ${value(':at', at)}`);
      if (o.kind === 'sent') set.push(`${p}.messageId = ${value(`:m${o.index}`, o.messageId)}`);
      else set.push(`${p}.dropped = ${value(`:d${o.index}`, o.why)}`);
      n.sentAt = at;
    } else if (o.kind === 'stopped') {
      // Given up at once, unsent: on the failed list with its reason, never tried again.
      set.push(
        `${p}.failedAt = ${value(':at', at)}`,
        `${p}.lastError = ${value(`:e${o.index}`, o.why)}`,
        `${p}.stopped = ${value(`:s${o.index}`, o.why)}`,
      );
      n.failedAt = at;
    } else {
      n.retryAt = t + backoffMs(o.attempts);
      set.push(
        `${p}.attempts = ${value(`:a${o.index}`, o.attempts)}`,
        `${p}.lastError = ${value(`:e${o.index}`, o.error)}`,
        `${p}.retryAt = ${value(`:r${o.index}`, n.retryAt)}`,
      );
      if (o.givenUp) {
        set.push(`${p}.failedAt = ${value(':at', at)}`);
        n.failedAt = at;
      }
    }
  }
  const left = after.filter((n) => !n.sentAt && !n.failedAt);
  const names: Record<string, string> = {};
  if (left.length === 0) {
    names['#o'] = OUTBOX_INDEX.partition;
    names['#at'] = OUTBOX_INDEX.sort;
    if (after.some((n) => n.failedAt)) {
      set.push(`#o = ${value(':failed', keys.outboxFailed(config().countyId))}`, `#at = ${value(':at', at)}`);
    } else {
      remove.push('#o', '#at');
    }
  } else {
    // Next due: the earliest back-off left (now, for one whose template only the sweeper knows).
    names['#at'] = OUTBOX_INDEX.sort;
    set.push(`#at = ${value(':next', iso(Math.max(t, Math.min(...left.map((n) => n.retryAt ?? t)))))}`);
  }
  const markId = newWriteId();
  set.push(`markId = ${value(':mark', markId)}`);
  value(':lease', leaseId);
  const expression = `SET ${set.join(', ')} REMOVE ${remove.join(', ')}`;
  const key = { pk: item.pk, sk: item.sk };
  try {
    // Marks must stick, or the emails would go out again once the lease ends: one more try when the store stumbles.
    await settled(() =>
      db().send(
        new UpdateCommand({
          TableName: tableName(),
          Key: key,
          UpdateExpression: expression,
          ConditionExpression: 'leaseId = :lease',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      ),
    );
  } catch (err) {
    if (!isConditionFailed(err)) throw err;
    if (!(await settle(() => isOwnWrite(key, markId, (i) => i.markId)))) {
      log.warn('outbox lease lost before marking', { sent: outcomes.filter((o) => o.kind === 'sent').length });
    }
  }
  const failed = outcomes.filter((o) => o.kind === 'failed' || o.kind === 'stopped').length;
  return {
    sent: outcomes.filter((o) => o.kind === 'sent').length,
    failed,
    pending: left.length - outcomes.filter((o) => o.kind === 'failed' && !o.givenUp).length,
  };
}

/** Bookkeeping that must not be cut short by a spent request budget, with one more try when the store stumbles. */
async function settled<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await settle(fn);
  } catch (err) {
    if (isConditionFailed(err)) throw err;
    return withBudget(SETTLE_MS, fn);
  }
}

export interface FailedEmail {
  key: ItemKey;
  id: string;
  to: string;
  template: string;
  attempts: number;
  /** Why: SES's error, or the stop on the address (退信 or 投诉, with its reason and date). */
  lastError: string;
  failedAt: string;
  /** Given up unsent because the address is stopped (the reason). */
  stopped?: string;
}

/**
 * The emails given up, newest item first: what an operator must look into (a wrong address, a refused message, an
 * address that bounced or complained).
 */
export async function failedEmails(county: string): Promise<FailedEmail[]> {
  const found = await queryAll({
    IndexName: OUTBOX_INDEX.name,
    KeyConditionExpression: '#o = :o',
    ExpressionAttributeNames: { '#o': OUTBOX_INDEX.partition },
    ExpressionAttributeValues: { ':o': keys.outboxFailed(county) },
    ScanIndexForward: false,
  });
  const itemKeys = found.map((k) => ({ pk: String(k.pk), sk: String(k.sk) }));
  const items = await getItems(itemKeys);
  return itemKeys.flatMap((key) =>
    ((items.get(keyId(key))?.notifications ?? []) as Notification[])
      .filter((n) => n.failedAt)
      .map((n) => ({
        key,
        id: n.id,
        to: n.to,
        template: n.template,
        attempts: n.attempts ?? 0,
        lastError: n.lastError ?? '',
        failedAt: n.failedAt ?? '',
        ...(n.stopped ? { stopped: n.stopped } : {}),
      })),
  );
}
