// POST /review/{token} — an editor's decision: accept (期号, remark), return (feedback), reject (reason, confirmed on
// a second step). The answer says what happened and offers the next piece waiting (found when clicked).
import { settle } from '../shared/core/budget';
import { InvalidLinkError, NotFoundError } from '../shared/core/errors';
import {
  AlreadyDecidedError,
  decidePiece,
  isSameDecisionAgain,
  RejectNotConfirmedError,
} from '../shared/review/decidePiece';
import {
  confirmationRequired,
  decisionDonePage,
  linkProblem,
  rejectConfirmPage,
  reviewPage,
} from '../shared/review/pages';
import { reviewView } from '../shared/review/reviewView';
import { formAgain, type HttpResponse, httpHandler } from '../shared/web/http';

const field = (v: unknown) => (typeof v === 'string' ? v : '');

export const handler = httpHandler(async (request): Promise<HttpResponse> => {
  const token = request.path.token ?? '';
  const action = `/review/${token}`;
  const values = {
    decision: field(request.fields.decision),
    issue: field(request.fields.issue),
    comment: field(request.fields.comment),
  };
  // 返回修改 on the confirmation page: the form again, as typed, nothing decided.
  if (request.fields.back !== undefined && !request.wantsJson) {
    const view = await reviewView(token).catch((err) => {
      const answer = linkProblem(err, `${action}/renew`);
      if (answer) return answer;
      throw err;
    });
    if ('status' in view) return view;
    return {
      status: 200,
      html: reviewPage({ view, action, values: { issue: values.issue, comment: values.comment } }),
    };
  }
  try {
    const { decision, revision } = await decidePiece(token, request.fields);
    return {
      status: 200,
      html: decisionDonePage(decision, revision, action),
      json: { receipt: decision.receipt, revision: decision.revision, decision: decision.type },
    };
  } catch (err) {
    // The same decision posted again by the same editor (a refresh of 处理完成): the same answer, nothing new.
    if (
      err instanceof AlreadyDecidedError &&
      !request.wantsJson &&
      isSameDecisionAgain(err, err.context.editor?.personId ?? '', values.decision)
    ) {
      return { status: 200, html: decisionDonePage(err.decision, err.context.revision, action) };
    }
    if (err instanceof RejectNotConfirmedError) {
      if (request.wantsJson) return confirmationRequired(err);
      const view = await settle(() => reviewView(token)).catch(() => undefined);
      return { status: 200, html: rejectConfirmPage(view, action, values) };
    }
    const answer = linkProblem(err, `${action}/renew`);
    if (answer) return answer;
    if (request.wantsJson || err instanceof InvalidLinkError || err instanceof NotFoundError) throw err;
    // The form again, with what the editor typed and the message beside the field or above the form.
    const again = formAgain(err);
    const view = await settle(() => reviewView(token)).catch(() => undefined);
    return {
      status: again.status,
      html: reviewPage({ view, action, values, errors: again.errors, notice: again.notice }),
    };
  }
});
