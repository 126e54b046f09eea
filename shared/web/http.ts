// The HTTP frame of every handler: middy middlewares first (header normalizer → content negotiation → size and
// media-type guard → urlencode and JSON body parsers), the handler last, and the one error mapper that turns domain
// errors into a Chinese page or a JSON error by the negotiated type. Nothing a client sends can cause a 5xx.
import middy from '@middy/core';
import httpContentNegotiation from '@middy/http-content-negotiation';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import httpJsonBodyParser from '@middy/http-json-body-parser';
import httpUrlencodeBodyParser from '@middy/http-urlencode-body-parser';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { isAborted, withBudget } from '../core/budget';
import { config } from '../core/config';
import {
  BaosongError,
  ConflictError,
  ExpiredLinkError,
  type FieldError,
  FORM_KEPT_NOTICE,
  FormExpiredError,
  IdempotencyKeyReusedError,
  InvalidLinkError,
  isStoreUnavailable,
  NotFoundError,
  OutcomeUnknownError,
  PayloadTooLargeError,
  SignInRequiredError,
  StoreUnavailableError,
  UnsupportedMediaTypeError,
  ValidationError,
} from '../core/errors';
import { html, type SafeHtml } from '../core/html';
import { errorFields, log } from '../core/log';
import { messagePage, SECURITY_HEADERS } from './pages';

export const MAX_BODY_BYTES = 256 * 1024;

export interface HttpRequest {
  method: string;
  /** Parsed body fields (form or JSON object); empty when there is no body. */
  fields: Record<string, unknown>;
  query: Record<string, string>;
  headers: Record<string, string>;
  /** The request's cookies (`name=value`), as API Gateway hands them apart from the headers. */
  cookies: string[];
  path: Record<string, string>;
  wantsJson: boolean;
  rawPath: string;
  /** The route that matched, e.g. `ANY /submissions/{id}`. */
  routeKey: string;
}

export interface HttpResponse {
  status: number;
  html?: string | SafeHtml;
  json?: unknown;
  location?: string;
  headers?: Record<string, string>;
  /** Set-Cookie values (API Gateway sends each as its own header). */
  cookies?: string[];
  /** A download (a workbook, a CSV): sent as it is, whatever the client prefers. */
  file?: DownloadFile;
}

export interface DownloadFile {
  body: Buffer;
  contentType: string;
  /** The name the browser saves it under (Chinese allowed: sent as RFC 5987 UTF-8, with an ASCII fallback). */
  filename: string;
}

/** A file a form uploaded (multipart/form-data), as the upload routes see it in `fields`. */
export interface UploadedFile {
  filename: string;
  mimetype: string;
  content: Buffer;
}

export function isUploadedFile(value: unknown): value is UploadedFile {
  return typeof value === 'object' && value !== null && Buffer.isBuffer((value as UploadedFile).content);
}

type Event = APIGatewayProxyEventV2 & { body?: unknown };
type Result = APIGatewayProxyStructuredResultV2;

const FORM = /^application\/x-www-form-urlencoded(;.*)?$/;
const JSON_TYPE = /^application\/json(;.*)?$/;
const MULTIPART = /^multipart\/form-data(;.*)?$/;

function bodyBytes(event: Event): number {
  if (typeof event.body !== 'string') return 0;
  return event.isBase64Encoded ? Buffer.byteLength(event.body, 'base64') : Buffer.byteLength(event.body, 'utf8');
}

/** Size and media type are checked before any parsing: a 10 MB body is refused unread. */
const bodyGuard = (upload?: UploadOptions): middy.MiddlewareObj<Event, Result> => ({
  before: async ({ event }) => {
    // Media types and parameter names are case-insensitive and may have spaces around ';': normalize so the body
    // parsers match them. Parameter values are not: a multipart boundary must stay exactly as the browser sent it.
    const type = (event.headers?.['content-type'] ?? '')
      .trim()
      .split(/\s*;\s*/)
      .map((part, i) => (i === 0 ? part.toLowerCase() : part.replace(/^[^=]*/, (name) => name.toLowerCase())))
      .join('; ');
    if (event.headers && type) event.headers['content-type'] = type;
    // Only a file upload may be bigger than a form or a JSON body.
    const limit = upload && MULTIPART.test(type) ? upload.maxBytes : MAX_BODY_BYTES;
    if (bodyBytes(event) > limit) {
      throw new PayloadTooLargeError(limit, limit === upload?.maxBytes ? upload.tooLarge : undefined);
    }
    const accepted = FORM.test(type) || JSON_TYPE.test(type) || (upload !== undefined && MULTIPART.test(type));
    if (typeof event.body === 'string' && event.body.length > 0 && !accepted) throw new UnsupportedMediaTypeError();
  },
});

