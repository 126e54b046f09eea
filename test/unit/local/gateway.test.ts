// The local gateway must hand handlers the same events, and clients the same answers, as API Gateway HTTP API
// (payload 2.0). Real HTTP requests against a gateway on a free port, with fake handlers that echo what they got.
import http from 'node:http';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import {
  createGateway,
  fromResult,
  type LambdaHttpHandler,
  listen,
  MalformedResultError,
  toEvent,
} from '../../../local/gateway';
import { matchRoute } from '../../../shared/web/routeMatch';

type HandlerName = string;
interface Route {
  method: 'GET' | 'POST' | 'ANY';
  path: string;
  fn: string;
}

const routes: Route[] = [
  { method: 'GET', path: '/', fn: 'home' },
  { method: 'POST', path: '/link', fn: 'requestLink' },
  { method: 'GET', path: '/submissions/new', fn: 'submitForm' },
  { method: 'GET', path: '/submissions/{id}', fn: 'showSubmission' },
  { method: 'ANY', path: '/submissions/{id}', fn: 'methodNotAllowed' },
  { method: 'GET', path: '/boom', fn: 'createSubmission' },
];

interface Call {
  name: HandlerName;
  event: APIGatewayProxyEventV2;
  context: Context;
}

interface Echo {
  handler: HandlerName;
  event: APIGatewayProxyEventV2;
}

class BoomError extends Error {
  constructor() {
    super('the store is down');
    this.name = 'BoomError';
  }
}

const calls: Call[] = [];
const loads: HandlerName[] = [];
const logLines: string[] = [];
const servers: http.Server[] = [];

function fakeHandler(name: HandlerName): LambdaHttpHandler {
  return async (event, context) => {
    calls.push({ name, event, context });
    if (name === 'createSubmission') throw new BoomError();
    if (name === 'submitForm') return { greeting: '报送' };
    return {
      statusCode: 200,
      headers: { 'Content-Type': 'application/json; charset=utf-8' },
      cookies: ['flash=saved; Path=/; HttpOnly', 'theme=dark; Path=/'],
      body: JSON.stringify({ handler: name, event } satisfies Echo),
    };
  };
}

async function startGateway(maxBodyBytes?: number): Promise<string> {
  const server = createGateway({
    routes,
    loadHandler: async (name) => {
      loads.push(name);
      return fakeHandler(name);
    },
    maxBodyBytes,
    log: (line) => logLines.push(line),
  });
  servers.push(server);
  const port = await listen(server, 0);
  return `http://127.0.0.1:${port}`;
}

function close(server: http.Server): Promise<void> {
  if (!server.listening) return Promise.resolve();
  return new Promise((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    server.closeAllConnections();
  });
}

async function echo(response: Response): Promise<Echo> {
  expect(response.status).toBe(200);
  return (await response.json()) as Echo;
}

let base: string;

beforeAll(async () => {
  base = await startGateway(64 * 1024);
});

beforeEach(() => {
  calls.length = 0;
  logLines.length = 0;
});

afterAll(async () => {
  await Promise.all(servers.map(close));
});

