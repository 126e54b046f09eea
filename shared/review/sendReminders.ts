// Use case (daily job): remind the editors of every revision that has waited longer than the configured days.
// 1. Query the sparse `awaiting` index for revisions waiting since before the cutoff (oldest first; no Scan).
// 2. Re-check each against its events: one decided or superseded meanwhile leaves the index, no reminder.
// 3. Write one reminder item per piece per Asia/Shanghai day (deterministic key: running twice reminds once), with
//    a fresh review link for each editor, through the outbox.
import { now, shanghai } from '../core/clock';
import { config } from '../core/config';
import { errorFields, log } from '../core/log';
import { deliver, outboxAttributes } from '../mail/outbox';
import { clearAwaiting, decisionOn, latestRevision, pieceEvents } from '../pieces/events';
import { putIfAbsent, queryAll } from '../store/db';
import { keys } from '../store/keys';
import { AWAITING_INDEX } from '../store/tableDefinition';
import { reviewTemplates } from './emails';
import { editorsOf, reviewRequests } from './reviewRequests';

export interface ReminderResult {
  reminded: number;
  cleared: number;
}

export async function sendReminders(county: string = config().countyId): Promise<ReminderResult> {
  const at = now();
  const cutoff = new Date(at.getTime() - config().reminderAfterDays * 86_400_000).toISOString();
  const t = shanghai(at);
  const day = `${t.year}-${String(t.month).padStart(2, '0')}-${String(t.day).padStart(2, '0')}`;
  const result: ReminderResult = { reminded: 0, cleared: 0 };
  const editors = await editorsOf(county);
  const waitingKeys = await queryAll({
    IndexName: AWAITING_INDEX.name,
    KeyConditionExpression: '#a = :a AND #since <= :cutoff',
    ExpressionAttributeNames: { '#a': AWAITING_INDEX.partition, '#since': AWAITING_INDEX.sort },
    ExpressionAttributeValues: { ':a': keys.awaiting(county), ':cutoff': cutoff },
  });
  for (const key of waitingKeys) {
    const pk = String(key.pk);
    const events = await pieceEvents(county, pk.slice(keys.piece(county, '').length));
    const waiting = events.find((e) => e.sk === key.sk);
    if (!waiting || decisionOn(events, waiting.revision) || latestRevision(events).revision > waiting.revision) {
      await clearAwaiting({ pk, sk: String(key.sk) });
      result.cleared += 1;
      continue;
    }
    const sk = `R#${waiting.revision}#${day}`;
    const item = {
      pk,
      sk,
      type: 'reminder',
      at: at.toISOString(),
      ...outboxAttributes(county, reviewRequests(editors, waiting, at, 'reminder'), at.toISOString()),
    };
    if (editors.length === 0 || !(await putIfAbsent(item))) continue;
    result.reminded += 1;
    await deliver({ pk, sk }, reviewTemplates).catch((err) =>
      log.warn('reminder left to the sweeper', { receipt: waiting.receipt, ...errorFields(err) }),
    );
  }
  return result;
}
