// ANY on a known path with a method it does not answer: 405 with the Allow header.
import { httpHandler } from '../shared/web/http';
import { messagePage } from '../shared/web/pages';
import { allowedMethods } from '../shared/web/routes';

export const handler = httpHandler(async (request) => {
  const allow = allowedMethods(request.routeKey.replace(/^\S+ /, '')).join(', ');
  const message = `此地址不支持 ${request.method} 请求。`;
  return {
    status: 405,
    headers: { allow },
    html: messagePage('请求方式不支持', message),
    json: { error: 'method_not_allowed', message },
  };
});
