// A piece's record: every change is one event item under the piece (`E#<seq>`), written only if its sequence number
// is free, so two writers of the same step get one winner. Revisions carry the text; decisions who decided and how.
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { monthOf } from '../core/clock';
import type { FileRef } from '../documents/files';
import type { Notification } from '../mail/outbox';
import { db, type ItemKey, queryAll, tableName } from '../store/db';
import { keys } from '../store/keys';
import { AWAITING_INDEX } from '../store/tableDefinition';
import type { PieceKind } from './piece';

export type DecisionType = 'accepted' | 'returned' | 'rejected';
export type EventType = 'submitted' | 'revised' | DecisionType;

export const DECISION_TYPES: readonly DecisionType[] = ['accepted', 'returned', 'rejected'];

export const DECISION_LABELS: Record<DecisionType, string> = {
  accepted: '采用',
  returned: '退回修改',
  rejected: '不予采用',
};

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
  /** On revisions read from a Word document: the body as sanitized HTML (tables kept). */
  bodyHtml?: string;
  /** On revisions: the files kept with it (the document first, then the attachments). */
  files?: FileRef[];
  topicId?: string;
  /** A research paper's 重点调研 task. */
  taskId?: string;
  signer?: string;
  /** On revisions: the unit's and the informant's names as they were when it was sent (what its emails show). */
  unitName?: string;
  informantName?: string;
  /** On revisions after a return: the draft before, so its emails can show what changed. */
  previousTitle?: string;
  previousBody?: string;
  /** On revisions after a return: the feedback of every return so far, oldest first. */
  feedback?: { revision: number; comment: string }[];
  /** On decisions: who decided, the feedback or remark, and the 《组工专报》 issue for an acceptance. */
  editorId?: string;
  editorName?: string;
  /** On decisions: when the revision decided on was sent (how long it waited). */
  revisionAt?: string;
  comment?: string;
  issueNo?: number;
  /** On an acceptance (the county's adoption): the points it earned, under which rules version, on which day. */
  points?: number;
  rulesVersion?: number;
  adoptionId?: string;
  level?: 'county';
  adoptedOn?: string;
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

/** The event after a revision: its decision (a revision is always followed by exactly one, or by nothing yet). */
export const decisionKey = (revision: ItemKey): ItemKey => ({
  pk: revision.pk,
  sk: keys.eventSk(keys.seqOf(revision.sk) + 1),
});

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

export async function pieceEvents(county: string, pieceId: string): Promise<PieceEvent[]> {
  return (await pieceItems(county, pieceId, 'E#')) as unknown as PieceEvent[];
}

/**
 * The items of a piece's partition whose sort key begins with `prefix` (`E#` its events, `A#` its adoptions): one
 * consistent Query, so an item just written is seen.
 */
export function pieceItems(county: string, pieceId: string, prefix: string): Promise<Record<string, unknown>[]> {
  return queryAll({
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
    ExpressionAttributeValues: { ':pk': keys.piece(county, pieceId), ':prefix': prefix },
    ConsistentRead: true,
  });
}

/**
 * The revisions waiting for a decision (the awaiting index, oldest first), as keys; `until`: only those waiting since
 * then or earlier. A revision decided whose mark could not be cleared is among them: its decision tells.
 */
export async function waitingRevisions(county: string, until?: string): Promise<ItemKey[]> {
  return (await waitingSince(county, until)).map((w) => w.key);
}

/** The same, each with the time it has waited since (the index's sort key). */
export async function waitingSince(county: string, until?: string): Promise<{ key: ItemKey; since: string }[]> {
  const found = await queryAll({
    IndexName: AWAITING_INDEX.name,
    KeyConditionExpression: until ? '#a = :a AND #since <= :until' : '#a = :a',
    ExpressionAttributeNames: { '#a': AWAITING_INDEX.partition, ...(until ? { '#since': AWAITING_INDEX.sort } : {}) },
    ExpressionAttributeValues: { ':a': keys.awaiting(county), ...(until ? { ':until': until } : {}) },
  });
  return found.map((k) => ({ key: { pk: String(k.pk), sk: String(k.sk) }, since: String(k[AWAITING_INDEX.sort]) }));
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
