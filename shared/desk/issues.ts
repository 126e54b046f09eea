// Use case: the desk's 《组工专报》 — the year's issues, each with its accepted pieces (receipt, title, unit), and the
// issue number to suggest when accepting. The year's twelve month partitions of the report index, and one BatchGet
// of the accepted revisions (titles) and their decisions (who).
import { config } from '../core/config';
import type { PieceEvent } from '../pieces/events';
import { yearEvents } from '../reports/issueStats';
import { getItems, keyId } from '../store/db';
import { keys } from '../store/keys';

export interface IssuePiece {
  receipt: string;
  pieceId: string;
  title: string;
  unitName: string;
  kind: PieceEvent['kind'];
  acceptedAt: string;
  editorName: string;
}

export interface YearIssues {
  year: number;
  /** Newest issue first. */
  issues: { issueNo: number; pieces: IssuePiece[] }[];
  /** Accepted without an issue number. */
  unnumbered: IssuePiece[];
  /** The number after the highest used this year (1 for the year's first). */
  nextIssueNo: number;
  /** The highest used this year, if any: pieces are often added to the issue being put together. */
  latestIssueNo?: number;
}

export async function yearIssues(year: number, units: Record<string, string>): Promise<YearIssues> {
  const county = config().countyId;
  const accepted = (await yearEvents(county, year)).filter((e) => e.type === 'accepted');
  // The revision an acceptance decides is the event just before it.
  const revisionKey = (e: PieceEvent) => ({ pk: e.pk, sk: keys.eventSk(keys.seqOf(e.sk) - 1) });
  // The revisions (titles) and the decisions (who accepted) in the same BatchGet.
  const items = await getItems([...accepted.map(revisionKey), ...accepted.map((e) => ({ pk: e.pk, sk: e.sk }))], {
    attributes: ['title', 'unitName', 'editorName'],
  });
  const pieces = accepted.map((e): IssuePiece & { issueNo?: number } => {
    const r = items.get(keyId(revisionKey(e)));
    return {
      receipt: e.receipt,
      pieceId: e.pieceId,
      title: String(r?.title ?? ''),
      unitName: String(r?.unitName ?? units[e.unitId] ?? ''),
      kind: e.kind,
      acceptedAt: e.at,
      editorName: String(items.get(keyId(e))?.editorName ?? ''),
      ...(e.issueNo ? { issueNo: e.issueNo } : {}),
    };
  });
  const byIssue = new Map<number, IssuePiece[]>();
  for (const p of pieces) if (p.issueNo) byIssue.set(p.issueNo, [...(byIssue.get(p.issueNo) ?? []), p]);
  const numbers = [...byIssue.keys()].sort((a, b) => b - a);
  return {
    year,
    issues: numbers.map((issueNo) => ({
      issueNo,
      pieces: byIssue.get(issueNo)!.sort((a, b) => a.receipt.localeCompare(b.receipt)),
    })),
    unnumbered: pieces.filter((p) => !p.issueNo),
    nextIssueNo: (numbers[0] ?? 0) + 1,
    ...(numbers[0] ? { latestIssueNo: numbers[0] } : {}),
  };
}
