// Use case: 我的报送 — an informant's own page: their pieces this year with receipt number, status, the decisions and
// the feedback in full, and their unit's count this month. Opened with the personal key (from the form: it can
// write a new piece) or with the read-only link every email to them carries (emails are forwarded: it shows, and
// grants nothing else). Month-keyed Queries of the year (the report index), then one BatchGet of their events.
import { monthOf, now, shanghai } from '../core/clock';
import { InvalidLinkError } from '../core/errors';
import { mineClaims } from '../links/links';
import { isDecision, type PieceEvent } from '../pieces/events';
import { eventsSince, foldPieces, type PieceRow } from '../reports/pieceRows';
import type { Person } from '../roster/people';
import { informantByKey, informantOf } from '../roster/personalLinks';
import { contributions, type ScoreEvent } from '../scoring/contributions';
import type { Instruction, Level } from '../scoring/rules';
import { getItems, keyId } from '../store/db';

export interface MyPiece extends PieceRow {
  /** Every decision on the piece (who, what, the feedback), oldest first. */
  decisions: PieceEvent[];
  /** Its adoptions this year (《组工专报》 and upward), with their points now; withdrawn ones marked. */
  adoptions: MyAdoption[];
  /** Its points this year (what stands). */
  points: number;
}

export interface MyAdoption {
  level: Level;
  /** Upward: the outlet and issue as recorded. */
  outlet?: string;
  issue?: string;
  adoptedOn: string;
  instruction: Instruction;
  points: number;
  withdrawn: boolean;
}

export interface MyPieces {
  informant: Person;
  unitName: string;
  year: number;
  pieces: MyPiece[];
  /** Their points this year, all pieces. */
  points: number;
  /** Pieces the informant's unit sent this month (all its informants). */
  unitThisMonth: number;
  /** The personal key, when the page was opened with it: the page's 写新稿件 leads to the form. */
  k?: string;
}

export async function myPieces(access: { k?: unknown; m?: unknown }): Promise<MyPieces> {
  const year = shanghai(now()).year;
  const [{ informant, roster }, events] = await Promise.all([
    access.m !== undefined
      ? mineClaims(access.m).then((c) => informantOf(c.personId, c.keyVersion))
      : access.k !== undefined
        ? informantByKey(access.k)
        : Promise.reject(new InvalidLinkError()),
    eventsSince(`${year}-01`),
  ]);
  const mine = events.filter((e) => e.informantId === informant.personId);
  const rows = foldPieces(mine).reverse();
  // The full events (titles, feedback, who decided) of the informant's own pieces only.
  const full = await getItems(mine.map((e) => ({ pk: e.pk, sk: e.sk })));
  const item = (e: PieceEvent) => (full.get(keyId(e)) as PieceEvent | undefined) ?? e;
  const thisMonth = monthOf(now());
  const pieces = rows.map((r) => {
    const own = mine.filter((e) => e.pieceId === r.pieceId).map(item);
    const latest = own.find((e) => e.sk === r.revisionKey.sk);
    const adoptions = contributions(own as unknown as ScoreEvent[]).map((c): MyAdoption => {
      const record = own.find((e) => e.sk === `A#${c.adoptionId}`) as unknown as
        | { outlet?: string; issue?: string }
        | undefined;
      return {
        level: c.level,
        ...(record?.outlet ? { outlet: record.outlet, issue: String(record.issue ?? '') } : {}),
        adoptedOn: c.adoptedOn,
        instruction: c.instruction,
        points: c.withdrawn ? 0 : c.points,
        withdrawn: c.withdrawn,
      };
    });
    return {
      ...r,
      title: latest?.title ?? '',
      decisions: own.filter(isDecision).sort((a, b) => a.sk.localeCompare(b.sk)),
      adoptions,
      points: Math.round(adoptions.reduce((n, a) => n + a.points, 0) * 100) / 100,
    };
  });
  return {
    informant,
    unitName: roster.summary.units[informant.unitId ?? ''] ?? '',
    year,
    pieces,
    points: Math.round(pieces.reduce((n, p) => n + p.points, 0) * 100) / 100,
    unitThisMonth: events.filter(
      (e) => e.type === 'submitted' && e.unitId === informant.unitId && monthOf(new Date(e.at)) === thisMonth,
    ).length,
    ...(access.m === undefined && typeof access.k === 'string' ? { k: access.k } : {}),
  };
}
