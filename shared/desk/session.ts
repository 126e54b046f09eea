// Desk sessions (信息科工作台): an editor or a leader signs in by pressing 进入工作台 on the page of the sign-in link
// in their email, and the desk then knows them by a cookie, never by anything in its addresses.
// - The session is an item of its own (found by a digest of its secret; the table never holds the secret), with
//   the person's key version at sign-in and its absolute end; DynamoDB's TTL removes it after.
// - The cookie (HttpOnly, SameSite=Strict, Path=/desk, Secure over https, gone when the browser closes) is a signed
//   token naming the person, the secret and the end of the idle time. Every desk answer re-signs it with a later
//   end, so the idle time costs no write; a cookie not used for IDLE_MS is refused whatever it says.
// - Each desk request reads the session item in the same BatchGet as the person and the roster summary: a revoke
//   (a new key version), 停用 (`sessionsFrom`) or 退出 (the item deleted) ends it at the next click.
// - Every desk POST carries the session's anti-forgery token (a form field, or the X-CSRF-Token header for a JSON
//   client): derived from the secret, so it needs no storage and no other site can know it.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { now } from '../core/clock';
import { config } from '../core/config';
import { ExpiredLinkError, FormExpiredError, InvalidLinkError, SignInRequiredError } from '../core/errors';
import { type SessionClaims, sessionClaims, sessionToken } from '../links/links';
import type { Person } from '../roster/people';
import { type ItemKey, putIfAbsent } from '../store/db';
import { digest, keys } from '../store/keys';
import { expiresAt } from '../store/tableDefinition';
import type { HttpRequest, HttpResponse } from '../web/http';

/** A session not used for this long ends (the cookie's signed idle end). */
export const IDLE_MS = 2 * 3600_000;
/** A session ends this long after sign-in, however busy (one working day). */
export const ABSOLUTE_MS = 12 * 3600_000;

export const SESSION_COOKIE = 'baosong_desk';
/** The desk's path: the cookie is sent nowhere else. */
export const DESK_PATH = '/desk';
/** The form field that carries the anti-forgery token. */
export const CSRF_FIELD = 'csrf';

/** What a desk request brings of its session, and what the answer must carry back. */
export interface DeskAccess {
  method: string;
  /** The session cookie's value, when the request carried one. */
  cookie?: string;
  /** The anti-forgery token the request carried (the form field, or the X-CSRF-Token header). */
  csrf?: unknown;
  /** Set once the session is checked: the cookie with its idle end renewed, for the answer. */
  renewed?: string;
  /** Set once the session is checked: its anti-forgery token, for the page's forms. */
  formToken?: string;
}

/** The value of the cookie `name` among a request's cookies (API Gateway's list, or a Cookie header). */
export function cookieValue(request: Pick<HttpRequest, 'cookies' | 'headers'>, name: string): string | undefined {
  const all = [...request.cookies, ...(request.headers.cookie ?? '').split(';')];
  for (const pair of all) {
    const at = pair.indexOf('=');
    if (at > 0 && pair.slice(0, at).trim() === name) return pair.slice(at + 1).trim();
  }
  return undefined;
}

export function deskAccess(request: HttpRequest): DeskAccess {
  return {
    method: request.method,
    cookie: cookieValue(request, SESSION_COOKIE),
    csrf: request.fields[CSRF_FIELD] ?? request.headers['x-csrf-token'],
  };
}

/** The session item's key: by a digest of the secret. */
export const sessionKey = (county: string, secret: string): ItemKey => ({
  pk: keys.session(county, digest('session', secret)),
  sk: 'SESSION',
});

/** A session as stored. */
export interface SessionItem {
  personId: string;
  /** The person's key version at sign-in: a revoke bumps it, and every session of theirs ends. */
  keyVersion: number;
  /** ISO time of the sign-in. */
  createdAt: string;
  /** Epoch ms of the absolute end. */
  endsAt: number;
}

const csrfOf = (secret: string): string =>
  createHmac('sha256', secret).update('baosong desk form').digest('base64url').slice(0, 32);

function cookieHeader(value: string, maxAgeZero = false): string {
  const secure = config().publicUrl.startsWith('https:') ? '; Secure' : '';
  return `${SESSION_COOKIE}=${value}; Path=${DESK_PATH}; HttpOnly; SameSite=Strict${secure}${maxAgeZero ? '; Max-Age=0' : ''}`;
}

/** The Set-Cookie that removes the session cookie (退出, or a session found ended). */
export const clearedCookie = (): string => cookieHeader('', true);

async function signedCookie(claims: SessionClaims): Promise<string> {
  return cookieHeader(await sessionToken(claims));
}

/**
 * Starts a session for `person` (checked by the caller: an active editor or leader, their link current): writes its
 * item (a fresh key, so a lost answer is recognised by its stamp) and answers the cookie and the form token.
 */