describe('the local gateway, request to event', () => {
  it('passes a form post base64-encoded with isBase64Encoded true, decoding to the bytes sent', async () => {
    const sent = Buffer.from(`title=组工信息&unit=县委组织部&note=${encodeURIComponent('报送 调研')}`, 'utf8');

    const { event } = await echo(
      await fetch(`${base}/link`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: sent,
      }),
    );

    expect(event.isBase64Encoded).toBe(true);
    const received = Buffer.from(event.body!, 'base64');
    expect(received.equals(sent)).toBe(true);
    const form = new URLSearchParams(received.toString('utf8'));
    expect(form.get('title')).toBe('组工信息');
    expect(form.get('note')).toBe('报送 调研');
  });

  it('passes a JSON body as plain text', async () => {
    const sent = JSON.stringify({ 标题: '调研报告', count: 2 });

    const { event } = await echo(
      await fetch(`${base}/link`, {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8' },
        body: sent,
      }),
    );

    expect(event.isBase64Encoded).toBe(false);
    expect(event.body).toBe(sent);
  });

  it('omits the body, cookies, query and path parameters when the request has none', async () => {
    const { event } = await echo(await fetch(`${base}/`));

    expect(event.body).toBeUndefined();
    expect(event.isBase64Encoded).toBe(false);
    expect(event.cookies).toBeUndefined();
    expect(event.queryStringParameters).toBeUndefined();
    expect(event.pathParameters).toBeUndefined();
    expect(event.rawQueryString).toBe('');
  });

  it('comma-joins repeated query keys and URL-decodes values, keeping the raw query string as sent', async () => {
    const query = 'unit=a&unit=b&q=%E6%8A%A5%E9%80%81&x=1+2';

    const { event } = await echo(await fetch(`${base}/?${query}`));

    expect(event.rawQueryString).toBe(query);
    expect(event.queryStringParameters).toEqual({ unit: 'a,b', q: '报送', x: '1 2' });
  });

  it('puts cookies in their own array and leaves no cookie header', async () => {
    const { event } = await echo(await fetch(`${base}/`, { headers: { Cookie: 'session=abc; theme=dark' } }));

    expect(event.cookies).toEqual(['session=abc', 'theme=dark']);
    expect(event.headers.cookie).toBeUndefined();
  });

  it('lower-cases header names', async () => {
    const { event } = await echo(await fetch(`${base}/`, { headers: { 'X-Informant-Unit': 'Party Office' } }));

    expect(event.headers['x-informant-unit']).toBe('Party Office');
    expect(event.headers['X-Informant-Unit']).toBeUndefined();
  });

  it('comma-joins a header sent more than once', async () => {
    const port = new URL(base).port;
    const body = await new Promise<string>((resolve, reject) => {
      const req = http.request(
        { host: '127.0.0.1', port, path: '/', headers: ['Host', `127.0.0.1:${port}`, 'X-Tag', 'a', 'x-tag', 'b'] },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
        },
      );
      req.on('error', reject);
      req.end();
    });

    const { event } = JSON.parse(body) as Echo;
    expect(event.headers['x-tag']).toBe('a,b');
  });

  it('matches a path parameter and URL-decodes it, keeping rawPath as sent', async () => {
    const { handler, event } = await echo(await fetch(`${base}/submissions/%E7%BB%84%20a`));

    expect(handler).toBe('showSubmission');
    expect(event.routeKey).toBe('GET /submissions/{id}');
    expect(event.rawPath).toBe('/submissions/%E7%BB%84%20a');
    expect(event.pathParameters).toEqual({ id: '组 a' });
  });

  it('fills requestContext like API Gateway', async () => {
    const { event } = await echo(await fetch(`${base}/?key=secret`, { headers: { 'user-agent': 'jest' } }));

    const host = new URL(base).host;
    expect(event.version).toBe('2.0');
    expect(event.headers.host).toBe(host);
    expect(event.requestContext).toMatchObject({
      accountId: 'offline',
      apiId: 'local',
      domainName: host,
      http: { method: 'GET', path: '/', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'jest' },
      routeKey: 'GET /',
      stage: '$default',
    });
    expect(event.requestContext.requestId).toEqual(expect.any(String));
    expect(event.requestContext.time).toMatch(/^\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000$/);
    expect(Math.abs(event.requestContext.timeEpoch - Date.now())).toBeLessThan(5000);
  });

  it('gives the handler a Lambda context with a countdown from 10 seconds', async () => {
    await echo(await fetch(`${base}/`));

    const { context } = calls[0]!;
    expect(context.functionName).toBe('baosong-home');
    expect(context.awsRequestId).toEqual(expect.any(String));
    expect(context.getRemainingTimeInMillis()).toBeGreaterThan(9000);
    expect(context.getRemainingTimeInMillis()).toBeLessThanOrEqual(10_000);
  });
});

describe('the local gateway, routing', () => {
  it('prefers the route for the method over ANY on the same path', async () => {
    const get = await echo(await fetch(`${base}/submissions/42`));
    const post = await echo(await fetch(`${base}/submissions/42`, { method: 'POST' }));

    expect(get.handler).toBe('showSubmission');
    expect(post.handler).toBe('methodNotAllowed');
    expect(post.event.routeKey).toBe('ANY /submissions/{id}');
    expect(post.event.requestContext.http.method).toBe('POST');
  });

  it('prefers a static path over a path parameter', async () => {
    const response = await fetch(`${base}/submissions/new`);

    expect(response.status).toBe(200);
    expect(calls.map((c) => c.name)).toEqual(['submitForm']);
  });

  it('answers HEAD from the GET route with its headers and no body', async () => {
    const response = await fetch(`${base}/submissions/42`, { method: 'HEAD' });

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(Number(response.headers.get('content-length'))).toBeGreaterThan(0);
    expect(await response.text()).toBe('');
    expect(calls[0]!.name).toBe('showSubmission');
    expect(calls[0]!.event.requestContext.http.method).toBe('HEAD');
    expect(calls[0]!.event.routeKey).toBe('HEAD /submissions/{id}');
  });

  it('answers 404 with the API Gateway JSON body when no route matches', async () => {
    const response = await fetch(`${base}/nowhere/at/all`);

    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(await response.json()).toEqual({ message: 'Not Found' });
    expect(calls).toHaveLength(0);
  });

  it('loads each handler once and reuses it', async () => {
    await fetch(`${base}/`);
    await fetch(`${base}/`);
    await fetch(`${base}/`);

    expect(loads.filter((name) => name === 'home')).toHaveLength(1);
  });
});

