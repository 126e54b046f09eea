// Use case: an editor downloads a file of the piece a review link is for (the review page's and the email's links).
// The link must be genuine, unexpired and its editor's current one; a decided or newer draft does not matter: the
// originals stay theirs to read.
import { config } from '../core/config';
import { NotFoundError } from '../core/errors';
import { downloadFile } from '../documents/download';
import { reviewClaims } from '../links/links';
import { pieceEvents } from '../pieces/events';
import { readWithRoster } from '../roster/people';
import type { DownloadFile } from '../web/http';
import { linkEditor } from './decidePiece';

export async function reviewFile(token: unknown, slug: string): Promise<DownloadFile> {
  const claims = await reviewClaims(token);
  const county = config().countyId;
  const [roster, events] = await Promise.all([
    readWithRoster(county, [claims.editorId]),
    pieceEvents(county, claims.pieceId),
  ]);
  linkEditor(roster.people.get(claims.editorId), claims);
  if (events.length === 0) throw new NotFoundError('未找到该稿件。');
  return downloadFile(events, slug);
}
