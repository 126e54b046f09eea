// The local stand-in for API Gateway HTTP API (payload format 2.0): one Node HTTP server that matches the route table,
// turns each request into the event AWS would send, calls the same Lambda handler and maps its result back the way
// AWS does. Where AWS surprises (form posts base64, cookies apart, comma-joined repeats), this must surprise alike.
// Never log query strings or bodies here: they carry signed tokens.
import { randomBytes, randomUUID } from 'node:crypto';
import http from 'node:http';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, Context } from 'aws-lambda';
import { matchRoute, type RouteMatch, type RoutePattern } from '../shared/web/routeMatch';

export type LambdaHttpHandler = (
  event: APIGatewayProxyEventV2,
  context: Context,
  // biome-ignore lint/suspicious/noConfusingVoidType: a handler typed `Promise<void>` must be assignable too.
) => Promise<APIGatewayProxyResultV2 | undefined | void>;

/** A route of the HTTP API: a path (or path family) and the function it invokes. */
export interface GatewayRoute extends RoutePattern {
  fn: string;
}

export interface GatewayOptions {
  routes: readonly GatewayRoute[];
  /** The function a route invokes, by its name. */
  loadHandler: (fn: string) => Promise<LambdaHttpHandler>;
  /** Largest request body accepted; API Gateway's payload limit is 10 MB. */
  maxBodyBytes?: number;
  /** One line per request; console.log by default. */
  log?: (line: string) => void;
  /**
   * What the request line names instead of the API route that matched (e.g. the page's own route, which a function's
   * router finds): never the path itself, which may carry a signed token.
   */
  describe?: (method: string, rawPath: string) => string;
}

/** A request as it came off the wire, before any API Gateway interpretation. */
export interface GatewayRequest {
  /** Upper-case, as sent. */
  method: string;
  /** The request target: path and query string exactly as sent. */
  url: string;
  /** Lower-cased names; each repeated header's values in arrival order (Node's `headersDistinct`). */
  headers: Record<string, string[]>;
  /** Absent or empty when the request had no body. */
  body?: Buffer;
  sourceIp: string;
  /** The port the gateway listens on, for x-forwarded-port. */
  localPort?: number;
}

export interface GatewayResponse {
  status: number;
  headers: Record<string, string | string[]>;
  body: Buffer;
}

/** The handler's result is not one API Gateway can turn into a response; AWS answers 500. */
export class MalformedResultError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MalformedResultError';
  }
}

const DEFAULT_MAX_BODY_BYTES = 10 * 1024 * 1024;
const LAMBDA_TIMEOUT_MS = 10_000;
/** Connection-level headers end at the gateway; Lambda never sees them. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** API Gateway passes these bodies as UTF-8 text; every other body (forms included) arrives base64-encoded. */
function isTextContentType(contentType: string | undefined): boolean {
  const mediaType = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  return (
    mediaType.startsWith('text/') ||
    mediaType === 'application/json' ||
    /^application\/[^/]+\+json$/.test(mediaType) ||
    mediaType === 'application/xml' ||
    mediaType === 'application/javascript'
  );
}

/** '12/Mar/2020:19:03:58 +0000', as in requestContext.time. */
export function formatRequestTime(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return (
    `${pad(date.getUTCDate())}/${MONTHS[date.getUTCMonth()]}/${date.getUTCFullYear()}:` +
    `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`
  );
}

/** A request id shaped like API Gateway's ('JKJaXmPLvHcESHA='). */
function newRequestId(): string {
  return randomBytes(10).toString('base64');
}

function newTraceId(now: Date): string {
  return `Root=1-${Math.floor(now.getTime() / 1000).toString(16)}-${randomBytes(12).toString('hex')}`;
}

function splitTarget(url: string): { rawPath: string; rawQueryString: string } {
  let target = url;
  if (!target.startsWith('/')) {
    // Absolute-form request target (as sent to a proxy): keep only path and query.
    try {
      const parsed = new URL(target);
      target = parsed.pathname + parsed.search;
    } catch {
      target = '/';
    }
  }
  const q = target.indexOf('?');
  return q === -1
    ? { rawPath: target, rawQueryString: '' }
    : { rawPath: target.slice(0, q), rawQueryString: target.slice(q + 1) };
}

