// POST /review/{token}/renew and /revise/{token}/renew — an expired link's owner asks for a fresh one by email.

import { linkProblem } from '../shared/review/pages';
import { renewReviewLink, renewReviseLink } from '../shared/review/renewLink';
import { type HttpResponse, httpHandler } from '../shared/web/http';
import { messagePage } from '../shared/web/pages';

export const handler = httpHandler(async (request): Promise<HttpResponse> => {
  const token = request.path.token ?? '';
  const review = request.routeKey.includes('/review/');
  try {
    await (review ? renewReviewLink(token) : renewReviseLink(token));
  } catch (err) {
    const answer = linkProblem(err, request.rawPath);
    if (answer) return answer;
    throw err;
  }
  const message = '新的链接已发到您登记的邮箱，请查收。';
  return { status: 200, html: messagePage('已发送', message), json: { message } };
});