function wantsJsonOf(context: Context): boolean {
  return (context as Context & { preferredMediaType?: string }).preferredMediaType === 'application/json';
}

/** `attachment; filename="figures.xlsx"; filename*=UTF-8''…`: every browser saves the Chinese name. */
function contentDisposition(filename: string): string {
  const ascii = filename.replace(/[^\x20-\x7e]/g, '_').replace(/["\\\r\n]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(filename)}`;
}

export function render(response: HttpResponse, wantsJson: boolean): Result {
  const headers: Record<string, string> = { ...SECURITY_HEADERS, ...response.headers };
  if (response.location) headers.location = response.location;
  const cookies = response.cookies && response.cookies.length > 0 ? { cookies: response.cookies } : {};
  if (response.file) {
    headers['content-type'] = response.file.contentType;
    headers['content-disposition'] = contentDisposition(response.file.filename);
    return {
      statusCode: response.status,
      headers,
      body: response.file.body.toString('base64'),
      isBase64Encoded: true,
      ...cookies,
    };
  }
  if (response.json !== undefined && (wantsJson || response.html === undefined)) {
    headers['content-type'] = 'application/json; charset=utf-8';
    return { statusCode: response.status, headers, body: JSON.stringify(response.json), ...cookies };
  }
  headers['content-type'] = 'text/html; charset=utf-8';
  return { statusCode: response.status, headers, body: String(response.html ?? ''), ...cookies };
}

interface Mapped {
  status: number;
  code: string;
  title: string;
}

function classify(error: unknown): Mapped {
  if (error instanceof ValidationError) return { status: 400, code: 'invalid_input', title: '填写有误' };
  if (error instanceof InvalidLinkError) return { status: 403, code: 'invalid_link', title: '链接无效' };
  if (error instanceof SignInRequiredError) return { status: 401, code: 'signin_required', title: '请登录' };
  if (error instanceof FormExpiredError) return { status: 403, code: 'form_expired', title: '页面已过期' };
  if (error instanceof ExpiredLinkError) return { status: 410, code: 'link_expired', title: '链接已过期' };
  if (error instanceof NotFoundError) return { status: 404, code: 'not_found', title: '未找到' };
  if (error instanceof PayloadTooLargeError) return { status: 413, code: 'too_large', title: '内容过大' };
  if (error instanceof UnsupportedMediaTypeError) return { status: 415, code: 'unsupported_type', title: '格式不支持' };
  if (error instanceof IdempotencyKeyReusedError) {
    return { status: 422, code: 'idempotency_key_reused', title: '重复的提交标识' };
  }
  if (error instanceof ConflictError) return { status: 409, code: 'conflict', title: '请稍候' };
  if (error instanceof OutcomeUnknownError) return { status: 503, code: 'outcome_unknown', title: '暂时无法确认' };
  if (
    error instanceof StoreUnavailableError ||
    isStoreUnavailable(error) ||
    isAborted(error) ||
    isMiddyTimeout(error)
  ) {
    return { status: 503, code: 'unavailable', title: '暂时无法处理' };
  }
  return { status: 500, code: 'internal', title: '系统出现问题' };
}

/** The packages whose errors mean the body could not be read: the client's mistake. */
const BODY_PARSERS = [
  '@middy/http-json-body-parser',
  '@middy/http-urlencode-body-parser',
  '@middy/http-multipart-body-parser',
];

const causePackage = (error: unknown): string | undefined =>
  (error as { cause?: { package?: unknown } } | undefined)?.cause?.package as string | undefined;

/** middy's early timeout (Lambda is about to stop the function): nothing the client did wrong. */
function isMiddyTimeout(error: unknown): boolean {
  return causePackage(error) === '@middy/core';
}

export interface Failure {
  status: number;
  code: string;
  title: string;
  /** What to tell the user: our own errors say what happened; anything unexpected is not shown. */
  message: string;
  /** Per-field messages of a validation error. */
  errors?: FieldError[];
}

/** The one mapping from errors to what a user is told; messages of unexpected errors never reach the user. */
export function failureOf(error: unknown): Failure {
  const parserError = error as { message?: string; cause?: { package?: string; data?: unknown } };
  const fromParser = BODY_PARSERS.includes(causePackage(error) ?? '');
  if (fromParser && parserError.message === 'Forbidden key in JSON body') {
    // Keys that would reach object prototypes (__proto__, constructor.prototype) are refused by the parser.
    const message = `提交的内容含有不允许的字段名（${String(parserError.cause?.data)}）。`;
    return failureOf(new ValidationError([{ field: 'body', message }]));
  }
  if (fromParser && (error as { statusCode?: number }).statusCode === 413) {
    // An uploaded file over the limit (the body guard caught the body over it; this is the file itself).
    return failureOf(new PayloadTooLargeError(Number((error as { limit?: number }).limit ?? MAX_BODY_BYTES)));
  }
  if (fromParser) {
    // A body that does not parse is the client's mistake: answer as a validation error.
    return failureOf(new ValidationError([{ field: 'body', message: '提交的内容无法解析，请检查格式。' }]));
  }
  const mapped = classify(error);
  // Our own errors say what happened (a 503 among them: "not saved" or "maybe saved"); anything else is hidden.
  const own = error instanceof BaosongError && (mapped.status < 500 || mapped.status === 503);
  const message = own
    ? (error as Error).message
    : mapped.status === 503
      ? new StoreUnavailableError().message
      : '系统出现问题，请稍后重试。如果问题持续，请联系县委组织部信息科。';
  return { ...mapped, message, ...(error instanceof ValidationError ? { errors: error.errors } : {}) };
}

/** The one mapping from errors to responses: a Chinese page or a JSON error by the negotiated type. */
export function errorResponse(error: unknown, wantsJson: boolean): Result {
  const failure = failureOf(error);
  if (failure.status >= 500) log.error('request failed', errorFields(error));
  const json = failure.errors ? { errors: failure.errors } : { error: failure.code, message: failure.message };
  const headers: Record<string, string> = failure.status === 503 ? { 'retry-after': '30' } : {};
  return render(
    {
      status: failure.status,
      json,
      // Every error page offers a way on: the home page gets a fresh personal link by email.
      html: messagePage(
        failure.title,
        failure.message,
        html`<p><a href="/">返回首页</a>（可在首页重新获取您的报送链接）</p>`,
      ),
      headers,
    },
    wantsJson,
  );
}

/**
 * A form shown again after `error`: its status, the messages beside fields, and the notice above it (what happened,
 * and that the text is still there). Unexpected errors are logged here, as errorResponse would.
 */
export function formAgain(error: unknown): { status: number; errors: FieldError[]; notice?: string } {
  const failure = failureOf(error);
  if (failure.status >= 500) log.error('request failed', errorFields(error));
  if (failure.errors) return { status: failure.status, errors: failure.errors };
  return { status: failure.status, errors: [], notice: `${failure.message}${FORM_KEPT_NOTICE}` };
}

/** Time a request keeps after its budget, for middy's own early timeout and the answer itself. */
const BUDGET_MARGIN_MS = 1500;

export type Handler = (event: APIGatewayProxyEventV2, context: Context) => Promise<Result>;

/** A route that takes a file (multipart/form-data): the most it takes, and its parser (shared/web/upload.ts). */
export interface UploadOptions {
  maxBytes: number;
  /** What a body over `maxBytes` is told (default: the size in KB). */
  tooLarge?: string;
  parser: middy.MiddlewareObj<Event, Result>;
}

/** Wraps a handler function in the shared middy stack; `upload`: it also takes multipart/form-data up to a size. */
export function httpHandler(
  fn: (request: HttpRequest) => Promise<HttpResponse>,
  options: { upload?: UploadOptions } = {},
): Handler {
  const upload = options.upload;
  return middy<Event, Result>({ timeoutEarlyInMillis: config().local ? 0 : 500 })
    .use(httpHeaderNormalizer())
    .use(
      httpContentNegotiation({
        parseCharsets: false,
        parseEncodings: false,
        parseLanguages: false,
        availableMediaTypes: ['text/html', 'application/json'],
        failOnMismatch: false,
      }),
    )
    .use(bodyGuard(upload))
    .use(httpUrlencodeBodyParser({ disableContentTypeError: true }))
    .use(httpJsonBodyParser({ disableContentTypeError: true }))
    .use(upload ? [upload.parser] : [])
    .use({
      onError: async (request) => {
        request.response = errorResponse(request.error, wantsJsonOf(request.context));
      },
    })
    .handler(async (event, context) => {
      const body = event.body;
      const request: HttpRequest = {
        method: event.requestContext.http.method,
        fields: body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : {},
        query: (event.queryStringParameters ?? {}) as Record<string, string>,
        headers: (event.headers ?? {}) as Record<string, string>,
        cookies: event.cookies ?? [],
        path: (event.pathParameters ?? {}) as Record<string, string>,
        wantsJson: wantsJsonOf(context),
        rawPath: event.rawPath,
        routeKey: event.routeKey,
      };
      if (body !== undefined && body !== null && body !== '' && Object.keys(request.fields).length === 0) {
        if (typeof body !== 'object' || Array.isArray(body)) {
          throw new ValidationError([{ field: 'body', message: '提交的内容应为表单或 JSON 对象。' }]);
        }
      }
      const budget = Math.min(config().requestBudgetMs, context.getRemainingTimeInMillis() - BUDGET_MARGIN_MS);
      return render(await withBudget(budget, () => fn(request)), request.wantsJson);
    }) as unknown as Handler;
}