/** The payload format 2.0 event API Gateway would send for this request and route. */
export function toEvent(
  request: GatewayRequest,
  match: RouteMatch,
  meta: { now?: Date; requestId?: string; traceId?: string } = {},
): APIGatewayProxyEventV2 {
  const now = meta.now ?? new Date();
  const requestId = meta.requestId ?? newRequestId();
  const { rawPath, rawQueryString } = splitTarget(request.url);

  const headers: Record<string, string> = {};
  let cookies: string[] | undefined;
  for (const [name, values] of Object.entries(request.headers)) {
    if (HOP_BY_HOP.has(name)) continue;
    if (name === 'cookie') {
      cookies = values
        .join('; ')
        .split(';')
        .map((c) => c.trim())
        .filter((c) => c !== '');
    } else {
      headers[name] = values.join(',');
    }
  }
  headers['x-forwarded-for'] = headers['x-forwarded-for']
    ? `${headers['x-forwarded-for']}, ${request.sourceIp}`
    : request.sourceIp;
  headers['x-forwarded-proto'] = 'http';
  if (request.localPort !== undefined) headers['x-forwarded-port'] = String(request.localPort);
  headers['x-amzn-trace-id'] ??= meta.traceId ?? newTraceId(now);

  let queryStringParameters: Record<string, string> | undefined;
  if (rawQueryString !== '') {
    queryStringParameters = {};
    for (const [key, value] of new URLSearchParams(rawQueryString)) {
      const previous = queryStringParameters[key];
      queryStringParameters[key] = previous === undefined ? value : `${previous},${value}`;
    }
  }

  const domainName = headers.host ?? 'localhost';
  const hasBody = request.body !== undefined && request.body.length > 0;
  const text = isTextContentType(headers['content-type']);

  return {
    version: '2.0',
    routeKey: match.routeKey,
    rawPath,
    rawQueryString,
    ...(cookies && cookies.length > 0 ? { cookies } : {}),
    headers,
    ...(queryStringParameters ? { queryStringParameters } : {}),
    requestContext: {
      accountId: 'offline',
      apiId: 'local',
      domainName,
      domainPrefix: domainName.split(':')[0]!.split('.')[0]!,
      http: {
        method: request.method,
        path: rawPath,
        protocol: 'HTTP/1.1',
        sourceIp: request.sourceIp,
        userAgent: headers['user-agent'] ?? '',
      },
      requestId,
      routeKey: match.routeKey,
      stage: '$default',
      time: formatRequestTime(now),
      timeEpoch: now.getTime(),
    },
    ...(match.pathParameters ? { pathParameters: match.pathParameters } : {}),
    ...(hasBody ? { body: request.body!.toString(text ? 'utf8' : 'base64') } : {}),
    isBase64Encoded: hasBody && !text,
  };
}

function jsonResponse(status: number, message: string, extraHeaders: Record<string, string> = {}): GatewayResponse {
  return {
    status,
    headers: { 'content-type': 'application/json', ...extraHeaders },
    body: Buffer.from(JSON.stringify({ message })),
  };
}

/**
 * The HTTP response API Gateway makes of a handler's result (payload 2.0): an object with `statusCode` is a
 * response; anything else is JSON for a 200 (a string as is). Throws MalformedResultError where AWS answers 500.
 */
export function fromResult(result: unknown): GatewayResponse {
  if (typeof result !== 'object' || result === null || !('statusCode' in result)) {
    // Lambda serializes an undefined result as null.
    const body = typeof result === 'string' ? result : (JSON.stringify(result) ?? 'null');
    return { status: 200, headers: { 'content-type': 'application/json' }, body: Buffer.from(body) };
  }
  const { statusCode, headers, cookies, body, isBase64Encoded } = result as Record<string, unknown>;
  if (typeof statusCode !== 'number' || !Number.isInteger(statusCode) || statusCode < 100 || statusCode > 599) {
    throw new MalformedResultError(`statusCode must be an integer HTTP status, got ${JSON.stringify(statusCode)}`);
  }
  if (body !== undefined && body !== null && typeof body !== 'string') {
    throw new MalformedResultError(`body must be a string, got ${typeof body}`);
  }
  const out: Record<string, string | string[]> = {};
  if (headers !== undefined && headers !== null) {
    if (typeof headers !== 'object') throw new MalformedResultError('headers must be an object');
    for (const [name, value] of Object.entries(headers)) {
      if (value === undefined || value === null) continue;
      out[name.toLowerCase()] = String(value);
    }
  }
  if (cookies !== undefined && cookies !== null) {
    if (!Array.isArray(cookies)) throw new MalformedResultError('cookies must be an array of strings');
    const fromHeader = out['set-cookie'];
    out['set-cookie'] = [...(fromHeader === undefined ? [] : [fromHeader].flat()), ...cookies.map(String)];
  }
  // The gateway frames the body itself.
  delete out['content-length'];
  delete out['transfer-encoding'];
  const text = typeof body === 'string' ? body : '';
  return { status: statusCode, headers: out, body: Buffer.from(text, isBase64Encoded === true ? 'base64' : 'utf8') };
}

