// GET (and HEAD) a piece's uploaded file — the original Word document or an attachment — as a download:
//   /submissions/{id}/files/{file}?r=|k=   the informant, from the receipt page
//   /review/{token}/files/{file}           an editor, from the review page or its email
//   /desk/pieces/{id}/files/{file}         an editor, from the desk (their session)
// `{file}` is `<revision>-<n>`. It changes nothing; each reader is checked as their page checks them, and a review
// link that cannot be used (expired: 410; revoked: 403) answers as its page does, with the button for a fresh one.
import { deskFile } from '../shared/desk/deskFile';
import { deskAccess } from '../shared/desk/session';
import { pieceFile } from '../shared/intake/pieceFile';
import { linkProblem } from '../shared/review/pages';
import { reviewFile } from '../shared/review/reviewFile';
import { httpHandler } from '../shared/web/http';

export const handler = httpHandler(async (request) => {
  const { id = '', token = '', file: slug = '' } = request.path;
  if (request.routeKey.includes('/review/')) {
    try {
      const file = await reviewFile(token, slug);
      return { status: 200, file, headers: { 'cache-control': 'private, no-store' } };
    } catch (err) {
      const answer = linkProblem(err, `/review/${token}/renew`);
      if (answer) return answer;
      throw err;
    }
  }
  const file = request.routeKey.includes('/desk/')
    ? await deskFile(deskAccess(request), id, slug)
    : await pieceFile({ k: request.query.k, r: request.query.r }, id, slug);
  return { status: 200, file, headers: { 'cache-control': 'private, no-store' } };
});
