// Requests as API Gateway hands them to a Lambda (payload 2.0), for the parts that invoke handlers in-process: a
// browser's form post or page view, routed by the one route table.
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { createContext, type GatewayRequest, type LambdaHttpHandler, toEvent } from '../local/gateway';
import { matchRoute } from '../shared/web/routeMatch';
import { type HandlerName, routes } from '../shared/web/routes';

/** A browser's GET of `url` (path and query), or its form post of `fields` (body base64, as API Gateway sends it). */
export function browserEvent(
  method: 'GET' | 'POST',
  url: string,
  fields?: Record<string, string>,
  cookie?: string,
): APIGatewayProxyEventV2 {
  const path = url.split('?')[0]!;
  const match = matchRoute(routes, method, path);
  if (!match) throw new Error(`no route for ${method} ${path}`);
  const body = fields ? Buffer.from(new URLSearchParams(fields).toString()) : undefined;
  const request: GatewayRequest = {
    method,
    url,
    headers: {
      host: ['baosong.example.gov.cn'],
      ...(body
        ? {
            'content-type': ['application/x-www-form-urlencoded'],
            'content-length': [String(body.length)],
            origin: ['https://baosong.example.gov.cn'],
          }
        : {}),
      accept: ['text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8'],
      'accept-language': ['zh-CN,zh;q=0.9'],
      ...(cookie ? { cookie: [cookie] } : {}),
      'user-agent': ['Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0'],
    },
    ...(body ? { body } : {}),
    sourceIp: '10.1.2.3',
    localPort: 443,
  };
  return toEvent(request, match);
}

/** A browser's form post as API Gateway delivers it. */
export const formEvent = (path: string, fields: Record<string, string>) => browserEvent('POST', path, fields);

/** Invokes a handler and checks its status code. */
export async function invoke(
  handler: LambdaHttpHandler,
  name: HandlerName,
  event: APIGatewayProxyEventV2,
  expect: number,
): Promise<APIGatewayProxyStructuredResultV2> {
  const result = (await handler(event, createContext(name))) as APIGatewayProxyStructuredResultV2;
  if (result.statusCode !== expect) {
    throw new Error(`${name}: expected ${expect}, got ${result.statusCode}: ${result.body?.slice(0, 300)}`);
  }
  return result;
}