/** A Lambda Context like the one the Node.js runtime gives, with a 10 s budget. */
export function createContext(name: string, awsRequestId: string = randomUUID()): Context {
  const functionName = `baosong-${name}`;
  const region = process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1';
  const deadline = Date.now() + LAMBDA_TIMEOUT_MS;
  const today = new Date().toISOString().slice(0, 10).replaceAll('-', '/');
  const unsupported = (what: string) => () => {
    throw new Error(`context.${what}() is not supported: return (or throw) from the async handler instead`);
  };
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${region}:000000000000:function:${functionName}`,
    memoryLimitInMB: '1024',
    awsRequestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: `${today}/[$LATEST]${randomBytes(16).toString('hex')}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: unsupported('done'),
    fail: unsupported('fail'),
    succeed: unsupported('succeed'),
  };
}

type BodyRead = { ok: true; body: Buffer } | { ok: false };

/** The whole body, or `{ ok: false }` as soon as it is known to exceed `max` (the rest is not buffered). */
function readBody(req: http.IncomingMessage, max: number): Promise<BodyRead> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > max) return Promise.resolve({ ok: false });
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) {
        req.off('data', onData);
        req.off('end', onEnd);
        req.pause();
        resolve({ ok: false });
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => resolve({ ok: true, body: Buffer.concat(chunks) });
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', reject);
  });
}

function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : `non-Error thrown (${typeof error})`;
}

/** An HTTP server (not yet listening) that serves `routes` as API Gateway HTTP API would. */
export function createGateway(options: GatewayOptions): http.Server {
  const { routes, loadHandler } = options;
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const log = options.log ?? ((line: string) => console.log(line));
  const loaded = new Map<string, Promise<LambdaHttpHandler>>();

  const handlerFor = (name: string): Promise<LambdaHttpHandler> => {
    let pending = loaded.get(name);
    if (!pending) {
      pending = loadHandler(name);
      loaded.set(name, pending);
      // A failed load is retried on the next request rather than cached.
      pending.catch(() => loaded.delete(name));
    }
    return pending;
  };

  const serve = async (req: http.IncomingMessage, rawPath: string, requestId: string): Promise<GatewayResponse> => {
    const method = (req.method ?? 'GET').toUpperCase();
    const match = matchRoute(routes, method, rawPath);
    if (!match) return jsonResponse(404, 'Not Found');

    const read = await readBody(req, maxBodyBytes);
    // The rest of an oversize upload is not read: the connection closes once the answer is out.
    if (!read.ok) return jsonResponse(413, 'Request Entity Too Large', { connection: 'close' });

    const request: GatewayRequest = {
      method,
      url: req.url ?? '/',
      headers: req.headersDistinct as Record<string, string[]>,
      body: read.body,
      sourceIp: (req.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, ''),
      localPort: req.socket.localPort,
    };
    const name = match.route.fn;
    try {
      const handler = await handlerFor(name);
      const event = toEvent(request, match, { requestId });
      const result = await handler(event, createContext(name));
      return fromResult(result);
    } catch (error) {
      log(`${name} failed: ${describeError(error)}`);
      return jsonResponse(500, 'Internal Server Error');
    }
  };

  return http.createServer((req, res) => {
    const started = performance.now();
    const method = (req.method ?? 'GET').toUpperCase();
    const { rawPath } = splitTarget(req.url ?? '/');
    const requestId = newRequestId();
    req.on('error', () => {}); // a client that goes away mid-upload is not our failure

    serve(req, rawPath, requestId)
      .catch((error: unknown) => {
        log(`gateway failed: ${describeError(error)}`);
        return jsonResponse(500, 'Internal Server Error');
      })
      .then((response) => {
        // The route, not the path: paths like /review/{token} carry signed tokens, which never reach a log.
        const route = matchRoute(routes, method, rawPath);
        const shown = options.describe
          ? options.describe(method, rawPath)
          : route
            ? route.routeKey.replace(/^\S+ /, '')
            : '(no route)';
        log(`${method} ${shown} ${response.status} ${Math.round(performance.now() - started)}ms`);
        if (res.destroyed) return;
        const noBody = response.status === 204 || response.status === 304 || response.status < 200;
        res.writeHead(response.status, {
          ...response.headers,
          'apigw-requestid': requestId,
          ...(noBody ? {} : { 'content-length': String(response.body.length) }),
        });
        // Node sends no body for HEAD on its own; the length above still says what GET would send.
        res.end(method === 'HEAD' || noBody ? undefined : response.body);
      });
  });
}

/**
 * Starts listening; resolves the bound port (port 0 picks a free one). A taken port rejects with a message that
 * says so, since Node's bare EADDRINUSE is easy to misread.
 */
export function listen(server: http.Server, port: number, host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      if (error.code === 'EADDRINUSE') {
        reject(
          new Error(
            `Port ${port} on ${host} is already in use (EADDRINUSE): stop the program using it or choose another port.`,
            { cause: error },
          ),
        );
      } else {
        reject(error);
      }
    };
    const onListening = () => {
      server.off('error', onError);
      const address = server.address();
      resolve(typeof address === 'object' && address !== null ? address.port : port);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}
