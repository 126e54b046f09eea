// Domain errors: use cases throw these; shared/web/http.ts is the one place that maps them to HTTP statuses and pages.
// Messages are Chinese because they reach users; internals go in `cause`, which never does.

export class BaosongError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

export interface FieldError {
  field: string;
  message: string;
}

/** Input the user can fix: one message per field. */
export class ValidationError extends BaosongError {
  constructor(readonly errors: FieldError[]) {
    super(errors.map((e) => e.message).join('；'));
  }
}

/** A link that is forged, malformed, revoked or minted for another purpose. */
export class InvalidLinkError extends BaosongError {
  constructor(message = '链接无效或已失效。请使用邮件中的最新链接，或在首页重新获取。', options?: { cause?: unknown }) {
    super(message, options);
  }
}

/**
 * A genuine link of a person whose links were revoked (a new key version): it no longer acts, but its owner may have
 * a fresh one sent to their address in the roster.
 */
export class RevokedLinkError extends InvalidLinkError {
  constructor() {
    super('此链接已失效：您的个人链接已经重新生成。');
  }
}

/** A genuine link of someone 停用 (who has left): it no longer acts until they are 启用 again. */
export class InactiveLinkError extends InvalidLinkError {
  constructor() {
    super('此链接已停用：名单中的这位人员已停用。如需恢复，请联系县委组织部信息科。');
  }
}

/** A leader's desk link is for reading: it shows the figures and pieces, and does nothing. */
export class ReadOnlyLinkError extends InvalidLinkError {
  constructor() {
    super('领导的工作台只能查看，不能进行审核或修改名单等操作。');
  }
}

/**
 * A desk page asked for without a live session: none, signed out, timed out, or ended by a revoke. The page says
 * which and how to sign in again (the sign-in link in the editor's emails, or a fresh one from the front page).
 */
export class SignInRequiredError extends BaosongError {
  constructor(message = '请先登录信息科工作台：打开邮件中的工作台登录链接，或在首页重新获取。') {
    super(message);
  }
}

/** A desk form sent without the anti-forgery token of the session it claims (an old tab, or another site's form). */
export class FormExpiredError extends BaosongError {
  constructor() {
    super('页面已过期或不是从工作台提交的，未做任何修改。请返回工作台，刷新页面后重新操作。');
  }
}

/** A genuine link whose time is up. */
export class ExpiredLinkError extends BaosongError {
  constructor(
    readonly claims: Record<string, unknown>,
    message = '链接已过期。',
  ) {
    super(message);
  }
}

export class NotFoundError extends BaosongError {}

export class PayloadTooLargeError extends BaosongError {
  /** `message`: what the route says better (the files' limit of a document upload). */
  constructor(
    readonly limitBytes: number,
    message = `提交的内容过大（上限 ${Math.round(limitBytes / 1024)} KB），请删减后重试。`,
  ) {
    super(message);
  }
}

export class UnsupportedMediaTypeError extends BaosongError {
  constructor() {
    super('不支持的提交格式：请使用网页表单或 application/json。');
  }
}

/** Something else is already handling the same thing (e.g. an identical submission still in flight). */
export class ConflictError extends BaosongError {}

/** DynamoDB or another dependency is unreachable, or the request ran out of time: nothing was saved. */
export class StoreUnavailableError extends BaosongError {
  /** `message`: what a use case knows better (e.g. that part of an import is in and the same file finishes it). */
  constructor(options?: { cause?: unknown }, message = '系统暂时无法处理，未能保存，请稍后重试。') {
    super(message, options);
  }
}

/**
 * The store stopped answering in the middle of a write, and whether the write happened cannot be told now. A retry is
 * safe: it finds the first attempt's result if there is one, and makes nothing twice.
 */
export class OutcomeUnknownError extends BaosongError {
  constructor(options?: { cause?: unknown }) {
    super(
      '系统响应超时，暂时无法确认是否已经保存。请稍后再提交一次：如已保存，会直接显示原回执，不会重复报送。',
      options,
    );
  }
}

/** The same Idempotency-Key again, with other content: the key names one submission only. */
export class IdempotencyKeyReusedError extends BaosongError {
  constructor() {
    super('这个 Idempotency-Key 已用于另一篇内容不同的稿件。新稿件请使用新的 Idempotency-Key。');
  }
}

/** Shown above a form shown again after a failure: what was typed is still there. */
export const FORM_KEPT_NOTICE = '您填写的内容仍保留在本页，可稍后直接再次提交。';

/** An email that should no longer be sent (its recipient left the roster): the outbox marks it done, unsent. */
export class DroppedEmailError extends BaosongError {}

/**
 * The store could not be reached or refused for capacity: retrying later may work; the user did nothing wrong.
 * Here, not in the DynamoDB adapter, so pages that never touch the table do not bundle its client.
 */
export function isStoreUnavailable(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: string }).code;
  return (
    NETWORK_CODES.includes(code ?? '') ||
    // The SDK wraps a network failure it cannot recognise as an Error of this realm (seen under jest's VM) in a
    // plain Error whose message still names the code.
    NETWORK_CODES.some((c) => err.message.includes(c)) ||
    [
      'TimeoutError',
      'RequestTimeout',
      'ProvisionedThroughputExceededException',
      'ThrottlingException',
      'ServiceUnavailable',
      'InternalServerError',
      'RequestLimitExceeded',
      'ResourceNotFoundException',
    ].includes(err.name)
  );
}

const NETWORK_CODES = ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EPIPE'];
