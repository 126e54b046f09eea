// Use case: the desk's 待审 — every revision waiting for a decision, oldest first, with its unit, informant, kind
// and days waiting. One Query of the awaiting index (the reminder job's) and one BatchGet of the revisions it names
// and of the events after them (a decision whose mark was left behind).
import { now } from '../core/clock';
import { config } from '../core/config';
import { decisionKey, type PieceEvent, waitingRevisions } from '../pieces/events';
import { getItems, keyId } from '../store/db';

export interface Waiting {
  revision: PieceEvent;
  unitName: string;
  informantName: string;
  /** Whole days since the revision arrived. */
  days: number;
}

export async function waitingPieces(units: Record<string, string>): Promise<Waiting[]> {
  const county = config().countyId;
  const itemKeys = await waitingRevisions(county);
  // A revision's decision is the event right after it. Read with the revisions, it shows a revision decided whose
  // mark the decision could not clear (the reminder job clears it later): not waiting any more.
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
