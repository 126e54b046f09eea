// Use case: an editor downloads a piece's file from the desk's piece page. Editors only: a leader's desk shows the
// text, and the originals stay with the 信息科 and the informant who sent them.
import { config } from '../core/config';
import { NotFoundError } from '../core/errors';
import { downloadFile } from '../documents/download';
import { isPieceId } from '../intake/receiptNumbers';
import { pieceEvents } from '../pieces/events';
import type { DownloadFile } from '../web/http';
import { deskEditor } from './access';
import type { DeskAccess } from './session';

export async function deskFile(access: DeskAccess, pieceId: string, slug: string): Promise<DownloadFile> {
  await deskEditor(access);
  const events = isPieceId(pieceId) ? await pieceEvents(config().countyId, pieceId) : [];
  if (events.length === 0) throw new NotFoundError('未找到该稿件。');
  return downloadFile(events, slug);
}
