// Pieces as rows (the desk's 稿件 and 《组工专报》 pages, the informant's 我的报送): folded from the month-keyed report
// index, never from a Scan. A piece counts in the month of its first revision; its later events (revisions,
// decisions) may fall in later months, so the months from the piece's month up to now are read, each one Query of one
// county-month partition. Titles and names live only on the revision items: one BatchGet per hundred rows shown.
import { monthOf, monthsFrom, now } from '../core/clock';
import { config } from '../core/config';
import { isDecision, isRevision, type PieceEvent } from '../pieces/events';
import type { PieceKind } from '../pieces/piece';
import { getItems, type ItemKey, keyId } from '../store/db';
import { keys } from '../store/keys';
import { monthsEvents } from './issueStats';

export type PieceStatus = 'waiting' | 'accepted' | 'returned' | 'rejected';

export const STATUS_LABELS: Record<PieceStatus, string> = {
  waiting: '待审',
  accepted: '已采用',
  returned: '退回修改中',
  rejected: '不予采用',
};

export interface PieceRow {
  pieceId: string;
  receipt: string;
  kind: PieceKind;
  unitId: string;
  informantId: string;
  submittedAt: string;
  /** The newest revision's number and key (its item holds the title). */
  revision: number;
  revisionKey: ItemKey;
  status: PieceStatus;
  /** When the newest event happened. */
  lastAt: string;
  /** The 《组工专报》 issue of an acceptance. */
  issueNo?: number;
  /** Filled by `withTitles`. */
  title?: string;
  unitName?: string;
  informantName?: string;
}

/** Every event of the months from `from` up to now, read together (one Query per month). */
export async function eventsSince(from: string): Promise<PieceEvent[]> {
  const county = config().countyId;
  return (await monthsEvents(county, monthsFrom(from, monthOf(now())))).flat();
}

/**
 * The pieces whose first revision is among `events` and passes `include`, each folded with every later event of it
 * found there: its newest revision, its status and the issue of an acceptance. Oldest piece first.
 */
export function foldPieces(events: PieceEvent[], include: (first: PieceEvent) => boolean = () => true): PieceRow[] {
  const rows = new Map<string, PieceRow>();
  for (const e of events) {
    if (e.type === 'submitted' && include(e)) {
      rows.set(e.pieceId, {
        pieceId: e.pieceId,
        receipt: e.receipt,
        kind: e.kind,
        unitId: e.unitId,
        informantId: e.informantId,
        submittedAt: e.at,
        revision: 1,
        revisionKey: { pk: e.pk, sk: e.sk },
        status: 'waiting',
        lastAt: e.at,
      });
    }
  }
  const later = events
    // Revisions and decisions only: adoptions and their corrections share the month partitions, not the story.
    .filter((e) => rows.has(e.pieceId) && e.type !== 'submitted' && (isRevision(e) || isDecision(e)))
    .sort((a, b) => keys.seqOf(a.sk) - keys.seqOf(b.sk));
  for (const e of later) {
    const row = rows.get(e.pieceId)!;
    if (isRevision(e)) {
      if (e.revision < row.revision) continue;
      row.revision = e.revision;
      row.revisionKey = { pk: e.pk, sk: e.sk };
      row.status = 'waiting';
      delete row.issueNo;
    } else if (e.revision === row.revision) {
      row.status = e.type as PieceStatus;
      if (e.issueNo) row.issueNo = e.issueNo;
    }
    if (e.at > row.lastAt) row.lastAt = e.at;
  }
  return [...rows.values()].sort(
    (a, b) => a.submittedAt.localeCompare(b.submittedAt) || a.receipt.localeCompare(b.receipt),
  );
}

/** Titles and names of the rows from their newest revisions: one BatchGet per hundred rows (in place). */
export async function withTitles<T extends PieceRow>(rows: T[]): Promise<T[]> {
  if (rows.length === 0) return rows;
  const items = await getItems(
    rows.map((r) => r.revisionKey),
    { attributes: ['title', 'unitName', 'informantName'] },
  );
  for (const row of rows) {
    const item = items.get(keyId(row.revisionKey));
    row.title = String(item?.title ?? '');
    if (item?.unitName) row.unitName = String(item.unitName);
    if (item?.informantName) row.informantName = String(item.informantName);
  }
  return rows;
}
