// GET (and HEAD) /review/{token} — the editor's review page. It changes nothing: mail scanners open every link
// before people do; only the buttons (POST) decide. A piece already decided shows who decided, the piece, and the
// next one waiting for this editor.

import { settle } from '../shared/core/budget';
import { AlreadyDecidedError } from '../shared/review/decidePiece';
import { nextWaiting } from '../shared/review/nextWaiting';
import { decidedPage, decisionDonePage, linkProblem, reviewPage } from '../shared/review/pages';
import { reviewView } from '../shared/review/reviewView';
import { httpHandler } from '../shared/web/http';

export const handler = httpHandler(async (request) => {
  const token = request.path.token ?? '';
  const action = `/review/${token}`;
  try {
    const view = await reviewView(token);
    return {
      status: 200,
      html: reviewPage({ view, action }),
      json: { receipt: view.revision.receipt, revision: view.revision.revision, title: view.revision.title },
    };
  } catch (err) {
    const answer = linkProblem(err, `${action}/renew`);
    const editor = err instanceof AlreadyDecidedError ? err.context.editor : undefined;
    if (err instanceof AlreadyDecidedError && editor && answer && !request.wantsJson) {
      const { decision, context } = err;
      const next = await settle(() => nextWaiting(editor, decision.pieceId)).catch(() => undefined);
      // The editor's own decision is theirs to see again as done; anyone else's is a conflict, told who and what.
      if (decision.editorId === editor.personId) {
        return { status: 200, html: decisionDonePage(decision, context.revision, next) };
      }
      return { ...answer, html: decidedPage(decision, context.revision, next) };
    }
    if (answer) return answer;
    throw err;
  }
});
