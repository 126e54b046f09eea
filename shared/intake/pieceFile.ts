// Use case: the informant downloads a file of their own piece, from the receipt page (the read-only receipt link or
// the personal key): the same check as the page, so nobody else's piece's files are reachable.
import { downloadFile } from '../documents/download';
import type { DownloadFile } from '../web/http';
import { showPiece } from './showPiece';

export async function pieceFile(
  access: { k?: string; r?: string },
  pieceId: string,
  slug: string,
): Promise<DownloadFile> {
  const { events } = await showPiece(access, pieceId);
  return downloadFile(events, slug);
}
