// Use case: who an answer link (from a 点题 or 重点调研任务 email) lets submit, and what. The link names an informant at
// a key version and one topic or research task; it submits for that informant only a piece answering exactly that
// call, only while the call is open for their unit. It is what routine emails carry instead of the personal key.
// 1. Verify the token (forged: 403; past the due day: 410, pointing to the front page for the personal link).
// 2. Read the informant (current key version, active), the roster summary and the open lists in one BatchGet.
// 3. Find the call among the unit's open ones (closed early, or no longer for their unit: 410 too).
import { config } from '../core/config';
import { ExpiredLinkError, type FieldError } from '../core/errors';
import { type AnswerClaims, answerClaims } from '../links/links';
import type { RawFields } from '../pieces/piece';
import { openTasksFor, openTasksKey } from '../research/tasks';
import { informantOf, type Verified } from '../roster/personalLinks';
import { type ItemKey, keyId } from '../store/db';
import { openTopicsFor, openTopicsKey } from '../topics/topics';

export type CallKind = 'topic' | 'task';

/** The one call an answer link is for, as its open list has it. */
export interface AnswerScope {
  call: CallKind;
  id: string;
  title: string;
  /** `2026-11-30`: the last day it may be answered. */
  due: string;
}

export const CALL_LABELS: Record<CallKind, string> = { topic: '点题', task: '重点调研任务' };

/** Where the informant goes for anything else: the front page sends their personal link to their own address. */
export const PERSONAL_LINK_HINT = '报送其他稿件，请用本人的报送链接（可在首页重新获取，会发到您登记的邮箱）。';

/** How a form or a submission came: the personal key, or an answer link (`a` counts only when there is no key). */
export interface FormAccess {
  k?: unknown;
  a?: unknown;
}

/** Whether a request names an answer link and no personal key. */
export const isAnswer = (access: FormAccess): boolean => access.k === undefined && access.a !== undefined;

export interface Answerer extends Verified {
  scope: AnswerScope;
}

/**
 * The informant an answer link names and the call it is for, with the roster and the items `also` names read in
 * the same call (the open lists of topics and tasks are always among them).
 */
export async function answererOf(a: unknown, also: ItemKey[] = []): Promise<Answerer> {
  const claims = await claimsOf(a);
  const call: CallKind = 'topicId' in claims ? 'topic' : 'task';
  const county = config().countyId;
  const lists = [openTopicsKey(county), openTasksKey(county)];
  const wanted = new Set(lists.map(keyId));
  const verified = await informantOf(claims.personId, claims.keyVersion, [
    ...lists,
    ...also.filter((k) => !wanted.has(keyId(k))),
  ]);
  const { informant, roster } = verified;
  const id = 'topicId' in claims ? claims.topicId : claims.taskId;
  const open =
    call === 'topic'
      ? openTopicsFor(roster.items.get(keyId(lists[0]!)), informant.unitId).map((t) => ({ id: t.topicId, ...t }))
      : openTasksFor(roster.items.get(keyId(lists[1]!)), informant.unitId).map((t) => ({ id: t.taskId, ...t }));
  const found = open.find((t) => t.id === id);
  if (!found) {
    throw new ExpiredLinkError(
      { ...claims },
      `这个${CALL_LABELS[call]}已结束征集（或已不再面向您所在的单位），这个报送链接不能再用。${PERSONAL_LINK_HINT}`,
    );
  }
  return { ...verified, scope: { call, id, title: found.title, due: found.due } };
}

async function claimsOf(a: unknown): Promise<AnswerClaims> {
  try {
    return await answerClaims(a);
  } catch (err) {
    if (!(err instanceof ExpiredLinkError)) throw err;
    const call: CallKind = typeof err.claims.tp === 'string' ? 'topic' : 'task';
    throw new ExpiredLinkError(
      err.claims,
      `这个${CALL_LABELS[call]}已过截止日期，邮件里的报送链接随之失效。${PERSONAL_LINK_HINT}`,
    );
  }
}

const field = (fields: RawFields, name: string): string => {
  const value = fields[name];
  return typeof value === 'string' ? value.trim() : '';
};

/**
 * What a piece sent with an answer link must be, checked on the fields as sent: it answers exactly the link's call —
 * a topic's link takes a piece naming that topic and no research task; a task's link a research paper naming that
 * task and no topic. One message per field, each saying what the link is for and where to go for anything else.
 */
export function answerErrors(scope: AnswerScope, fields: RawFields): FieldError[] {
  const name = `${CALL_LABELS[scope.call]}“${scope.title}”`;
  const errors: FieldError[] = [];
  const topic = field(fields, 'topic');
  const task = field(fields, 'task');
  if (scope.call === 'topic') {
    if (topic !== scope.id) {
      errors.push({
        field: 'topic',
        message: topic
          ? `这个链接只能报送回应${name}的稿件，不能回应其他点题。${PERSONAL_LINK_HINT}`
          : `这个链接只能报送回应${name}的稿件，请在“点题”一栏选择这一点题。${PERSONAL_LINK_HINT}`,
      });
    }
    if (task) {
      errors.push({
        field: 'task',
        message: `这个链接只能报送回应${name}的稿件，不能对应重点调研任务。${PERSONAL_LINK_HINT}`,
      });
    }
    return errors;
  }
  if (field(fields, 'kind') !== 'research') {
    errors.push({
      field: 'kind',
      message: `这个链接只能报送${name}的调研文稿，类型请选“调研文稿”。${PERSONAL_LINK_HINT}`,
    });
  }
  if (task !== scope.id) {
    errors.push({
      field: 'task',
      message: task
        ? `这个链接只能报送${name}的调研文稿，不能对应其他任务。${PERSONAL_LINK_HINT}`
        : `这个链接只能报送${name}的调研文稿，请在“重点调研任务”一栏选择这一任务。${PERSONAL_LINK_HINT}`,
    });
  }
  if (topic) {
    errors.push({ field: 'topic', message: `这个链接只能报送${name}的调研文稿，不能回应点题。${PERSONAL_LINK_HINT}` });
  }
  return errors;
}
