// Roster events: a welcome, a fresh link after a revoke, a link someone asked for. Each is an item that carries
// its email through the outbox, under a deterministic key, so repeating the action never repeats the email.

import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { now } from '../core/clock';
import { config } from '../core/config';
import { errorFields, log } from '../core/log';
import { deliver, outboxAttributes } from '../mail/outbox';
import { db, isConditionFailed, isOwnWrite, newWriteId, putIfAbsent, tableName } from '../store/db';
import { keys } from '../store/keys';
import { expiresAt } from '../store/tableDefinition';
import { type RosterTemplate, rosterTemplates } from './emails';
import type { Person } from './people';

/**
 * Writes the event `sk` for `person` with one email of `template`; false when it already exists.
 * `sendNow` tries the email at once; otherwise the sweeper sends it.
 */
export async function recordLinkEmail(
  person: Person,
  sk: string,
  template: RosterTemplate,
  extra: { unitName?: string; sendNow: boolean },
): Promise<boolean> {
  const county = config().countyId;
  const at = now().toISOString();
  const item = {
    pk: keys.rosterEvents(county),
    sk,
    type: template,
    personId: person.personId,
    at,
    ...outboxAttributes(
      county,
      [
        {
          to: person.email,
          template,
          data: {
            name: person.name,
            personId: person.personId,
            unitName: extra.unitName ?? '',
          },
        },
      ],
      at,
    ),
  };
  if (!(await putIfAbsent(item))) return false;
  if (extra.sendNow) {
    await deliver({ pk: item.pk, sk }, rosterTemplates).catch((err) =>
      log.warn('roster email left to the sweeper', { personId: person.personId, ...errorFields(err) }),
    );
  }
  return true;
}

/**
 * At most one action per person per window, measured from the last one that went through (not by clock blocks):
 * a conditional update of one marker item, so concurrent requests let exactly one through.
 */
export async function throttle(name: string, subject: string, windowMs: number): Promise<boolean> {
  const t = now().getTime();
  const key = { pk: keys.rosterEvents(config().countyId), sk: `LAST#${name}#${subject}` };
  const writeId = newWriteId();
  try {
    await db().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: key,
        UpdateExpression: 'SET #at = :now, writeId = :id, expiresAt = :exp',
        ConditionExpression: 'attribute_not_exists(#at) OR #at <= :cutoff',
        ExpressionAttributeNames: { '#at': 'at' },
        ExpressionAttributeValues: {
          ':now': t,
          ':cutoff': t - windowMs,
          ':id': writeId,
          ':exp': expiresAt(t + windowMs),
        },
      }),
    );
    return true;
  } catch (err) {
    if (!isConditionFailed(err)) throw err;
    return isOwnWrite(key, writeId); // the marker this very call set, its answer lost
  }
}
