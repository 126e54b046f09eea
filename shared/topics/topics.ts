// Topics (点题): an editor's call for pieces on a subject, with a due day, to every unit or to chosen ones. One item
// per topic (`T#<id>` under the county's topic partition), and one small item listing the open ones (`OPEN`) that a
// submission reads in the BatchGet it makes anyway (the informant, the roster summary), so offering and checking a
// topic costs no extra round trip. A topic is open until it is closed or its due day (Asia/Shanghai) has passed.
import { dayOf, now } from '../core/clock';
import { getItems, type ItemKey, keyId, queryAll, type ReadUsage } from '../store/db';
import { keys } from '../store/keys';

export interface Topic {
  topicId: string;
  title: string;
  description: string;
  /** `2026-12-15`: the last day to answer it. */
  due: string;
  /** Every unit, or the chosen units' ids. */
  units: 'all' | string[];
  createdAt: string;
  createdBy: string;
  /** `2026-12`: the Asia/Shanghai month it was issued in (its responses are read from then on). */
  createdMonth: string;
  closedAt?: string;
  closedBy?: string;
}

/** What the open list keeps of a topic: enough to offer it on the form and to check an answer. */
export type OpenTopic = Pick<Topic, 'topicId' | 'title' | 'due' | 'units'>;

/** Whether `text` is shaped as a topic id (`T2612a1b2c3`): anything else names no topic and is read for none. */
export const isTopicId = (text: string): boolean => /^T\d{4}[0-9a-f]{6}$/.test(text);

/** The month a topic falls due, from its id (`T2612…` → `2026-12`): its items are sorted by it. */
export const dueMonthOf = (topicId: string): string => `20${topicId.slice(1, 3)}-${topicId.slice(3, 5)}`;

/** Sorted by due month, so the topics due from a month on are one range of the partition, whatever the history. */
export const topicKey = (county: string, topicId: string): ItemKey => ({
  pk: keys.topics(county),
  sk: keys.topicSk(`${dueMonthOf(topicId)}#${topicId}`),
});

export const openTopicsKey = (county: string): ItemKey => ({ pk: keys.topics(county), sk: 'OPEN' });

/** Open today: not closed, and its due day not past (Asia/Shanghai). */
export const isOpen = (topic: Pick<Topic, 'due'> & { closedAt?: string }, today = dayOf(now())): boolean =>
  !topic.closedAt && topic.due >= today;

export const isFor = (topic: Pick<Topic, 'units'>, unitId: string | undefined): boolean =>
  unitId !== undefined && (topic.units === 'all' || topic.units.includes(unitId));

type Call = Pick<Topic, 'title' | 'due' | 'units'>;

/** An open list as stored under `attribute` (absent: none), with what is past its due day already left out. */
export function openListOf<T extends Call>(item: Record<string, unknown> | undefined, attribute: string): T[] {
  const listed = Array.isArray(item?.[attribute]) ? (item[attribute] as T[]) : [];
  const today = dayOf(now());
  return listed.filter((t) => isOpen(t, today));
}

/** Of an open list, what a unit may answer, soonest due first. */
export const openForUnit = <T extends Call>(open: T[], unitId: string | undefined): T[] =>
  open
    .filter((t) => isFor(t, unitId))
    .sort((a, b) => a.due.localeCompare(b.due) || a.title.localeCompare(b.title, 'zh'));

export const openTopicsOf = (item: Record<string, unknown> | undefined): OpenTopic[] => openListOf(item, 'topics');

/** The open topics a unit may answer, soonest due first. */
export const openTopicsFor = (item: Record<string, unknown> | undefined, unitId: string | undefined): OpenTopic[] =>
  openForUnit(openTopicsOf(item), unitId);

export async function readTopic(county: string, topicId: string): Promise<Topic | undefined> {
  const key = topicKey(county, topicId);
  const item = (await getItems([key], { consistent: true })).get(keyId(key));
  return item ? (item as unknown as Topic) : undefined;
}

/**
 * The county's topics, newest due first: one Query of one partition (tens a year); `dueFrom` (`2026-10`): only
 * those due in that month or later, a range whose size follows what is current, not the years behind.
 */
export async function listTopics(county: string, dueFrom?: string, usage?: ReadUsage): Promise<Topic[]> {
  const items = await queryAll(
    {
      KeyConditionExpression: dueFrom ? 'pk = :pk AND sk BETWEEN :from AND :to' : 'pk = :pk AND begins_with(sk, :t)',
      ExpressionAttributeValues: dueFrom
        ? { ':pk': keys.topics(county), ':from': keys.topicSk(dueFrom), ':to': 'T#~' }
        : { ':pk': keys.topics(county), ':t': 'T#' },
    },
    usage,
  );
  return (items as unknown as Topic[]).sort(
    (a, b) => b.due.localeCompare(a.due) || b.createdAt.localeCompare(a.createdAt),
  );
}

/** 全部单位, or the chosen units by name, in the order names are read (not the order of their ids). */
export function audienceOf(topic: Pick<Topic, 'units'>, unitNames: Record<string, string>): string {
  if (topic.units === 'all') return '全部单位';
  return topic.units
    .map((id) => unitNames[id] ?? id)
    .sort((a, b) => a.localeCompare(b, 'zh'))
    .join('、');
}
