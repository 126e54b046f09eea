// Use case: an informant looks at one of their pieces (receipt number, status, timeline).
import { config } from '../core/config';
import { NotFoundError } from '../core/errors';
import { type PieceEvent, pieceEvents } from '../pieces/events';
import { getUnit } from '../roster/people';
import { informantByKey } from '../roster/personalLinks';

export interface PieceView {
  events: PieceEvent[];
  unitName: string;
}

const PIECE_ID = /^\d{4}-\d{4,6}$/;

export async function showPiece(k: unknown, pieceId: string): Promise<PieceView> {
  const informant = await informantByKey(k);
  const county = config().countyId;
  const events = PIECE_ID.test(pieceId) ? await pieceEvents(county, pieceId) : [];
  // Someone else's piece is answered exactly like a missing one: receipt numbers are guessable.
  if (events.length === 0 || events[0]?.informantId !== informant.personId) {
    throw new NotFoundError('未找到该稿件。请从回执邮件中的链接打开。');
  }
  const unit = await getUnit(county, events[0].unitId);
  return { events, unitName: unit?.name ?? '' };
}
