// Pieces (稿件): what an informant submits, validated here, stored as events (one item per change).
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { monthOf } from './clock';
import { db, isConditionFailed, queryAll, tableName } from './db';
import { type FieldError, ValidationError } from './errors';
import { keys } from './keys';
import type { Notification } from './outbox';

export type PieceKind = 'info' | 'research';

export const KIND_LABELS: Record<PieceKind, string> = { info: '信息', research: '调研文稿' };

export const LIMITS = { titleMax: 100, bodyMin: 20, bodyMax: 20_000, signerMax: 50 } as const;

export interface PieceInput {
  kind: PieceKind;
  title: string;
  body: string;
  topicId?: string;
  signer?: string;
}

/** Raw fields as a client sent them (form or JSON): anything may be missing or of the wrong type. */
export type RawFields = Record<string, unknown>;

const length = (s: string) => [...s].length;
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is being rejected
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;

const LABELS: Record<string, string> = { kind: '类型', title: '标题', body: '正文', topic: '点题', signer: '签发领导' };

/** Collects at most one message per field: the first problem found is the one worth telling. */
class FieldErrors {
  readonly list: FieldError[] = [];
  add(field: string, message: string): void {
    if (!this.has(field)) this.list.push({ field, message });
  }
  has(field: string): boolean {
    return this.list.some((e) => e.field === field);
  }
}

function text(fields: RawFields, name: string, errors: FieldErrors): string {
  const value = fields[name];
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') {
    errors.add(name, `${LABELS[name] ?? name}格式不正确，请重新填写。`);
    return '';
  }
  // Half of a surrogate pair cannot be encoded in an email or stored as UTF-8: refuse it here, not in the outbox.
  if (CONTROL.test(value) || !value.isWellFormed()) {
    errors.add(name, `${LABELS[name] ?? name}含有无法识别的字符。`);
    return '';
  }
  return value;
}

/**
 * Checks every field and returns the cleaned piece, or throws one ValidationError naming each bad field once.
 * `openTopicIds` are the topics the informant's unit may answer; unknown topics are refused.
 */
export function validatePiece(fields: RawFields, openTopicIds: readonly string[] = []): PieceInput {
  const errors = new FieldErrors();
  const kind = text(fields, 'kind', errors).trim();
  // A title is one line: line breaks pasted into it become spaces (and never reach an email header).
  const title = text(fields, 'title', errors).replace(/\s+/g, ' ').trim();
  const body = text(fields, 'body', errors).replace(/\r\n?/g, '\n').trim();
  const topicId = text(fields, 'topic', errors).trim();
  const signer = text(fields, 'signer', errors).replace(/\s+/g, ' ').trim();

  if (kind !== 'info' && kind !== 'research') errors.add('kind', '请选择稿件类型：信息或调研文稿。');
  if (title === '') errors.add('title', '请填写标题。');
  else if (length(title) > LIMITS.titleMax) {
    errors.add('title', `标题不能超过 ${LIMITS.titleMax} 字（现有 ${length(title)} 字）。`);
  }
  if (body === '') errors.add('body', '请填写正文。');
  else if (length(body) < LIMITS.bodyMin) {
    errors.add('body', `正文至少 ${LIMITS.bodyMin} 字（现有 ${length(body)} 字）。`);
  } else if (length(body) > LIMITS.bodyMax) {
    errors.add('body', `正文不能超过 ${LIMITS.bodyMax} 字（现有 ${length(body)} 字）。`);
  }
  if (topicId !== '' && !openTopicIds.includes(topicId)) {
    errors.add('topic', '所选点题不存在或已截止，请重新选择。');
  }
  if (length(signer) > LIMITS.signerMax) errors.add('signer', `签发领导不能超过 ${LIMITS.signerMax} 字。`);

  if (errors.list.length > 0) throw new ValidationError(errors.list);
  return {
    kind: kind as PieceKind,
    title,
    body,
    ...(topicId ? { topicId } : {}),
    ...(signer ? { signer } : {}),
  };
}

export type DecisionType = 'accepted' | 'returned' | 'rejected';
export type EventType = 'submitted' | 'revised' | DecisionType;

export const DECISION_TYPES: readonly DecisionType[] = ['accepted', 'returned', 'rejected'];

