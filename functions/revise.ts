// POST /revise/{token} — the informant's revised text (or Word document): a new revision under the same receipt number.
import { settle } from '../shared/core/budget';
import { InvalidLinkError, NotFoundError } from '../shared/core/errors';
import { UPLOAD_BODY_LIMIT, UPLOAD_TOO_LARGE } from '../shared/documents/files';
import { formValuesOf } from '../shared/pieces/form';
import { linkProblem } from '../shared/review/pages';
import { revisePiece } from '../shared/review/revisePiece';
import { reviseFormPage, reviseView } from '../shared/review/reviseView';
import { receiptPath } from '../shared/roster/personalLinks';
import { formAgain, type HttpResponse } from '../shared/web/http';
import { messagePage } from '../shared/web/pages';
import { uploadHandler } from '../shared/web/upload';

export const handler = uploadHandler(
  async (request): Promise<HttpResponse> => {
    const token = request.path.token ?? '';
    try {
      const { revision, informant } = await revisePiece(token, request.fields);
      // The receipt page, saying that it worked (`sent`), with the piece's whole story below.
      const location = `${await receiptPath(revision.pieceId, informant)}&sent=${revision.revision}`;
      return {
        status: request.wantsJson ? 201 : 303,
        location,
        json: { id: revision.pieceId, receipt: revision.receipt, revision: revision.revision, status: revision.type },
        html: messagePage('已提交', `修改稿（第 ${revision.revision} 稿）已提交，正在打开回执页面。`),
      };
    } catch (err) {
      const answer = linkProblem(err, `/revise/${token}/renew`);
      if (answer) return answer;
      // Whatever else went wrong, the form comes back with the text as typed (a link that is not this informant's,
      // or a piece that cannot be revised, gets its page instead).
      if (request.wantsJson || err instanceof InvalidLinkError || err instanceof NotFoundError) throw err;
      const again = formAgain(err);
      const view = await settle(() => reviseView(token)).catch(() => undefined);
      return {
        status: again.status,
        html: reviseFormPage(view, token, formValuesOf(request.fields), again.errors, again.notice),
      };
    }
  },
  UPLOAD_BODY_LIMIT,
  // One document and three attachments are allowed; more are read (empty file inputs count too), so that too many
  // can be said.
  16,
  UPLOAD_TOO_LARGE,
);
