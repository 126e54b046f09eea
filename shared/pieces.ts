// Pieces (稿件): what an informant submits, validated here, stored as events (one item per change).
import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { db, isConditionFailed, tableName } from './db';
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
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

function text(fields: RawFields, name: string, errors: FieldError[]): string {
  const value = fields[name];
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') {
    errors.push({ field: name, message: '格式不正确，请重新填写。' });
    return '';
  }
  return value;
}

/**
 * Checks every field and returns the cleaned piece, or throws one ValidationError naming each bad field.
 * `openTopicIds` are the topics the informant's unit may answer; unknown topics are refused.
 */
export function validatePiece(fields: RawFields, openTopicIds: readonly string[] = []): PieceInput {
  const errors: FieldError[] = [];
  const kind = text(fields, 'kind', errors).trim();
  // A title is one line: line breaks pasted into it become spaces (and never reach an email header).
  const title = text(fields, 'title', errors).replace(/\s+/g, ' ').trim();
  const body = text(fields, 'body', errors).replace(/\r\n?/g, '\n').trim();
  const topicId = text(fields, 'topic', errors).trim();
  const signer = text(fields, 'signer', errors).replace(/\s+/g, ' ').trim();

  if (kind !== 'info' && kind !== 'research') {
    errors.push({ field: 'kind', message: '请选择稿件类型：信息或调研文稿。' });
  }
  if (title === '') errors.push({ field: 'title', message: '请填写标题。' });
  else if (length(title) > LIMITS.titleMax) {
    errors.push({ field: 'title', message: `标题不能超过 ${LIMITS.titleMax} 字（现有 ${length(title)} 字）。` });
  } else if (CONTROL.test(title)) errors.push({ field: 'title', message: '标题含有无法识别的字符。' });
  if (body === '') errors.push({ field: 'body', message: '请填写正文。' });
  else if (length(body) < LIMITS.bodyMin) {
    errors.push({ field: 'body', message: `正文至少 ${LIMITS.bodyMin} 字（现有 ${length(body)} 字）。` });
  } else if (length(body) > LIMITS.bodyMax) {
    errors.push({ field: 'body', message: `正文不能超过 ${LIMITS.bodyMax} 字（现有 ${length(body)} 字）。` });
  } else if (CONTROL.test(body)) errors.push({ field: 'body', message: '正文含有无法识别的字符。' });
  if (topicId !== '' && !openTopicIds.includes(topicId)) {
    errors.push({ field: 'topic', message: '所选点题不存在或已截止，请重新选择。' });
  }
  if (length(signer) > LIMITS.signerMax) {
    errors.push({ field: 'signer', message: `签发领导不能超过 ${LIMITS.signerMax} 字。` });
  } else if (CONTROL.test(signer)) errors.push({ field: 'signer', message: '签发领导含有无法识别的字符。' });

  if (errors.length > 0) throw new ValidationError(errors);
  return {
    kind: kind as PieceKind,
    title,
    body,
    ...(topicId ? { topicId } : {}),
    ...(signer ? { signer } : {}),
  };
}

export type EventType = 'submitted';

/** One change to a piece. The first event's number is the receipt; later events add revisions and decisions. */
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
  title?: string;
  body?: string;
  topicId?: string;
  signer?: string;
  /** Report keys: the Asia/Shanghai month the event counts in. */
  gsi1pk: string;
  gsi1sk: string;
  notifications?: Notification[];
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
  const events: PieceEvent[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const out = await db().send(
      new QueryCommand({
        TableName: tableName(),
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :e)',
        ExpressionAttributeValues: { ':pk': keys.piece(county, pieceId), ':e': 'E#' },
        ConsistentRead: true,
        ExclusiveStartKey: start,
      }),
    );
    events.push(...((out.Items ?? []) as PieceEvent[]));
    start = out.LastEvaluatedKey;
  } while (start);
  return events;
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
