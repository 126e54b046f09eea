// GET /revise/{token} — the form prefilled with the returned revision, and the editor's feedback above it.

import { linkProblem } from '../shared/review/pages';
import { reviseFormPage, reviseView } from '../shared/review/reviseView';
import { httpHandler } from '../shared/web/http';

export const handler = httpHandler(async (request) => {
  const token = request.path.token ?? '';
  try {
    const view = await reviseView(token);
    return {
      status: 200,
      html: reviseFormPage(view, token, view.values),
      json: { receipt: view.revision.receipt, feedback: view.returned.comment, ...view.values },
    };
  } catch (err) {
    const answer = linkProblem(err, `/revise/${token}/renew`);
    if (answer) return answer;
    throw err;
  }
});
