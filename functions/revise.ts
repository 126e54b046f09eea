// POST /revise/{token} — the informant's revised text: a new revision under the same receipt number.
import { ValidationError } from '../shared/errors';
import { type HttpResponse, httpHandler } from '../shared/http';
import { receiptPath } from '../shared/links';
import { messagePage } from '../shared/pages';
import { linkProblem } from '../shared/reviewPages';
import { revisePiece } from '../shared/revisePiece';
import { reviseFormPage, reviseView } from '../shared/reviseView';
import { formValuesOf } from '../shared/submissionPages';

export const handler = httpHandler(async (request): Promise<HttpResponse> => {
  const token = request.path.token ?? '';
  try {
    const revision = await revisePiece(token, request.fields);
    const location = await receiptPath(revision.pieceId, revision.informantId);
    return {
      status: request.wantsJson ? 201 : 303,
      location,
      json: { id: revision.pieceId, receipt: revision.receipt, revision: revision.revision, status: revision.type },
      html: messagePage('已提交', `修改稿（第 ${revision.revision} 稿）已提交，正在打开回执页面。`),
    };
  } catch (err) {
    const answer = linkProblem(err, `/revise/${token}/renew`);
    if (answer) return answer;
    if (!(err instanceof ValidationError) || request.wantsJson) throw err;
    const view = await reviseView(token);
    return {
      status: 400,
      html: reviseFormPage(view, token, formValuesOf(request.fields), err.errors),
    };
  }
});
