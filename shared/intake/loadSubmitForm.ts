// Use case: what the submission form needs to show for a personal key — the informant, their unit, open topics —
// and, right after a submission, the piece just sent (the form is where a successful submission lands: 报送成功
// above, the empty form below for the next piece).
import { config } from '../core/config';
import { type PieceEvent, pieceEvents } from '../pieces/events';
import { openTasksFor, openTasksKey } from '../research/tasks';
import type { Person } from '../roster/people';
import { informantByKey, receiptPath } from '../roster/personalLinks';
import { keyId } from '../store/db';
import { openTopicsFor, openTopicsKey } from '../topics/topics';
import { isPieceId } from './receiptNumbers';

export interface SentPiece {
  piece: PieceEvent;
  /** Its receipt page (read-only link). */
  receiptPath: string;
}

export interface SubmitFormData {
  k: string;
  informant: Person;
  unitName: string;
  topics: { id: string; title: string }[];
  /** The unit's open 重点调研 tasks, for a research paper. */
  tasks: { id: string; title: string }[];
  sent?: SentPiece;
}

/**
 * One read: the informant, the roster summary (the unit's name) and the open topics together; with the piece just
 * sent beside it.
 */
export async function loadSubmitForm(k: unknown, sentPieceId?: unknown): Promise<SubmitFormData> {
  const wanted = isPieceId(sentPieceId) ? sentPieceId : undefined;
  const county = config().countyId;
  const [{ informant, roster }, events] = await Promise.all([
    informantByKey(k, [openTopicsKey(county), openTasksKey(county)]),
    wanted ? pieceEvents(county, wanted) : Promise.resolve([]),
  ]);
  const unitName = (informant.unitId && roster.summary.units[informant.unitId]) || '未关联单位';
  // Someone else's piece is not shown (receipt numbers are guessable): the form alone.
  const first = events[0];
  const sent =
    first && first.informantId === informant.personId
      ? { piece: first, receiptPath: await receiptPath(first.pieceId, informant) }
      : undefined;
  const topics = openTopicsFor(roster.items.get(keyId(openTopicsKey(county))), informant.unitId).map((t) => ({
    id: t.topicId,
    title: `${t.title}（${t.due} 截止）`,
  }));
  const tasks = openTasksFor(roster.items.get(keyId(openTasksKey(county))), informant.unitId).map((t) => ({
    id: t.taskId,
    title: `${t.title}（${t.due} 截止）`,
  }));
  return { k: String(k), informant, unitName, topics, tasks, ...(sent ? { sent } : {}) };
}
