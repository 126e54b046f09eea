// GET /revise/{token} — the form prefilled with the returned revision, and the editor's feedback above it.
import { html, paragraphs } from '../shared/html';
import { httpHandler } from '../shared/http';
import { linkProblem } from '../shared/reviewPages';
import { reviseView } from '../shared/reviseView';
import { submitFormPage } from '../shared/submissionPages';

export const handler = httpHandler(async (request) => {
  const token = request.path.token ?? '';
  try {
    const view = await reviseView(token);
    return {
      status: 200,
      html: submitFormPage({
        action: `/revise/${token}`,
        heading: `修改稿件（回执号 ${view.revision.receipt}）`,
        informantName: view.informant.name,
        unitName: view.unitName,
        values: view.values,
        feedback: html`<div class="who"><p>${view.returned.editorName ?? '编辑'}的修改意见：</p>${paragraphs(view.returned.comment ?? '')}</div>`,
      }),
      json: { receipt: view.revision.receipt, feedback: view.returned.comment, ...view.values },
    };
  } catch (err) {
    const answer = linkProblem(err, `/revise/${token}/renew`);
    if (answer) return answer;
    throw err;
  }
});