describe('the local gateway, result to response', () => {
  it('sends each result cookie as its own Set-Cookie header', async () => {
    const response = await fetch(`${base}/`);

    expect(response.headers.getSetCookie()).toEqual(['flash=saved; Path=/; HttpOnly', 'theme=dark; Path=/']);
  });

  it('answers 200 JSON when the handler returns something without a statusCode', async () => {
    const response = await fetch(`${base}/submissions/new`);

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(await response.json()).toEqual({ greeting: '报送' });
  });

  it('answers 500 when the handler throws, logging the error but not the query string', async () => {
    const response = await fetch(`${base}/boom?token=s3cr3t-signed-token`);

    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({ message: 'Internal Server Error' });
    expect(logLines.some((line) => line.includes('BoomError') && line.includes('the store is down'))).toBe(true);
    expect(logLines.some((line) => /^GET \/boom 500 \d+ms$/.test(line))).toBe(true);
    expect(logLines.join('\n')).not.toContain('s3cr3t');
    expect(logLines.join('\n')).not.toContain('token=');
  });

  it('logs one line per request with method, path, status and time, without the query string', async () => {
    await fetch(`${base}/?key=abc123`);

    expect(logLines).toHaveLength(1);
    expect(logLines[0]).toMatch(/^GET \/ 200 \d+ms$/);
  });

  it('logs the route instead of path parameters, which may carry signed tokens', async () => {
    await fetch(`${base}/submissions/s3cr3t-token-in-path`);
    await fetch(`${base}/nowhere/s3cr3t-token-in-path`);

    expect(logLines[0]).toMatch(/^GET \/submissions\/\{id\} 200 \d+ms$/);
    expect(logLines[1]).toMatch(/^GET \(no route\) 404 \d+ms$/);
    expect(logLines.join('\n')).not.toContain('s3cr3t');
  });
});

describe('the local gateway, limits', () => {
  it('answers 413 to a body over the limit without calling the handler', async () => {
    const small = await startGateway(1024);

    const response = await fetch(`${small}/link`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: 'x'.repeat(4096),
    });

    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({ message: 'Request Entity Too Large' });
    expect(calls).toHaveLength(0);
  });

  it('answers 413 to a streamed body once it passes the limit, without calling the handler', async () => {
    const small = await startGateway(1024);
    const chunk = new Uint8Array(512).fill(120);
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= 8) return controller.close();
        sent++;
        controller.enqueue(chunk);
      },
    });

    const response = await fetch(`${small}/link`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body,
      duplex: 'half',
    } as RequestInit);

    expect(response.status).toBe(413);
    expect(calls).toHaveLength(0);
  });

  it('rejects listening on a port already in use with a message naming the port', async () => {
    const taken = Number(new URL(base).port);
    const second = createGateway({ routes, loadHandler: async (name) => fakeHandler(name), log: () => {} });
    servers.push(second);

    await expect(listen(second, taken)).rejects.toThrow(`Port ${taken} on 127.0.0.1 is already in use (EADDRINUSE)`);
  });
});

describe('toEvent and fromResult', () => {
  const match = matchRoute(routes, 'POST', '/submissions/7')!;

  it('stamps the request time in API Gateway format from the clock given', () => {
    const event = toEvent(
      { method: 'POST', url: '/submissions/7', headers: { host: ['localhost:3000'] }, sourceIp: '127.0.0.1' },
      match,
      { now: new Date(Date.UTC(2020, 2, 12, 19, 3, 58)), requestId: 'JKJaXmPLvHcESHA=' },
    );

    expect(event.requestContext.time).toBe('12/Mar/2020:19:03:58 +0000');
    expect(event.requestContext.timeEpoch).toBe(Date.UTC(2020, 2, 12, 19, 3, 58));
    expect(event.requestContext.requestId).toBe('JKJaXmPLvHcESHA=');
    expect(event.requestContext.domainPrefix).toBe('localhost');
    expect(event.routeKey).toBe('ANY /submissions/{id}');
  });

  it('decodes a base64 result body to bytes', () => {
    const bytes = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0xff]);

    const response = fromResult({ statusCode: 201, body: bytes.toString('base64'), isBase64Encoded: true });

    expect(response.status).toBe(201);
    expect(response.body.equals(bytes)).toBe(true);
  });

  it('sends a string result as is and an undefined result as null JSON, both as 200', () => {
    expect(fromResult('你好').body.toString('utf8')).toBe('你好');
    expect(fromResult(undefined)).toMatchObject({ status: 200, headers: { 'content-type': 'application/json' } });
    expect(fromResult(undefined).body.toString('utf8')).toBe('null');
  });

  it('refuses a result whose statusCode is not an HTTP status', () => {
    expect(() => fromResult({ statusCode: '200' })).toThrow(MalformedResultError);
  });
});
