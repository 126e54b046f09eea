// Signing in to the desk (信息科工作台) and out:
//   GET  /desk/signin/{token}        the sign-in link's page: who, and the 进入工作台 button (changes nothing)
//   POST /desk/signin/{token}        the session begins (cookie), 303 to the desk
//   POST /desk/signin/{token}/renew  a fresh sign-in link to the address in the roster
//   GET  /desk/{token}               a permanent desk link of before: the way to a sign-in link
//   POST /desk/signout               退出: the session ends, the cookie is cleared
//   GET  /desk/signedout             the page after 退出
import { renewView, signedOutView, signinAction, signinView, signoutAction } from '../shared/desk/signinPages';
import { type HttpResponse, httpHandler } from '../shared/web/http';

export const handler = httpHandler(async (request): Promise<HttpResponse> => {
  const token = request.path.token ?? '';
  const route = request.routeKey;
  if (route.endsWith('/signout')) return signoutAction(request);
  if (route.endsWith('/signedout')) return signedOutView();
  if (route.endsWith('/renew')) return renewView(token);
  if (request.method === 'POST') return signinAction(token, request);
  return signinView(token, request.query);
});
