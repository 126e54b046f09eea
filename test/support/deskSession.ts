// A desk session in the tests, as a browser holds one: signed in from the sign-in link of an email (the link's page
// opened first, as a person does, then its button pressed), and every request after it carrying the session cookie
// and, on a POST, the session's form token (a form field, a multipart field, or the header a JSON client sends).
import { linkIn, type TestCounty } from './harness';

export const SESSION_COOKIE = 'baosong_desk';
/** The subjects of an editor's or leader's desk emails: the welcome, and the fresh link after a revoke. */
export const DESK_WELCOME = /^信息科工作台：您的登录链接$/;
export const DESK_NEW_LINK = /^您的工作台登录链接已更新（旧链接已失效）$/;

export class DeskSession {
  constructor(
    readonly baseUrl: string,
    /** The cookie's value (a signed token): the newest the desk answered with, as a browser keeps it. */
    public cookie: string,
    /** The session's form token. */
    readonly csrf: string,
  ) {}

  /** `/desk`: so `${session}/pieces` is a desk path. */
  toString(): string {
    return '/desk';
  }

  /** A request with this session: `input` a path (`/desk/pieces`) or a whole URL. */
  async fetch(input: string, init: RequestInit = {}): Promise<Response> {
    const url = /^https?:/.test(input) ? input : `${this.baseUrl}${input}`;
    const headers = new Headers(init.headers);
    headers.set('cookie', `${SESSION_COOKIE}=${this.cookie}`);
    const method = (init.method ?? 'GET').toUpperCase();
    let body = init.body;
    if (method !== 'GET' && method !== 'HEAD') {
      const type = headers.get('content-type') ?? '';
      if (typeof body === 'string' && type.includes('x-www-form-urlencoded')) {
        const fields = new URLSearchParams(body);
        if (!fields.has('csrf')) fields.set('csrf', this.csrf);
        body = fields.toString();
      } else if (body instanceof FormData) {
        if (!body.has('csrf')) body.append('csrf', this.csrf);
      } else if (!headers.has('x-csrf-token')) {
        headers.set('x-csrf-token', this.csrf);
      }
    }
    const res = await fetch(url, { ...init, headers, body });
    const renewed = sessionCookieOf(res);
    if (renewed) this.cookie = renewed;
    return res;
  }

  /** The same session without its form token: what a forged cross-site form would send. */
  withoutToken(): DeskSession {
    return new DeskSession(this.baseUrl, this.cookie, 'x'.repeat(this.csrf.length));
  }
}

/** The cookie value a Set-Cookie of the session names (undefined when none, or when it clears it). */
export function sessionCookieOf(res: Response): string | undefined {
  for (const line of res.headers.getSetCookie()) {
    const [pair = ''] = line.split(';');
    const at = pair.indexOf('=');
    if (pair.slice(0, at).trim() === SESSION_COOKIE) return pair.slice(at + 1) || undefined;
  }
  return undefined;
}

/** Signs in with a sign-in link (a whole URL): its page, then its button. */
export async function signInWith(baseUrl: string, link: string): Promise<DeskSession> {
  const url = new URL(link);
  const path = `${url.pathname}${url.search}`;
  const page = await fetch(`${baseUrl}${path}`);
  if (page.status !== 200) throw new Error(`sign-in page ${url.pathname.slice(0, 20)}… answered ${page.status}`);
  const to = url.searchParams.get('to');
  const res = await fetch(`${baseUrl}${url.pathname}`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: new URLSearchParams(to ? { to } : {}).toString(),
  });
  const cookie = sessionCookieOf(res);
  if (res.status !== 303 || !cookie) throw new Error(`sign-in answered ${res.status}: ${await res.text()}`);
  const { csrf } = (await res.json()) as { csrf: string };
  return new DeskSession(baseUrl, cookie, csrf);
}

/** The sign-in link in the newest desk email to `email` whose subject matches (the welcome unless told). */
export async function signInLinkOf(county: TestCounty, email: string, subject = DESK_WELCOME, count = 1) {
  const mails = await county.waitForMails(email, count, subject);
  return linkIn(mails.at(-1), '/desk/signin/');
}

/** Signs `email` in from the sign-in link of their newest desk email (the welcome unless told). */
export async function signIn(county: TestCounty, email: string, subject = DESK_WELCOME, count = 1) {
  return signInWith(county.baseUrl, await signInLinkOf(county, email, subject, count));
}
