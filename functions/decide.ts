// POST /review/{token} — an editor's decision: accept (期号, remark), return (feedback), reject (reason).
import { settle } from '../shared/core/budget';
import { InvalidLinkError, NotFoundError } from '../shared/core/errors';
import { DECISION_LABELS } from '../shared/pieces/events';
import { decidePiece } from '../shared/review/decidePiece';
import { linkProblem, reviewPage } from '../shared/review/pages';
import { reviewView } from '../shared/review/reviewView';
import { formAgain, type HttpResponse, httpHandler } from '../shared/web/http';
import { messagePage } from '../shared/web/pages';

const field = (v: unknown) => (typeof v === 'string' ? v : '');

export const handler = httpHandler(async (request): Promise<HttpResponse> => {
  const token = request.path.token ?? '';
  const action = `/review/${token}`;
  try {
    const decision = await decidePiece(token, request.fields);
    const what = DECISION_LABELS[decision.type as keyof typeof DECISION_LABELS];
    const message = `已处理：${what}${decision.issueNo ? `，编入《组工专报》第 ${decision.issueNo} 期` : ''}。信息员会收到邮件通知。`;
    return {
      status: 200,
      html: messagePage('处理完成', message),
      json: { receipt: decision.receipt, revision: decision.revision, decision: decision.type },
    };
  } catch (err) {
    const answer = linkProblem(err, `${action}/renew`);
    if (answer) return answer;
    if (request.wantsJson || err instanceof InvalidLinkError || err instanceof NotFoundError) throw err;
    // The form again, with what the editor typed and the message beside the field or above the form.
    const again = formAgain(err);
    const view = await settle(() => reviewView(token)).catch(() => undefined);
    return {
      status: again.status,
      html: reviewPage({
        view,
        action,
        values: {
          decision: field(request.fields.decision),
          issue: field(request.fields.issue),
          comment: field(request.fields.comment),
        },
        errors: again.errors,
        notice: again.notice,
      }),
    };
  }
});