/**
 * One change to a piece, stored as `E#<seq>` under the piece. The order is strict: a revision (`submitted` for the
 * first, `revised` after a return) is followed by exactly one decision at the next sequence number, which is what
 * makes two editors deciding at once produce one winner.
 */
export interface PieceEvent {
  pk: string;
  sk: string;
  type: EventType;
  seq: number;
  at: string;
  county: string;
  pieceId: string;
  receipt: string;
  revision: number;
  unitId: string;
  informantId: string;
  kind: PieceKind;
  /** On revisions: the text as submitted. */
  title?: string;
  body?: string;
  topicId?: string;
  signer?: string;
  /** On decisions: who decided, the feedback or remark, and the 《组工专报》 issue for an acceptance. */
  editorId?: string;
  editorName?: string;
  comment?: string;
  issueNo?: number;
  /** Report keys: the Asia/Shanghai month the event counts in. */
  gsi1pk: string;
  gsi1sk: string;
  /** On a revision still waiting for a decision (sparse index read by the reminder job). */
  awaiting?: string;
  awaitingSince?: string;
  notifications?: Notification[];
}

/** The report-index keys of an event: the Asia/Shanghai month it counts in, ordered by time within the month. */
export function monthKeys(county: string, at: Date, receipt: string, seq: number): { gsi1pk: string; gsi1sk: string } {
  return {
    gsi1pk: keys.month(county, monthOf(at)),
    gsi1sk: `${at.toISOString()}#${receipt}#${keys.eventSk(seq).slice(2)}`,
  };
}

export const isRevision = (e: PieceEvent) => e.type === 'submitted' || e.type === 'revised';
export const isDecision = (e: PieceEvent) => (DECISION_TYPES as readonly string[]).includes(e.type);

/** The newest revision of a piece (its text and the sequence number its decision will take). */
export function latestRevision(events: PieceEvent[]): PieceEvent {
  const revision = events.findLast(isRevision);
  if (!revision) throw new Error('a piece without a submitted event');
  return revision;
}

export function decisionOn(events: PieceEvent[], revision: number): PieceEvent | undefined {
  return events.find((e) => isDecision(e) && e.revision === revision);
}

/** Writes an event only if its sequence number is free: two writers of the same step get one winner. */
export async function putEventIfNew(event: Record<string, unknown>): Promise<boolean> {
  try {
    await db().send(
      new PutCommand({ TableName: tableName(), Item: event, ConditionExpression: 'attribute_not_exists(pk)' }),
    );
    return true;
  } catch (err) {
    if (isConditionFailed(err)) return false;
    throw err;
  }
}

export async function pieceEvents(county: string, pieceId: string): Promise<PieceEvent[]> {
  return (await queryAll({
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :e)',
    ExpressionAttributeValues: { ':pk': keys.piece(county, pieceId), ':e': 'E#' },
    ConsistentRead: true,
  })) as unknown as PieceEvent[];
}

/** Takes a revision out of the reminder index once it is decided (or found decided by the reminder job). */
export async function clearAwaiting(revision: Pick<PieceEvent, 'pk' | 'sk'>): Promise<void> {
  await db().send(
    new UpdateCommand({
      TableName: tableName(),
      Key: { pk: revision.pk, sk: revision.sk },
      UpdateExpression: 'REMOVE awaiting, awaitingSince',
      ConditionExpression: 'attribute_exists(pk)',
    }),
  );
}

/** The last receipt number handed out this year: a hint only, the event write is what claims a number. */
export async function lastReceiptHint(county: string, year: number): Promise<number> {
  const out = await db().send(
    new GetCommand({
      TableName: tableName(),
      Key: { pk: keys.receiptCounter(county, year), sk: 'COUNTER' },
      ConsistentRead: true,
    }),
  );
  return Number(out.Item?.last ?? 0);
}

export async function raiseReceiptHint(county: string, year: number, n: number): Promise<void> {
  try {
    await db().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: { pk: keys.receiptCounter(county, year), sk: 'COUNTER' },
        UpdateExpression: 'SET #last = :n',
        ConditionExpression: 'attribute_not_exists(#last) OR #last < :n',
        ExpressionAttributeNames: { '#last': 'last' },
        ExpressionAttributeValues: { ':n': n },
      }),
    );
  } catch (err) {
    if (!isConditionFailed(err)) throw err; // someone already raised it further
  }
}

export function receiptOf(year: number, n: number): string {
  return `${year}-${String(n).padStart(4, '0')}`;
}
