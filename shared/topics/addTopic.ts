// Use case: an editor issues a topic (点题) — on the desk or with `npm run admin -- topic add`.
// 1. Check the fields against the roster's units (nothing is written when one is wrong).
// 2. Put the topic item only if absent: its id is derived from (title, due day), so the same topic sent twice (a
//    second press, a retry) is one topic. The item carries one email per active informant of its units (outbox).
// 3. Add it to the open list (one conditional put on the list's count, tried again when another editor's change
//    came between). A crash between 2 and 3 is mended by issuing it again, which finds the topic and lists it.
import { monthOf, now } from '../core/clock';
import { config } from '../core/config';
import { type NotificationDraft, outboxAttributes } from '../mail/outbox';
import { isActive, listRoster, type Person } from '../roster/people';
import type { Deliver } from '../roster/rosterEvents';
import { type ItemKey, putIfAbsent } from '../store/db';
import { digest } from '../store/keys';
import { editOpenList } from './openList';
import { checkTopic } from './topicInput';
import { readTopic, type Topic, topicKey } from './topics';

export interface AddTopicResult {
  topic: Topic;
  /** False: the same topic was issued before (its emails went then). */
  added: boolean;
  /** Informants it was sent to. */
  recipients: number;
}

/**
 * `T` + the due month (`2612`) + a short hash of the title and due day: readable on the command line, the same for
 * the same topic, and it names where the topic is kept (topics are sorted by due month).
 */
export const topicIdOf = (county: string, title: string, due: string): string =>
  `T${due.slice(2, 4)}${due.slice(5, 7)}${digest(county, title, due).slice(0, 6)}`;

/** The active informants of a call's units (every unit's, for `all`). */
export const informantsOf = (people: Person[], units: 'all' | string[]): Person[] =>
  people.filter(
    (p) => p.role === 'informant' && isActive(p) && p.unitId && (units === 'all' || units.includes(p.unitId)),
  );

/** One email per informant of a call (template `template`, rendered from the call's item). */
export const callNotifications = (informants: Person[], template: string): NotificationDraft[] =>
  informants.map((p) => ({
    to: p.email,
    template,
    personId: p.personId,
    data: { name: p.name, personId: p.personId },
  }));

/**
 * Issues a call for pieces (a topic, a research task) once: its item put only if absent, carrying one email per
 * active informant of its units; what was stored read back when it was there before; listed open unless closed
 * (`list`, a change of its open list that adds it when missing); its emails sent at once by `deliver`, if given.
 */
export async function issueCall<C extends { units: 'all' | string[]; createdAt: string; closedAt?: string }>(spec: {
  key: ItemKey;
  type: string;
  call: C;
  people: Person[];
  template: string;
  read: () => Promise<C | undefined>;
  list: (stored: C) => Promise<void>;
  deliver?: Deliver | undefined;
}): Promise<{ stored: C; added: boolean; recipients: number }> {
  const county = config().countyId;
  const informants = informantsOf(spec.people, spec.call.units);
  const notifications = callNotifications(informants, spec.template);
  const item = {
    ...spec.key,
    type: spec.type,
    ...spec.call,
    ...(notifications.length
      ? outboxAttributes(county, notifications, spec.call.createdAt, { held: spec.deliver !== undefined })
      : {}),
  };
  const added = await putIfAbsent(item);
  const stored = added ? spec.call : ((await spec.read()) ?? spec.call);
  if (!stored.closedAt) await spec.list(stored);
  if (added && spec.deliver && informants[0]) await spec.deliver(item, informants[0]);
  return { stored, added, recipients: added ? informants.length : 0 };
}

export async function addTopic(
  fields: Record<string, unknown>,
  by: { name: string },
  options: { deliver?: Deliver | undefined } = {},
): Promise<AddTopicResult> {
  const county = config().countyId;
  const roster = await listRoster(county);
  const input = checkTopic(fields, Object.fromEntries(roster.units.map((u) => [u.unitId, u.name])));
  const topicId = topicIdOf(county, input.title, input.due);
  const at = now();
  const topic: Topic = {
    topicId,
    ...input,
    createdAt: at.toISOString(),
    createdBy: by.name,
    createdMonth: monthOf(at),
  };
  const { stored, added, recipients } = await issueCall({
    key: topicKey(county, topicId),
    type: 'topic',
    call: topic,
    people: roster.people,
    template: 'topic',
    read: () => readTopic(county, topicId),
    list: (t) =>
      editOpenList(county, (list) =>
        list.some((o) => o.topicId === topicId)
          ? undefined
          : [...list, { topicId, title: t.title, due: t.due, units: t.units }],
      ),
    deliver: options.deliver,
  });
  return { topic: stored, added, recipients };
}