export async function startSession(person: Person): Promise<{ cookie: string; csrf: string }> {
  const county = config().countyId;
  const secret = randomBytes(32).toString('base64url');
  const t = now().getTime();
  const endsAt = t + ABSOLUTE_MS;
  const createdAt = new Date(t).toISOString();
  const item: SessionItem = { personId: person.personId, keyVersion: person.keyVersion, createdAt, endsAt };
  await putIfAbsent({ ...sessionKey(county, secret), type: 'session', ...item, expiresAt: expiresAt(endsAt) });
  const exp = Math.floor((t + IDLE_MS) / 1000);
  return { cookie: await signedCookie({ personId: person.personId, secret, exp }), csrf: csrfOf(secret) };
}

/**
 * The claims of the request's session cookie. No cookie, a forged one, or its idle time up: SignInRequiredError
 * saying which (and, when one was there, a Set-Cookie to clear it goes with the error page).
 */
export async function sessionOf(access: DeskAccess): Promise<SessionClaims> {
  if (!access.cookie) throw new SignInRequiredError();
  try {
    return await sessionClaims(access.cookie);
  } catch (err) {
    if (err instanceof ExpiredLinkError) {
      throw new SignInRequiredError(
        `您已超过 ${IDLE_MS / 3600_000} 小时没有操作，工作台已自动退出。请打开邮件中的工作台登录链接重新登录，或在首页重新获取。`,
      );
    }
    if (err instanceof InvalidLinkError) throw new SignInRequiredError();
    throw err;
  }
}

/**
 * Whether the stored session still stands for `person`: it exists (not 退出), names them, is within its absolute
 * end, began with their current key version (no revoke since) and after their last 停用. SignInRequiredError
 * saying why when not.
 */
export function assertSessionStands(item: Record<string, unknown> | undefined, claims: SessionClaims, person: Person) {
  if (!item || item.personId !== claims.personId) {
    throw new SignInRequiredError('您已退出信息科工作台。如需继续，请打开邮件中的工作台登录链接重新登录。');
  }
  if (Number(item.endsAt) <= now().getTime()) {
    throw new SignInRequiredError(
      `每次登录最长 ${ABSOLUTE_MS / 3600_000} 小时，工作台已自动退出。请打开邮件中的工作台登录链接重新登录。`,
    );
  }
  const revoked = item.keyVersion !== person.keyVersion;
  const deactivated = person.sessionsFrom !== undefined && String(item.createdAt) <= person.sessionsFrom;
  if (revoked || deactivated) {
    throw new SignInRequiredError(
      '您的工作台登录已结束：您的链接已作废或人员已被停用。如仍需使用，请使用邮件中新的登录链接，或联系县委组织部信息科。',
    );
  }
}

/**
 * Completes a checked request: a POST must carry the session's anti-forgery token (FormExpiredError, nothing done,
 * when it does not); the answer will carry the cookie with a fresh idle end, and the pages' forms the token.
 */
export async function admit(access: DeskAccess, claims: SessionClaims): Promise<string> {
  const csrf = checkFormToken(access, claims);
  // Not capped at the absolute end: the item says that end, and a cookie past it is told so.
  const exp = Math.floor((now().getTime() + IDLE_MS) / 1000);
  access.renewed = await signedCookie({ ...claims, exp });
  access.formToken = csrf;
  return csrf;
}

/** The session's form token; FormExpiredError when the request is a POST that does not carry it. */
export function checkFormToken(access: DeskAccess, claims: SessionClaims): string {
  const csrf = csrfOf(claims.secret);
  if (access.method !== 'GET' && access.method !== 'HEAD') {
    const sent = Buffer.from(typeof access.csrf === 'string' ? access.csrf : '');
    const want = Buffer.from(csrf);
    if (sent.length !== want.length || !timingSafeEqual(sent, want)) throw new FormExpiredError();
  }
  return csrf;
}

/** Every form of a page that posts to the desk, with the hidden anti-forgery field (one place, so none is missed). */
export function withFormToken(page: string, csrf: string): string {
  return page.replace(/<form\b[^>]*>/g, (tag) =>
    /\bmethod="post"/i.test(tag) && /\baction="\/desk[/"?]/.test(tag)
      ? `${tag}<input type="hidden" name="${CSRF_FIELD}" value="${csrf}">`
      : tag,
  );
}

/** A form token as the desk makes them (what a kept form may carry back). */
const FORM_TOKEN = /^[A-Za-z0-9_-]{32}$/;

/**
 * A desk handler's function with the session's answer parts: on the answers of a request whose session stood, the
 * renewed cookie and the forms' token on its page. A form kept with what was typed when the store could not even
 * check the session (a 503) carries back the token its POST came with, so pressing again is not refused for it.
 */
export function withDeskSession(
  fn: (access: DeskAccess, request: HttpRequest) => Promise<HttpResponse>,
): (request: HttpRequest) => Promise<HttpResponse> {
  return async (request) => {
    const access = deskAccess(request);
    const response = await fn(access, request);
    const sent = typeof access.csrf === 'string' && FORM_TOKEN.test(access.csrf) ? access.csrf : undefined;
    const token = access.formToken ?? sent;
    return {
      ...response,
      ...(response.html !== undefined && token ? { html: withFormToken(String(response.html), token) } : {}),
      ...(access.renewed ? { cookies: [...(response.cookies ?? []), access.renewed] } : {}),
    };
  };
}
