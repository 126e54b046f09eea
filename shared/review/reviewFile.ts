// Use case: an editor downloads a file of the piece a review link is for (the review page's and the email's links).
// The link must be genuine, unexpired and its editor's current one; a decided or newer draft does not matter: the
// originals stay theirs to read.
import { config } from '../core/config';
import { InactiveLinkError, InvalidLinkError, NotFoundError, RevokedLinkError } from '../core/errors';
import { fileIn, readStoredFile, type StoredFile } from '../documents/download';
import { reviewClaims } from '../links/links';
import { pieceEvents, revisionsOf } from '../pieces/events';
import { readWithRoster } from '../roster/people';

export async function reviewFile(token: unknown, slug: string): Promise<StoredFile> {
  const claims = await reviewClaims(token);
  const county = config().countyId;
  const [roster, events] = await Promise.all([
    readWithRoster(county, [claims.editorId]),
    pieceEvents(county, claims.pieceId),
  ]);
  const editor = roster.people.get(claims.editorId);
  if (editor?.role !== 'editor') throw new InvalidLinkError('此审核链接对应的编辑已不在名单中。');
  if (editor.inactive) throw new InactiveLinkError();
  if (editor.keyVersion !== claims.keyVersion) throw new RevokedLinkError();
  if (events.length === 0) throw new NotFoundError('未找到该稿件。');
  return readStoredFile(fileIn(revisionsOf(events), slug));
}
