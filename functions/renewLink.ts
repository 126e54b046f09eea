// POST /review/{token}/renew and /revise/{token}/renew — an expired or revoked link's owner asks for a fresh one by
// email; POST /submissions/{id}/revise-link — the informant of a returned piece asks for its revise link.
// A review link's answer is the same whether a link was sent or not (the piece was decided meanwhile): an expired
// link learns nothing of its piece.
import { linkProblem } from '../shared/review/pages';
import { emailReviseLink, renewReviewLink, renewReviseLink } from '../shared/review/renewLink';
import { type HttpResponse, httpHandler } from '../shared/web/http';
import { messagePage } from '../shared/web/pages';

const SENT = '新的链接已发到您登记的邮箱，请查收。';
const SENT_IF_WAITING = '这篇稿件如仍在等待审核，新的链接已发到您登记的邮箱，请查收。';

export const handler = httpHandler(async (request): Promise<HttpResponse> => {
  const token = request.path.token ?? '';
  const review = request.routeKey.includes('/review/');
  try {
    if (request.routeKey.includes('/submissions/')) {
      await emailReviseLink(request.path.id ?? '', { k: request.fields.k, r: request.fields.r });
    } else if (review) {
      await renewReviewLink(token);
    } else {
      await renewReviseLink(token);
    }
  } catch (err) {
    const answer = linkProblem(err, request.rawPath);
    if (answer) return answer;
    throw err;
  }
  const message = review ? SENT_IF_WAITING : SENT;
  return { status: 200, html: messagePage(review ? '请查收邮件' : '已发送', message), json: { message } };
});
