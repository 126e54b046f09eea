// The outbox: an event item that needs email carries its notifications and a sparse `outbox` key. The writer tries
// to send at once; the sweeper (every minute on AWS, every few seconds locally) finishes whatever is left. Each
// notification is leased before sending and marked sent after, so a send happens once unless a process dies between
// the two (at-least-once, duplicates only in that window). Rendering is the features' business: whoever delivers
// hands over the templates it knows (a request its own; the sweeper every feature's), and a notification whose
// template it was not given is left for the sweeper.
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { SETTLE_MS, settle, withBudget } from '../core/budget';
import { now } from '../core/clock';
import { config } from '../core/config';
import { DroppedEmailError } from '../core/errors';
import { errorFields, log } from '../core/log';
import { db, type ItemKey, isConditionFailed, isOwnWrite, newWriteId, queryAll, tableName } from '../store/db';
import { keys } from '../store/keys';
import { OUTBOX_INDEX } from '../store/tableDefinition';
import { sendEmail } from './ses';
import type { EmailData, EmailTemplates } from './templates';

export interface Notification {
  id: string;
  to: string;
  /** A template name of the feature that wrote the notification. */
  template: string;
  data: EmailData;
  sentAt?: string;
  messageId?: string;
  /** Epoch ms until which nobody else may send this one (a send in progress, or a back-off after a failure). */
  leaseUntil?: number;
  /** Who holds the lease: a sender recognises its own lease after a lost answer. */
  leaseId?: string;
  attempts?: number;
  lastError?: string;
  /** Given up: SES refused it for good, or it failed MAX_ATTEMPTS times. Listed by `npm run admin -- outbox failed`. */
  failedAt?: string;
}

/** A notification as a use case writes it; the outbox numbers them. */
export type NotificationDraft = Omit<Notification, 'id'>;

/** How long a send in progress holds its notification: far beyond a Lambda's 10 s timeout. */
const LEASE_MS = 60_000;
const MAX_BACKOFF_MS = 15 * 60_000;
/** Attempts before a notification is given up (with the back-off, about an hour and a half of trying). */
export const MAX_ATTEMPTS = 10;

export function backoffMs(attempts: number): number {
  return Math.min(MAX_BACKOFF_MS, 15_000 * 2 ** Math.max(0, attempts - 1));
}

/** SES errors that will not go away by trying again: the address or the message is refused. */
const PERMANENT = ['MessageRejected', 'InvalidParameterValue', 'MailFromDomainNotVerifiedException'];

/** The attributes that put an item into the outbox; spread them into the item being written. */
export function outboxAttributes(county: string, notifications: NotificationDraft[], at: string) {
  return {
    notifications: notifications.map((n, i) => ({ ...n, id: `n${i + 1}` })),
    outbox: keys.outbox(county),
    outboxAt: at,
  };
}

export interface DeliveryResult {
  sent: number;
  failed: number;
  pending: number;
}

/**
 * Sends what is due on one item with `templates`, marks each sent, and takes the item out of the outbox when all
 * are sent (or into the failed list, when some were given up).
 */
export async function deliver(key: ItemKey, templates: EmailTemplates): Promise<DeliveryResult> {
  const result: DeliveryResult = { sent: 0, failed: 0, pending: 0 };
  /** This call left one to try again after a back-off: the item surely stays in the outbox. */
  let backingOff = false;
  const out = await db().send(new GetCommand({ TableName: tableName(), Key: key, ConsistentRead: true }));
  const notifications = (out.Item?.notifications ?? []) as Notification[];
  for (const [index, notification] of notifications.entries()) {
    if (notification.sentAt || notification.failedAt) continue;
    const template = templates[notification.template];
    if (!template) {
      result.pending += 1;
      continue;
    }
    const path = `notifications[${index}]`;
    const t = now().getTime();
    if (!(await lease(key, index, t))) {
      result.pending += 1;
      continue;
    }
    let messageId: string;
    try {
      messageId = await sendEmail({ to: notification.to, ...(await template(notification.data)) });
    } catch (err) {
      if (err instanceof DroppedEmailError) {
        await settled(() =>
          update(key, `SET ${path}.sentAt = :at, ${path}.dropped = :why REMOVE ${path}.leaseUntil`, {
            ':at': now().toISOString(),
            ':why': err.message,
          }),
        );
        notification.sentAt = now().toISOString();
        continue;
      }
      const attempts = (notification.attempts ?? 0) + 1;
      const givenUp = attempts >= MAX_ATTEMPTS || (err instanceof Error && PERMANENT.includes(err.name));
      await settled(() =>
        update(
          key,
          `SET ${path}.leaseUntil = :until, ${path}.attempts = :n, ${path}.lastError = :err${givenUp ? `, ${path}.failedAt = :failed` : ''}`,
          {
            ':until': t + backoffMs(attempts),
            ':n': attempts,
            ':err': err instanceof Error ? `${err.name}: ${err.message}`.slice(0, 300) : 'unknown',
            ...(givenUp ? { ':failed': now().toISOString() } : {}),
          },
        ),
      );
      if (givenUp) {
        notification.failedAt = now().toISOString();
        log.error('email given up', { template: notification.template, attempts, ...errorFields(err) });
      } else {
        backingOff = true;
      }
      result.failed += 1;
      continue;
    }
    // Sent: the mark must stick, or the email would go out again once the lease ends.
    await settled(() =>
      update(key, `SET ${path}.sentAt = :at, ${path}.messageId = :id REMOVE ${path}.leaseUntil`, {
        ':at': now().toISOString(),
        ':id': messageId,
      }),
    );
    notification.sentAt = now().toISOString();
    result.sent += 1;
  }
  if (out.Item?.outbox && !backingOff) await leaveOutbox(key, notifications);
  return result;
}

