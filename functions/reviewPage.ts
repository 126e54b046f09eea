// GET (and HEAD) /review/{token} — the editor's confirmation page. It changes nothing: mail scanners open every
// link before people do; only the buttons (POST) decide.

import { linkProblem, reviewPage } from '../shared/review/pages';
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
    if (answer) return answer;
    throw err;
  }
});
