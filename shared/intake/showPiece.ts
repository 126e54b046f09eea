// Use case: an informant (or whoever they forwarded the receipt link to) looks at one piece: receipt number, status,
// timeline. The read-only receipt link or the personal key, at the informant's current key version.
import { config } from '../core/config';
import { NotFoundError } from '../core/errors';
import { type PieceEvent, pieceEvents } from '../pieces/events';
import { receiptReader } from '../roster/personalLinks';
import { isPieceId } from './receiptNumbers';

export interface PieceView {
  events: PieceEvent[];
  unitName: string;
  /** How the page was opened, for its own buttons (asking for a revise link). */
  access: { k?: string; r?: string };
}

export async function showPiece(access: { k?: string; r?: string }, pieceId: string): Promise<PieceView> {
  const county = config().countyId;
  // The reader and the piece, read together (the link is verified before anything of the piece is shown).
  const [{ informant, roster }, events] = await Promise.all([
    receiptReader(pieceId, access),
    isPieceId(pieceId) ? pieceEvents(county, pieceId) : Promise.resolve([]),
  ]);
  // Someone else's piece is answered exactly like a missing one: receipt numbers are guessable.
  if (events.length === 0 || events[0]?.informantId !== informant.personId) {
    throw new NotFoundError('未找到该稿件。请从回执邮件中的链接打开。');
  }
  return { events, unitName: roster.summary.units[events[0].unitId] ?? events[0].unitName ?? '', access };
}
