// Use case (daily job): remind the editors of every revision that has waited longer than the configured days.
// 1. Query the sparse `awaiting` index for revisions waiting since before the cutoff (oldest first; no Scan).
// 2. One batched read of what decides each: the revision, the event after it (its decision, if any) and today's
//    reminder (if this job already ran today), with the roster summary (the editors).
// 3. A revision decided meanwhile leaves the index, no reminder. For each other one not yet reminded today, one
//    reminder item (deterministic key per Asia/Shanghai day: running twice reminds once) with a fresh review link
//    for each editor, held and sent at once, all pieces together.
import { now, shanghai } from '../core/clock';
import { config } from '../core/config';
import { errorFields, log } from '../core/log';
import { deliverWritten, outboxAttributes } from '../mail/outbox';
import { clearAwaiting, decisionKey, type PieceEvent, waitingRevisions } from '../pieces/events';
import { readWithRoster, rosterRecipients } from '../roster/people';
import { type ItemKey, keyId, putIfAbsent } from '../store/db';
import { reviewTemplates } from './emails';
import { reviewRequests, reviewSubject } from './reviewRequests';

export interface ReminderResult {
  reminded: number;
  cleared: number;
}

const reminderKey = (key: ItemKey, day: string): ItemKey => ({ pk: key.pk, sk: `R#${key.sk}#${day}` });

export async function sendReminders(county: string = config().countyId): Promise<ReminderResult> {
  const at = now();
  const cutoff = new Date(at.getTime() - config().reminderAfterDays * 86_400_000).toISOString();
  const t = shanghai(at);
  const day = `${t.year}-${String(t.month).padStart(2, '0')}-${String(t.day).padStart(2, '0')}`;
  const result: ReminderResult = { reminded: 0, cleared: 0 };
  const waiting = await waitingRevisions(county, cutoff);
  if (waiting.length === 0) return result;
  const { summary, items } = await readWithRoster(
    county,
    [],
    waiting.flatMap((key) => [key, decisionKey(key), reminderKey(key, day)]),
  );
  const editors = summary.editors;
  const recipients = rosterRecipients(county, { editors });
  const runs = await Promise.allSettled(
    waiting.map(async (key) => {
      const revision = items.get(keyId(key)) as PieceEvent | undefined;
      if (!revision || items.has(keyId(decisionKey(key)))) {
        await clearAwaiting(key).catch((err) => log.warn('awaiting mark left for tomorrow', errorFields(err)));
        result.cleared += 1;
        return;
      }
      if (editors.length === 0 || items.has(keyId(reminderKey(key, day)))) return;
      const item = {
        ...reminderKey(key, day),
        type: 'reminder',
        at: at.toISOString(),
        subject: reviewSubject(revision, { unitName: summary.units[revision.unitId] }),
        ...outboxAttributes(county, reviewRequests(editors, revision, at, 'reminder'), at.toISOString()),
      };
      if (!(await putIfAbsent(item))) return;
      result.reminded += 1;
      await deliverWritten(item, { templates: reviewTemplates, recipients }).catch((err) =>
        log.warn('reminder left to the sweeper', { receipt: revision.receipt, ...errorFields(err) }),
      );
    }),
  );
  // A piece the store stumbled on fails the run (after the others are done), so the schedule's retry reminds it.
  const failed = runs.find((r) => r.status === 'rejected');
  if (failed) throw failed.reason;
  return result;
}
