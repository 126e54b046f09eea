// The pages of signing in to the desk (信息科工作台): the sign-in link's page with its one button, the sign-in and
// 退出 themselves (redirects that set or clear the cookie), the page of a link that can no longer sign in (with the
// button for a fresh one by email), and the page after 退出.
import { ExpiredLinkError, RevokedLinkError } from '../core/errors';
import { html } from '../core/html';
import { SIGNIN_LINK_DAYS } from '../links/links';
import type { HttpRequest, HttpResponse } from '../web/http';
import { messagePage, page } from '../web/pages';
import { ABSOLUTE_MS, clearedCookie, deskAccess, IDLE_MS } from './session';
import { deskTarget, renewSignin, signIn, signinPerson, signOut } from './signin';

const ROLE_WORDS = { editor: '编辑', leader: '领导' } as const;
const HOURS = (ms: number) => ms / 3600_000;

export const SIGNED_OUT_PATH = '/desk/signedout';

const signinPath = (token: string) => `/desk/signin/${encodeURIComponent(token)}`;

/** A link that cannot sign in: why, and (for a genuine one of its owner) the button for a fresh link by email. */
function linkTrouble(err: unknown, token: string): HttpResponse | undefined {
  const renew = html`<form method="post" action="${signinPath(token)}/renew"><button type="submit">把新的登录链接发到我的邮箱</button></form>
<p class="hint">新的链接只发到名单中登记的邮箱。也可以在<a href="/">首页</a>填写邮箱重新获取。</p>`;
  if (err instanceof ExpiredLinkError) {
    const old = Number(err.claims.exp) === 0;
    const message = old
      ? '信息科工作台已改为登录方式，原来的工作台链接不再使用。点击下面的按钮，系统会把登录链接发到您登记的邮箱。'
      : `此登录链接已过期（登录链接 ${SIGNIN_LINK_DAYS} 天内有效）。点击下面的按钮，系统会把新的登录链接发到您登记的邮箱。`;
    return {
      status: 410,
      html: messagePage(old ? '请使用新的登录链接' : '登录链接已过期', message, renew),
      json: { error: 'link_expired', message, renew: `POST ${signinPath(token)}/renew` },
    };
  }
  if (err instanceof RevokedLinkError) {
    const message = '此登录链接已失效：您的链接已经重新生成。请使用最新邮件中的登录链接，或获取新的链接。';
    return {
      status: 403,
      html: messagePage('链接已失效', message, renew),
      json: { error: 'link_revoked', message, renew: `POST ${signinPath(token)}/renew` },
    };
  }
  return undefined;
}

async function orTrouble(token: string, work: () => Promise<HttpResponse>): Promise<HttpResponse> {
  try {
    return await work();
  } catch (err) {
    const answer = linkTrouble(err, token);
    if (answer) return answer;
    throw err;
  }
}

/** GET /desk/signin/{token} (and a permanent desk link of before, GET /desk/{token}): the page with 进入工作台. */
export function signinView(token: string, query: Record<string, string>): Promise<HttpResponse> {
  return orTrouble(token, async () => {
    const { person } = await signinPerson(token);
    const role = person.role === 'leader' ? ROLE_WORDS.leader : ROLE_WORDS.editor;
    const to = deskTarget(query.to);
    return {
      status: 200,
      html: page(
        '登录信息科工作台',
        html`<h1>登录信息科工作台</h1><p>${person.name}同志（${role}），您好。点击下面的按钮进入信息科工作台。</p>
<form method="post" action="${signinPath(token)}">${to === '/desk' ? '' : html`<input type="hidden" name="to" value="${to}">`}<button type="submit">进入工作台</button></form>
<p class="hint">为了安全：连续 ${HOURS(IDLE_MS)} 小时没有操作、或登录满 ${HOURS(ABSOLUTE_MS)} 小时，工作台会自动退出；关闭浏览器也会退出。在公用电脑上用完请点击页面上方的「退出」。</p>
<p class="hint">此登录链接 ${SIGNIN_LINK_DAYS} 天内有效，可以重复使用。它等同于您的身份，请勿转发。</p>`,
      ),
      json: { person: { name: person.name, role: person.role }, signin: `POST ${signinPath(token)}` },
    };
  });
}

/**
 * POST /desk/signin/{token}: the session begins; 303 to the desk (or the desk page the email named), with the cookie.
 * Refused from another site's page (a forced sign-in into someone else's desk).
 */
export function signinAction(token: string, request: HttpRequest): Promise<HttpResponse> {
  return orTrouble(token, async () => {
    if (request.headers['sec-fetch-site'] === 'cross-site') {
      const message = '请从邮件中的登录链接打开登录页面，再点击「进入工作台」。';
      return { status: 403, html: messagePage('无法登录', message), json: { error: 'cross_site', message } };
    }
    const { cookie, csrf } = await signIn(token);
    const location = deskTarget(request.fields.to);
    return { status: 303, location, cookies: [cookie], html: '', json: { location, csrf } };
  });
}

/** POST /desk/signin/{token}/renew: a fresh sign-in link by email; the same answer whether one was sent. */
export async function renewView(token: string): Promise<HttpResponse> {
  await renewSignin(token);
  const message = '如果您是本系统登记的编辑或领导，新的登录链接已发到您登记的邮箱，请查收（几分钟内到达）。';
  return { status: 200, html: messagePage('请查收邮件', message), json: { message } };
}

/** POST /desk/signout: the session ended and the cookie cleared; 303 to the page that says so. */
export async function signoutAction(request: HttpRequest): Promise<HttpResponse> {
  await signOut(deskAccess(request));
  return {
    status: 303,
    location: SIGNED_OUT_PATH,
    cookies: [clearedCookie()],
    html: '',
    json: { location: SIGNED_OUT_PATH },
  };
}

/** GET /desk/signedout: nothing of the desk, and how to come back. */
export function signedOutView(): HttpResponse {
  const message = `您已退出信息科工作台。再次使用时，请打开邮件中的工作台登录链接（${SIGNIN_LINK_DAYS} 天内有效），或在首页重新获取。`;
  return {
    status: 200,
    html: messagePage('已退出', message, html`<p><a href="/">返回首页</a></p>`),
    json: { message },
  };
}
