// Use case: the desk's 待审 — every revision waiting for a decision, oldest first, with its unit, informant, kind
// and days waiting. One Query of the awaiting index (the reminder job's) and one BatchGet of the revisions it names
// and of the events after them (a decision whose mark was left behind).
import { now } from '../core/clock';
import { config } from '../core/config';
import type { PieceEvent } from '../pieces/events';
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
  // A revision's decision is the event right after it. Read with the revisions, it shows a revision decided whose
  // mark the decision could not clear (the reminder job clears it later): not waiting any more.
  const decisionKey = (k: { pk: string; sk: string }) => ({ pk: k.pk, sk: keys.eventSk(Number(k.sk.slice(2)) + 1) });
  const items = await getItems([...itemKeys, ...itemKeys.map(decisionKey)], {
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
    .filter((k) => !items.has(keyId(decisionKey(k))))
    .map((k) => items.get(keyId(k)) as PieceEvent | undefined)
    .filter((r): r is PieceEvent => r?.awaitingSince !== undefined)
    .map((revision) => ({
      revision,
      unitName: revision.unitName ?? units[revision.unitId] ?? '',
      informantName: revision.informantName ?? '',
      days: Math.max(0, Math.floor((t - new Date(revision.awaitingSince ?? revision.at).getTime()) / 86_400_000)),
    }));
}
