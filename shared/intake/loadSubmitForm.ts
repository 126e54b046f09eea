// Use case: what the submission form needs to show — the informant, their unit, open topics and tasks — and, right
// after a submission, the piece just sent (the form is where a successful submission lands: 报送成功 above, the
// empty form below for the next piece). Opened with the personal key (`k`: every open topic and task of the unit), or
// with an answer link from a 点题 or 重点调研任务 email (`a`: that one call alone, and nothing on the page carries
// the personal key).
import { config } from '../core/config';
import { mineToken } from '../links/links';
import { type PieceEvent, pieceEvents } from '../pieces/events';
import { openTasksFor, openTasksKey } from '../research/tasks';
import type { Person } from '../roster/people';
import { informantByKey, receiptPath, type Verified } from '../roster/personalLinks';
import { keyId } from '../store/db';
import { openTopicsFor, openTopicsKey } from '../topics/topics';
import { type Answerer, type AnswerScope, answererOf, type FormAccess, isAnswer } from './answerLink';
import { isPieceId } from './receiptNumbers';

export interface SentPiece {
  piece: PieceEvent;
  /** Its receipt page (read-only link). */
  receiptPath: string;
}

interface FormBase {
  informant: Person;
  unitName: string;
  topics: { id: string; title: string }[];
  /** The unit's open 重点调研 tasks, for a research paper. */
  tasks: { id: string; title: string }[];
  sent?: SentPiece;
}

export type SubmitFormData =
  | (FormBase & { k: string })
  | (FormBase & {
      /** The answer link the page was opened with, and the one call it answers. */
      a: string;
      answer: AnswerScope;
      /** The informant's read-only 我的报送 (`/mine?m=…`): the page's way to their pieces, never the personal key. */
      minePath: string;
    });

const titled = (t: { title: string; due: string }) => `${t.title}（${t.due} 截止）`;

/**
 * One read: the informant, the roster summary (the unit's name) and the open topics and tasks together; with the
 * piece just sent beside it.
 */
export async function loadSubmitForm(access: FormAccess, sentPieceId?: unknown): Promise<SubmitFormData> {
  const wanted = isPieceId(sentPieceId) ? sentPieceId : undefined;
  const county = config().countyId;
  const lists = [openTopicsKey(county), openTasksKey(county)];
  const [verified, events] = await Promise.all([
    isAnswer(access)
      ? answererOf(access.a, lists)
      : informantByKey(access.k, lists).then((v): Verified & Partial<Answerer> => v),
    wanted ? pieceEvents(county, wanted) : Promise.resolve([]),
  ]);
  const { informant, roster, scope } = verified;
  const unitName = (informant.unitId && roster.summary.units[informant.unitId]) || '未关联单位';
  // Someone else's piece is not shown (receipt numbers are guessable): the form alone.
  const first = events[0];
  const sent =
    first && first.informantId === informant.personId
      ? { piece: first, receiptPath: await receiptPath(first.pieceId, informant) }
      : undefined;
  const base = { informant, unitName, ...(sent ? { sent } : {}) };
  if (scope) {
    const only = [{ id: scope.id, title: titled(scope) }];
    return {
      ...base,
      topics: scope.call === 'topic' ? only : [],
      tasks: scope.call === 'task' ? only : [],
      a: String(access.a),
      answer: scope,
      minePath: `/mine?m=${await mineToken(informant.personId, informant.keyVersion)}`,
    };
  }
  const topics = openTopicsFor(roster.items.get(keyId(lists[0]!)), informant.unitId).map((t) => ({
    id: t.topicId,
    title: titled(t),
  }));
  const tasks = openTasksFor(roster.items.get(keyId(lists[1]!)), informant.unitId).map((t) => ({
    id: t.taskId,
    title: titled(t),
  }));
  return { ...base, topics, tasks, k: String(access.k) };
}
