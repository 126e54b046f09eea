// POST /review/{token}/renew and /revise/{token}/renew — an expired or revoked link's owner asks for a fresh one by
// email; POST /submissions/{id}/revise-link — the informant of a returned piece asks for its revise link.
import { linkProblem } from '../shared/review/pages';
import { emailReviseLink, renewReviewLink, renewReviseLink } from '../shared/review/renewLink';
import { type HttpResponse, httpHandler } from '../shared/web/http';
import { messagePage } from '../shared/web/pages';

export const handler = httpHandler(async (request): Promise<HttpResponse> => {
  const token = request.path.token ?? '';
  try {
    if (request.routeKey.includes('/submissions/')) {
      await emailReviseLink(request.path.id ?? '', { k: request.fields.k, r: request.fields.r });
    } else if (request.routeKey.includes('/review/')) {
      await renewReviewLink(token);
    } else {
      await renewReviseLink(token);
    }
  } catch (err) {
    const answer = linkProblem(err, request.rawPath);
    if (answer) return answer;
    throw err;
  }
  const message = '新的链接已发到您登记的邮箱，请查收。';
  return { status: 200, html: messagePage('已发送', message), json: { message } };
});
