// A topic's responses: the pieces that answer it, by unit. Read from the month partitions of the report index over
// the topic's life only (the month it was issued to the month it fell due, or to now), never the whole history.
import { monthOf, monthsFrom, now } from '../core/clock';
import type { PieceEvent } from '../pieces/events';
import { monthsEvents } from '../reports/issueStats';
import { isFor, type Topic } from './topics';

export interface UnitResponse {
  unitId: string;
  name: string;
  /** Receipts of the pieces answering it, ascending. */
  receipts: string[];
}

export interface TopicResponses {
  /** Units that answered, most pieces first. */
  answered: UnitResponse[];
  /** Units the topic was for that have not answered (only those expected to send: with informants), by name. */
  unanswered: { unitId: string; name: string }[];
}

/** The months a topic's answers can be in, up to `until` (`2026-11`, default: this month). */
export function topicMonths(topic: Pick<Topic, 'createdMonth' | 'due'>, until = monthOf(now())): string[] {
  // Answers are first sent by the due day: a revision later on keeps its topic, and its piece is counted already.
  const [last] = [topic.due.slice(0, 7), until].sort();
  return monthsFrom(topic.createdMonth, last!);
}

/** Pure: the pieces answering each topic among the events, by topic and unit (a piece once, on its first revision). */
export function answersIn(events: PieceEvent[]): Map<string, Map<string, Set<string>>> {
  const out = new Map<string, Map<string, Set<string>>>();
  for (const e of events) {
    if ((e.type !== 'submitted' && e.type !== 'revised') || !e.topicId) continue;
    const byUnit = out.get(e.topicId) ?? new Map<string, Set<string>>();
    out.set(e.topicId, byUnit);
    const receipts = byUnit.get(e.unitId) ?? new Set<string>();
    byUnit.set(e.unitId, receipts);
    receipts.add(e.receipt);
  }
  return out;
}

/** One topic's responses from its answers, against the units it was for. */
export function responsesOf(
  topic: Pick<Topic, 'topicId' | 'units'>,
  answers: Map<string, Map<string, Set<string>>>,
  units: { names: Record<string, string>; reporting: string[] },
): TopicResponses {
  const byUnit = answers.get(topic.topicId) ?? new Map<string, Set<string>>();
  const answered = [...byUnit.entries()]
    .map(([unitId, receipts]) => ({
      unitId,
      name: units.names[unitId] ?? `（已不在名单中的单位 ${unitId}）`,
      receipts: [...receipts].sort(),
    }))
    .sort((a, b) => b.receipts.length - a.receipts.length || a.name.localeCompare(b.name, 'zh'));
  const unanswered = units.reporting
    .filter((unitId) => isFor(topic, unitId) && !byUnit.has(unitId))
    .map((unitId) => ({ unitId, name: units.names[unitId] ?? unitId }))
    .sort((a, b) => a.name.localeCompare(b.name, 'zh'));
  return { answered, unanswered };
}

/** A topic's responses now: the month partitions of its life, read together. */
export async function topicResponses(
  county: string,
  topic: Topic,
  units: { names: Record<string, string>; reporting: string[] },
): Promise<TopicResponses> {
  const events = (await monthsEvents(county, topicMonths(topic))).flat();
  return responsesOf(topic, answersIn(events), units);
}
