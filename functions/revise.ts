// POST /revise/{token} — the informant's revised text: a new revision under the same receipt number.
import { ValidationError } from '../shared/core/errors';
import { formValuesOf } from '../shared/pieces/form';
import { linkProblem } from '../shared/review/pages';
import { revisePiece } from '../shared/review/revisePiece';
import { reviseFormPage, reviseView } from '../shared/review/reviseView';
import { receiptPath } from '../shared/roster/personalLinks';
import { type HttpResponse, httpHandler } from '../shared/web/http';
import { messagePage } from '../shared/web/pages';

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
