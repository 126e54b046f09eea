// Use case: an editor downloads a file of the piece a review link is for (the review page's and the email's links).
// The link must be genuine, its editor's current one and unexpired (checked in that order, as the page checks it,
// before any file is looked up); a decided or newer draft does not matter: the originals stay theirs to read.
import { config } from '../core/config';
import { NotFoundError } from '../core/errors';
import { downloadFile } from '../documents/download';
import { reviewClaims } from '../links/links';
import { pieceEvents } from '../pieces/events';
import { readWithRoster } from '../roster/people';
import type { DownloadFile } from '../web/http';
import { currentLinkEditor } from './decidePiece';

export async function reviewFile(token: unknown, slug: string): Promise<DownloadFile> {
  // Expiry after the editor: an expired link of a revoked editor answers as revoked, like the page.
  const claims = await reviewClaims(token, { allowExpired: true });
  const county = config().countyId;
  const [roster, events] = await Promise.all([
    readWithRoster(county, [claims.editorId]),
    pieceEvents(county, claims.pieceId),
  ]);
  currentLinkEditor(roster.people.get(claims.editorId), claims);
  if (events.length === 0) throw new NotFoundError('未找到该稿件。');
  return downloadFile(events, slug);
}
