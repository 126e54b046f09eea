// Use case: the informant downloads a file of their own piece, from the receipt page (the read-only receipt link or
// the personal key): the same check as the page, so nobody else's piece's files are reachable.
import { fileIn, readStoredFile, type StoredFile } from '../documents/download';
import { revisionsOf } from '../pieces/events';
import { showPiece } from './showPiece';

export async function pieceFile(
  access: { k?: string; r?: string },
  pieceId: string,
  slug: string,
): Promise<StoredFile> {
  const { events } = await showPiece(access, pieceId);
  return readStoredFile(fileIn(revisionsOf(events), slug));
}