/**
 * Takes the item out of the outbox once every notification is sent, or moves it to the failed list once every one
 * is sent or given up. Tried even when another sweeper sent some of them: the condition keeps it safe.
 */
async function leaveOutbox(key: ItemKey, notifications: Notification[]): Promise<void> {
  const anyFailed = notifications.some((n) => n.failedAt);
  const each = (i: number) =>
    anyFailed
      ? `(attribute_exists(notifications[${i}].sentAt) OR attribute_exists(notifications[${i}].failedAt))`
      : `attribute_exists(notifications[${i}].sentAt)`;
  await settled(() =>
    update(
      key,
      anyFailed ? 'SET outbox = :failed' : 'REMOVE outbox, outboxAt',
      anyFailed ? { ':failed': keys.outboxFailed(config().countyId) } : {},
      notifications.map((_, i) => each(i)).join(' AND ') || undefined,
    ),
  ).catch((err) => {
    if (!isConditionFailed(err)) throw err;
  });
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

async function lease(key: ItemKey, index: number, t: number): Promise<boolean> {
  const path = `notifications[${index}]`;
  const leaseId = newWriteId();
  try {
    await update(
      key,
      `SET ${path}.leaseUntil = :until, ${path}.leaseId = :id`,
      { ':until': t + LEASE_MS, ':now': t, ':id': leaseId },
      `attribute_not_exists(${path}.sentAt) AND attribute_not_exists(${path}.failedAt) AND (attribute_not_exists(${path}.leaseUntil) OR ${path}.leaseUntil <= :now)`,
    );
    return true;
  } catch (err) {
    if (!isConditionFailed(err)) throw err;
    const own = (item: Record<string, unknown>) => (item.notifications as Notification[] | undefined)?.[index]?.leaseId;
    return isOwnWrite(key, leaseId, own);
  }
}

async function update(key: ItemKey, expression: string, values: Record<string, unknown>, condition?: string) {
  await db().send(
    new UpdateCommand({
      TableName: tableName(),
      Key: key,
      UpdateExpression: expression,
      ConditionExpression: condition,
      ExpressionAttributeValues: Object.keys(values).length ? values : undefined,
    }),
  );
}

/** One pass over the county's outbox: every item still holding unsent email gets a delivery attempt. */
export async function sweepOutbox(county: string, templates: EmailTemplates): Promise<DeliveryResult> {
  const total: DeliveryResult = { sent: 0, failed: 0, pending: 0 };
  const pending = await queryAll({
    IndexName: OUTBOX_INDEX.name,
    KeyConditionExpression: '#o = :o',
    ExpressionAttributeNames: { '#o': OUTBOX_INDEX.partition },
    ExpressionAttributeValues: { ':o': keys.outbox(county) },
  });
  for (const item of pending) {
    // One item the store stumbles on does not hold up the others: it is tried again on the next sweep.
    const r = await deliver({ pk: String(item.pk), sk: String(item.sk) }, templates).catch((err) => {
      log.warn('outbox item left for the next sweep', errorFields(err));
      return { sent: 0, failed: 1, pending: 0 };
    });
    total.sent += r.sent;
    total.failed += r.failed;
    total.pending += r.pending;
  }
  return total;
}

export interface FailedEmail {
  key: ItemKey;
  id: string;
  to: string;
  template: string;
  attempts: number;
  lastError: string;
  failedAt: string;
}

/** The emails given up, newest item first: what an operator must look into (a wrong address, a refused message). */
export async function failedEmails(county: string): Promise<FailedEmail[]> {
  const items = await queryAll({
    IndexName: OUTBOX_INDEX.name,
    KeyConditionExpression: '#o = :o',
    ExpressionAttributeNames: { '#o': OUTBOX_INDEX.partition },
    ExpressionAttributeValues: { ':o': keys.outboxFailed(county) },
    ScanIndexForward: false,
  });
  const full = await Promise.all(
    items.map((k) =>
      db().send(new GetCommand({ TableName: tableName(), Key: { pk: String(k.pk), sk: String(k.sk) } })),
    ),
  );
  return full.flatMap((out) =>
    ((out.Item?.notifications ?? []) as Notification[])
      .filter((n) => n.failedAt)
      .map((n) => ({
        key: { pk: String(out.Item?.pk), sk: String(out.Item?.sk) },
        id: n.id,
        to: n.to,
        template: n.template,
        attempts: n.attempts ?? 0,
        lastError: n.lastError ?? '',
        failedAt: n.failedAt ?? '',
      })),
  );
}
