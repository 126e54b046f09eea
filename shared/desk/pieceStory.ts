// Use case: one piece on the desk — its whole story, and, for an editor while its newest draft waits, the three
// decisions with the next 《组工专报》 issue number filled in. The decision itself is the review's (decideWith), so
// one made here and one made from an email link race safely: exactly one wins.

import { type AdoptionItem, type PieceAdoption, pieceAdoptionItems, pieceAdoptions } from '../adoption/adoptions';
import { now, shanghai } from '../core/clock';
import { config } from '../core/config';
import { NotFoundError, ValidationError } from '../core/errors';
import { isPieceId } from '../intake/receiptNumbers';
import { decisionOn, latestRevision, type PieceEvent, pieceEvents } from '../pieces/events';
import type { RawFields } from '../pieces/piece';
import { issueStats } from '../reports/issueStats';
import { type Decided, decideWith } from '../review/decidePiece';
import { COUNTY_ADOPTION, contributions } from '../scoring/contributions';
import type { DeskUser } from './access';

export interface DeskPiece {
  events: PieceEvent[];
  /** Its adoption items (upward adoptions, withdrawals, re-scorings), read with the events. */
  adoptionItems: AdoptionItem[];
  latest: PieceEvent;
  unitName: string;
  informantName: string;
  /** The newest draft waits for a decision. */
  waiting: boolean;
}

export async function deskPiece(user: DeskUser, pieceId: string): Promise<DeskPiece> {
  const county = config().countyId;
  const [events, items] = isPieceId(pieceId)
    ? await Promise.all([pieceEvents(county, pieceId), pieceAdoptionItems(county, pieceId)])
    : [[], []];
  if (events.length === 0) throw new NotFoundError('未找到该稿件。');
  return pieceOf(user, events, items);
}

/** The page's view of a piece from its events (as read, or as a decision just left them). */
export function pieceOf(user: DeskUser, events: PieceEvent[], adoptionItems: AdoptionItem[] = []): DeskPiece {
  const latest = latestRevision(events);
  return {
    events,
    adoptionItems,
    latest,
    unitName: latest.unitName ?? user.roster.summary.units[latest.unitId] ?? '',
    informantName: latest.informantName ?? '',
    waiting: decisionOn(events, latest.revision) === undefined,
  };
}

/** An accepted piece's adoptions and its county points (its acceptance, with any re-scoring), for the page. */
export function pieceScore(piece: DeskPiece): { adoptions: PieceAdoption[]; countyPoints: number } | undefined {
  const accepted = piece.events.find((e) => e.type === 'accepted');
  if (!accepted) return undefined;
  const county = contributions([accepted, ...piece.adoptionItems]).find((c) => c.adoptionId === COUNTY_ADOPTION);
  return { adoptions: pieceAdoptions(piece.adoptionItems), countyPoints: county?.points ?? 0 };
}

/** The issue numbers the form suggests: the one after the highest used this year, and that highest. */
export async function issueSuggestion(): Promise<{ nextIssueNo: number; latestIssueNo?: number }> {
  const stats = await issueStats(shanghai(now()).year);
  const latest = stats.issues.at(-1)?.issueNo;
  return { nextIssueNo: (latest ?? 0) + 1, ...(latest ? { latestIssueNo: latest } : {}) };
}

/** An editor's decision from the desk on the draft the page showed (`revision`), as their review link would make it. */
export async function decideFromDesk(user: DeskUser, pieceId: string, fields: RawFields): Promise<Decided> {
  const revision = Number(fields.revision);
  if (!isPieceId(pieceId)) throw new NotFoundError('未找到该稿件。');
  if (!Number.isInteger(revision) || revision < 1) {
    throw new ValidationError([{ field: 'revision', message: '页面已过期，请刷新后再处理。' }]);
  }
  // The desk's form comes with the next 期号 filled in: it belongs to an acceptance only, and 退回修改 or 不予采用
  // pressed on the form as it came is not a mistake to refuse.
  const decided = fields.decision === 'accept' ? fields : { ...fields, issue: undefined };
  return decideWith(
    {
      pieceId,
      revision,
      editorId: user.person.personId,
      keyVersion: user.person.keyVersion,
      // The desk link does not expire; the checks of the review link's expiry have nothing to stop.
      exp: Math.floor(now().getTime() / 1000) + 3600,
    },
    decided,
  );
}
