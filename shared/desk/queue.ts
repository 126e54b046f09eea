// Use case: the desk's 待审 — every revision waiting for a decision, oldest first, with its unit, informant, kind
// and days waiting. One Query of the awaiting index (the reminder job's) and one BatchGet of the revisions it names.
import { now } from '../core/clock';
import { config } from '../core/config';
import { decisionOn, type PieceEvent } from '../pieces/events';
import { getItems, keyId, queryAll } from '../store/db';
import { keys } from '../store/keys';
import { AWAITING_INDEX } from '../store/tableDefinition';

export interface Waiting {
  revision: PieceEvent;
  unitName: string;
  informantName: string;
  /** Whole days since the revision arrived. */
  days: number;
}

export async function waitingPieces(units: Record<string, string>): Promise<Waiting[]> {
  const county = config().countyId;
  const found = await queryAll({
    IndexName: AWAITING_INDEX.name,
    KeyConditionExpression: '#a = :a',
    ExpressionAttributeNames: { '#a': AWAITING_INDEX.partition },
    ExpressionAttributeValues: { ':a': keys.awaiting(county) },
  });
  const itemKeys = found.map((k) => ({ pk: String(k.pk), sk: String(k.sk) }));
  const items = await getItems(itemKeys, {
    attributes: [
      'type',
      'pieceId',
      'receipt',
      'revision',
      'kind',
      'title',
      'unitId',
      'unitName',
      'informantId',
      'informantName',
      'at',
      'awaitingSince',
      'seq',
    ],
  });
  const t = now().getTime();
  return itemKeys
    .map((k) => items.get(keyId(k)) as PieceEvent | undefined)
    .filter((r): r is PieceEvent => r?.awaitingSince !== undefined)
    .map((revision) => ({
      revision,
      unitName: revision.unitName ?? units[revision.unitId] ?? '',
      informantName: revision.informantName ?? '',
      days: Math.max(0, Math.floor((t - new Date(revision.awaitingSince ?? revision.at).getTime()) / 86_400_000)),
    }));
}

/** Whether a piece's newest revision still waits (what the desk's piece page shows the decision buttons for). */
export function stillWaiting(events: PieceEvent[], latest: PieceEvent): boolean {
  return decisionOn(events, latest.revision) === undefined;
}
