// The outbox: an event item that needs email carries its notifications and a sparse `outbox` key. The writer tries
// to send at once; the sweeper (every minute on AWS, every few seconds locally) finishes whatever is left. Each
// notification is leased before sending and marked sent after, so a send happens once unless a process dies between
// the two (at-least-once, duplicates only in that window). Rendering is the features' business: whoever delivers
// hands over the templates it knows (a request its own; the sweeper every feature's), and a notification whose
// template it was not given is left for the sweeper.
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { now } from '../core/clock';
import { DroppedEmailError } from '../core/errors';
import { db, isConditionFailed, queryAll, tableName } from '../store/db';
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
  attempts?: number;
  lastError?: string;
}

/** A notification as a use case writes it; the outbox numbers them. */
export type NotificationDraft = Omit<Notification, 'id'>;

export interface ItemKey {
  pk: string;
  sk: string;
}

/** How long a send in progress holds its notification: far beyond a Lambda's 10 s timeout. */
const LEASE_MS = 60_000;
const MAX_BACKOFF_MS = 15 * 60_000;

export function backoffMs(attempts: number): number {
  return Math.min(MAX_BACKOFF_MS, 15_000 * 2 ** Math.max(0, attempts - 1));
}

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
 * are sent.
 */
export async function deliver(key: ItemKey, templates: EmailTemplates): Promise<DeliveryResult> {
  const result: DeliveryResult = { sent: 0, failed: 0, pending: 0 };
  const out = await db().send(new GetCommand({ TableName: tableName(), Key: key, ConsistentRead: true }));
  const notifications = (out.Item?.notifications ?? []) as Notification[];
  for (const [index, notification] of notifications.entries()) {
    if (notification.sentAt) continue;
    const template = templates[notification.template];
    if (!template) {
      result.pending += 1;
      continue;
    }
    const path = `notifications[${index}]`;
    const t = now().getTime();
    if (!(await lease(key, path, t))) {
      result.pending += 1;
      continue;
    }
    try {
      const messageId = await sendEmail({ to: notification.to, ...(await template(notification.data)) });
      await update(key, `SET ${path}.sentAt = :at, ${path}.messageId = :id REMOVE ${path}.leaseUntil`, {
        ':at': now().toISOString(),
        ':id': messageId,
      });
      notification.sentAt = now().toISOString();
      result.sent += 1;
    } catch (err) {
      if (err instanceof DroppedEmailError) {
        await update(key, `SET ${path}.sentAt = :at, ${path}.dropped = :why REMOVE ${path}.leaseUntil`, {
          ':at': now().toISOString(),
          ':why': err.message,
        });
        notification.sentAt = now().toISOString();
        continue;
      }
      const attempts = (notification.attempts ?? 0) + 1;
      await update(key, `SET ${path}.leaseUntil = :until, ${path}.attempts = :n, ${path}.lastError = :err`, {
        ':until': t + backoffMs(attempts),
        ':n': attempts,
        ':err': err instanceof Error ? `${err.name}: ${err.message}`.slice(0, 300) : 'unknown',
      });
      result.failed += 1;
    }
  }
  // Tried even when another sweeper sent some of them: the condition (every one sent) keeps it safe.
  if (out.Item?.outbox && result.failed === 0) {
    await update(
      key,
      'REMOVE outbox, outboxAt',
      {},
      notifications.map((_, i) => `attribute_exists(notifications[${i}].sentAt)`).join(' AND ') || undefined,
    ).catch((err) => {
      if (!isConditionFailed(err)) throw err;
    });
  }
  return result;
}

async function lease(key: ItemKey, path: string, t: number): Promise<boolean> {
  try {
    await update(
      key,
      `SET ${path}.leaseUntil = :until`,
      { ':until': t + LEASE_MS, ':now': t },
      `attribute_not_exists(${path}.sentAt) AND (attribute_not_exists(${path}.leaseUntil) OR ${path}.leaseUntil <= :now)`,
    );
    return true;
  } catch (err) {
    if (isConditionFailed(err)) return false;
    throw err;
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
    const r = await deliver({ pk: String(item.pk), sk: String(item.sk) }, templates);
    total.sent += r.sent;
    total.failed += r.failed;
    total.pending += r.pending;
  }
  return total;
}
