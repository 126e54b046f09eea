// GET (and HEAD) /review/{token} — the editor's review page. It changes nothing: mail scanners open every link
// before people do; only the buttons (POST) decide. A piece already decided shows who decided and the piece.
// GET /review/{token}/next — 审核下一篇: a redirect to the oldest other piece waiting, with a link of this editor's.
// An expired link answers both with 410 and the button for a fresh one by email: nothing of the piece, no link.

import { AlreadyDecidedError } from '../shared/review/decidePiece';
import { nextWaiting } from '../shared/review/nextWaiting';
import { decisionDonePage, linkProblem, nothingWaitingPage, reviewPage } from '../shared/review/pages';
import { reviewView } from '../shared/review/reviewView';
import { type HttpResponse, httpHandler } from '../shared/web/http';
import { messagePage } from '../shared/web/pages';

export const handler = httpHandler(async (request): Promise<HttpResponse> => {
  const token = request.path.token ?? '';
  const action = `/review/${token}`;
  try {
    if (request.routeKey.endsWith('/next')) {
      const next = await nextWaiting(token);
      if (!next) return { status: 200, html: nothingWaitingPage(), json: { next: null } };
      return { status: 303, location: next, html: messagePage('下一篇', '正在打开下一篇待审稿件。'), json: { next } };
    }
    const view = await reviewView(token);
    return {
      status: 200,
      html: reviewPage({ view, action }),
      json: { receipt: view.revision.receipt, revision: view.revision.revision, title: view.revision.title },
    };
  } catch (err) {
    // The editor's own decision is theirs to see again as done; anyone else's is a conflict, told who and what.
    if (
      err instanceof AlreadyDecidedError &&
      !request.wantsJson &&
      err.context.editor &&
      err.decision.editorId === err.context.editor.personId
    ) {
      return { status: 200, html: decisionDonePage(err.decision, err.context.revision, action) };
    }
    const answer = linkProblem(err, `${action}/renew`);
    if (answer) return answer;
    throw err;
  }
});
