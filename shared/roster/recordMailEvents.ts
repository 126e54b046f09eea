// Use case: what SES says became of the county's emails — bounces and complaints, from the configuration set's SNS
// topic (functions/mailEvents.ts) — recorded on the people they were for, so that mail to a dead or unwilling address
// stops (mail/deliveryEvents.ts says which marks stop it) and the desk's 名单 shows why.
// 1. Each message read into marks, one per recipient; a message that is not a bounce or a complaint, or cannot be
//    read, is logged and skipped, never thrown (SNS would bring it back for nothing).
// 2. Each mark, one conditional update of the person with that address (a person's id derives from the address: a
//    key, no Scan, no index): the mark set — `mailStop` for a stop, with the event's id added to the person's
//    stopping events; `mailNote` for a transient bounce, which holds its own id. The condition: the person is there
//    with that address, and the event is not recorded yet. On a failed condition the person is read back: the event
//    there is this write after a lost answer, or SNS delivering it twice — recorded, once; nobody with the address
//    is ignored.
// 3. An editor's stop is copied into the roster summary (where review requests find the editors), so it applies there.
// A store failure throws once every mark was tried: Lambda runs the event again, and what was recorded stays once.
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { now } from '../core/clock';
import { config } from '../core/config';
import { errorFields, log } from '../core/log';
import { type MailMark, readMailEvent } from '../mail/deliveryEvents';
import { db, isConditionFailed, tableName } from '../store/db';
import { personIdOf } from '../store/keys';
import { getPerson, type Person, personKey, refreshSummary } from './people';

export interface MailEventsResult {
  /** Marks written by this call. */
  recorded: number;
  /** Marks found recorded already (SES's second delivery, or a retry after this call's own lost answer). */
  already: number;
  /** Recipients who are nobody in the roster (a trial send, an address since corrected), and messages skipped. */
  ignored: number;
}

type Outcome = 'recorded' | 'already' | 'ignored';

/** Records the bounces and complaints in `messages` (each an SNS message's text). */
export async function recordMailEvents(messages: string[]): Promise<MailEventsResult> {
  const county = config().countyId;
  const result: MailEventsResult = { recorded: 0, already: 0, ignored: 0 };
  const received = now().toISOString();
  let failure: unknown;
  let editorStopped = false;
  for (const message of messages) {
    const { marks, ignored } = readMailEvent(message, received);
    if (ignored) {
      log.warn('mail event ignored', { why: ignored });
      result.ignored += 1;
    }
    // One at a time: bounces are few, and a store that stumbles on one is not asked for the rest at once.
    for (const mark of marks) {
      try {
        const { outcome, person } = await recordMark(county, mark);
        result[outcome] += 1;
        if (outcome === 'ignored') log.warn('mail event for an address not in the roster', { kind: mark.kind });
        if (outcome === 'recorded' && mark.kind !== 'transient') {
          // Someone must correct the roster (or the mailbox): the alarm's line, once per event.
          log.error('email address stopped', { kind: mark.kind, personId: person?.personId, reason: mark.reason });
        }
        if (person?.role === 'editor' && mark.kind !== 'transient') editorStopped = true;
      } catch (err) {
        log.warn('mail event left for a retry', { kind: mark.kind, ...errorFields(err) });
        failure ??= err;
      }
    }
  }
  // Also when the mark was there already: the run that wrote it may have failed before this step.
  if (editorStopped && failure === undefined) await refreshSummary(county);
  if (failure !== undefined) throw failure;
  return result;
}

/**
 * A stop's event ids are kept in a set on the person (few: mail to the address stops with the first), so that an
 * event delivered again after 恢复发送 does not stop the address again. A transient bounce may come every month for
 * years: only the last one is kept, and a second delivery of it is known by its id.
 */
const isRecorded = (person: StoredPerson, mark: MailMark): boolean =>
  mark.kind === 'transient'
    ? person.mailNote?.eventId === mark.eventId
    : (person.mailEventIds?.has(mark.eventId) ?? false);

type StoredPerson = Person & { mailEventIds?: Set<string> };

/** One mark on the person with its address: one conditional update; its outcome, and the person as stored. */
async function recordMark(county: string, mark: MailMark): Promise<{ outcome: Outcome; person?: Person }> {
  const personId = personIdOf(county, mark.address);
  const stop = mark.kind !== 'transient';
  try {
    const out = await db().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: personKey(county, personId),
        UpdateExpression: stop ? 'SET mailStop = :mark ADD mailEventIds :ids' : 'SET mailNote = :mark',
        ConditionExpression: `attribute_exists(pk) AND email = :address AND ${
          stop ? 'NOT contains(mailEventIds, :id)' : '(attribute_not_exists(mailNote) OR mailNote.eventId <> :id)'
        }`,
        ExpressionAttributeValues: {
          ':mark': mark,
          ':id': mark.eventId,
          ':address': mark.address,
          ...(stop ? { ':ids': new Set([mark.eventId]) } : {}),
        },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return { outcome: 'recorded', person: out.Attributes as Person | undefined };
  } catch (err) {
    if (!isConditionFailed(err)) throw err;
  }
  const person = (await getPerson(county, personId, { consistent: true })) as StoredPerson | undefined;
  if (!person || person.email !== mark.address) return { outcome: 'ignored' };
  if (isRecorded(person, mark)) return { outcome: 'already', person };
  // The condition failed and yet holds now: the person was written in between (an import). Said, and tried again.
  throw new Error('the person changed while the mail event was recorded');
}
