// Desk sessions over real HTTP: the sign-in link's page changes nothing; its button sets an HttpOnly, SameSite=Strict
// cookie scoped to the desk and no desk address carries a token; the link works again while unexpired and offers a
// fresh one by email once expired (an old permanent desk link too); sessions end when idle, at their absolute limit,
// at 退出, and when the person's links are revoked or they are 停用 (启用 does not bring a session back); every POST
// needs the session's form token; a leader reads only; a sign-in from another site's page is refused.
import { handler as sweep } from '../../../functions/sweeper';
import { setClock } from '../../../shared/core/clock';
import { config } from '../../../shared/core/config';
import { signingRing } from '../../../shared/links/signingKey';
import { signToken } from '../../../shared/links/tokens';
import { importRoster } from '../../../shared/roster/importRoster';
import { personIdOf } from '../../../shared/store/keys';
import { sessionCookieOf } from '../../support/deskSession';
import { startTestCounty, type TestCounty } from '../../support/harness';
import { tokensIn } from '../../support/linkTokens';
import {
  DESK_NEW_LINK,
  type DeskSession,
  form,
  signIn,
  signInLinkOf,
  signInWith,
  tableSnapshot,
  wantsJson,
} from './deskSupport';

let county: TestCounty;
const HOUR = 3600_000;
/** 2026-06-15 10:00 in Asia/Shanghai. */
const T0 = new Date('2026-06-15T02:00:00Z').getTime();
let clock = T0;
const at = (ms: number) => {
  clock = ms;
  setClock(new Date(ms));
};

const address = (name: string) => `${name}@${county.domain}`;
const url = (path: string) => `${county.baseUrl}${path}`;
const pathOf = (link: string) => {
  const u = new URL(link);
  return `${u.pathname}${u.search}`;
};
const withCookie = (cookie: string, init: RequestInit = {}): RequestInit => ({
  ...init,
  headers: { ...(init.headers as Record<string, string>), cookie: `baosong_desk=${cookie}` },
});

beforeAll(async () => {
  at(T0);
  county = await startTestCounty();
  const d = county.domain;
  const imported = await importRoster(
    [
      '单位,姓名,邮箱,手机,角色',
      `县委办公室,陈晓明,chen@${d},,信息员`,
      `县委组织部信息科,王编辑,wang@${d},,编辑`,
      `县委组织部信息科,李编辑,li@${d},,编辑`,
      `县委组织部信息科,周编辑,zhou@${d},,编辑`,
      `县委组织部,赵部长,zhao@${d},,领导`,
    ].join('\n'),
  );
  expect(imported.ok).toBe(true);
});
afterAll(async () => {
  setClock(undefined);
  await county.close();
});

describe('the sign-in link', () => {
  it('shows a page with 进入工作台 and changes nothing when opened, as a mail scanner opens it', async () => {
    const link = await signInLinkOf(county, address('wang'));
    const before = await tableSnapshot();
    for (const method of ['GET', 'HEAD', 'GET']) {
      const res = await fetch(url(pathOf(link)), { method });
      expect(res.status).toBe(200);
      expect(res.headers.getSetCookie()).toEqual([]);
      if (method === 'GET') {
        const page = await res.text();
        expect(page).toContain('王编辑同志（编辑）');
        expect(page).toMatch(
          /<form method="post" action="\/desk\/signin\/[^"]+"><button type="submit">进入工作台<\/button>/,
        );
        expect(page).toContain('7 天内有效');
      }
    }
    expect(await tableSnapshot()).toEqual(before);
  });

  it('signs in with a cookie only the desk sees, that scripts cannot read and other sites do not send', async () => {
    const link = await signInLinkOf(county, address('wang'));
    const res = await fetch(url(new URL(link).pathname), { ...form(), redirect: 'manual' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/desk');
    const [set] = res.headers.getSetCookie();
    const attributes = set!.split(';').map((a) => a.trim().toLowerCase());
    expect(attributes).toEqual(expect.arrayContaining(['path=/desk', 'httponly', 'samesite=strict']));
    // A session cookie: gone when the browser closes. Not Secure here only because the local server is plain http.
    expect(attributes.some((a) => a.startsWith('max-age') || a.startsWith('expires'))).toBe(false);
    expect(attributes).not.toContain('secure');
    const desk = await fetch(url('/desk'), withCookie(sessionCookieOf(res)!));
    expect(desk.status).toBe(200);
    expect(await desk.text()).toContain('信息科工作台 · 王编辑（编辑）');
  });

  it('can be used again while unexpired: each use is a session of its own', async () => {
    const link = await signInLinkOf(county, address('li'));
    const first = await signInWith(county.baseUrl, link);
    const second = await signInWith(county.baseUrl, link);
    expect(second.cookie).not.toBe(first.cookie);
    expect((await first.fetch('/desk')).status).toBe(200);
    expect((await second.fetch('/desk')).status).toBe(200);
  });

  it('leads to the desk page an email named, and never off the desk', async () => {
    const link = new URL(await signInLinkOf(county, address('li')));
    const cases: [string, string][] = [
      ['/desk/tasks?quarter=2026Q2', '/desk/tasks?quarter=2026Q2'],
      ['https://evil.example.com/desk', '/desk'],
      ['//evil.example.com/desk', '/desk'],
      ['/desk/../link', '/desk'],
      ['/desk/signin/x', '/desk'],
    ];
    for (const [to, location] of cases) {
      const res = await fetch(url(link.pathname), form({ to }));
      expect([to, res.status, res.headers.get('location')]).toEqual([to, 303, location]);
    }
  });

  it('is refused when pressed from another site (a forced sign-in): no session, no cookie', async () => {
    const link = new URL(await signInLinkOf(county, address('li')));
    const before = await tableSnapshot();
    const res = await fetch(url(link.pathname), {
      ...form(),
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'sec-fetch-site': 'cross-site' },
    });
    expect(res.status).toBe(403);
    expect(res.headers.getSetCookie()).toEqual([]);
    expect(await tableSnapshot()).toEqual(before);
  });

  it('does not open the desk with an informant personal key or a forged token', async () => {
    const [welcome] = await county.waitForMails(address('chen'), 1, /^欢迎使用/);
    const k = new URL(/https?:\/\/\S+\/submit\S*/.exec(welcome!.body.text!)![0]).searchParams.get('k')!;
    for (const token of [k, 'abc.def', `${k.slice(0, -2)}xx`]) {
      const page = await fetch(url(`/desk/signin/${encodeURIComponent(token)}`));
      expect(page.status).toBe(403);
      const press = await fetch(url(`/desk/signin/${encodeURIComponent(token)}`), form());
      expect(press.status).toBe(403);
      expect(press.headers.getSetCookie()).toEqual([]);
    }
  });

  it('once expired shows no desk and offers a fresh link, sent only to the address in the roster', async () => {
    const link = await signInLinkOf(county, address('zhou'));
    at(T0 + 8 * 24 * HOUR);
    try {
      const page = await fetch(url(pathOf(link)));
      expect(page.status).toBe(410);
      const text = await page.text();
      expect(text).toContain('登录链接已过期');
      expect(text).not.toContain('周编辑');
      const token = new URL(link).pathname.split('/').at(-1)!;
      expect(text).toContain(`action="/desk/signin/${token}/renew"`);
      const press = await fetch(url(new URL(link).pathname), form());
      expect(press.status).toBe(410);
      expect(press.headers.getSetCookie()).toEqual([]);

      const renewed = await fetch(url(`/desk/signin/${token}/renew`), form());
      expect(renewed.status).toBe(200);
      await sweep();
      const fresh = await signInLinkOf(county, address('zhou'), /^您的信息科工作台登录链接$/);
      expect(fresh).not.toBe(link);
      const session = await signInWith(county.baseUrl, fresh);
      expect((await session.fetch('/desk')).status).toBe(200);
    } finally {
      at(T0);
    }
  });

  it('of before (a permanent desk link) opens nothing and offers a sign-in link instead', async () => {
    const personId = personIdOf(config().countyId, address('li'));
    const legacy = signToken(await signingRing(), 'desk', { c: config().countyId, i: personId, v: 1 });
    const page = await fetch(url(`/desk/${legacy}`));
    expect(page.status).toBe(410);
    const text = await page.text();
    expect(text).toContain('原来的工作台链接不再使用');
    expect(text).toContain(`action="/desk/signin/${legacy}/renew"`);
    expect((await fetch(url(`/desk/signin/${legacy}`), form())).status).toBe(410);
    expect((await fetch(url(`/desk/${legacy}/pieces`))).status).toBe(404);
  });
});

describe('the desk with a session', () => {
  it('answers 401 without a session or with a forged cookie, for pages and for posts alike', async () => {
    for (const init of [{}, withCookie('forged.cookie'), withCookie('')]) {
      const page = await fetch(url('/desk/pieces'), init);
      expect(page.status).toBe(401);
      expect(await page.text()).toContain('请先登录');
      const json = await fetch(url('/desk'), {
        ...init,
        ...wantsJson,
        headers: { ...init.headers, ...wantsJson.headers },
      });
      expect(json.status).toBe(401);
      expect(await json.json()).toMatchObject({ error: 'signin_required' });
    }
    const before = await tableSnapshot();
    const post = await fetch(url('/desk/bulletin/send'), form({ month: '2026-05' }));
    expect(post.status).toBe(401);
    expect(await tableSnapshot()).toEqual(before);
  });

  it('carries no token in any address of its pages', async () => {
    const wang = await signIn(county, address('wang'));
    for (const path of ['/desk', '/desk/pieces', '/desk/roster', '/desk/figures', '/desk/topics', '/desk/audit']) {
      const page = await (await wang.fetch(path)).text();
      expect([path, tokensIn(page)]).toEqual([path, []]);
      expect(page).not.toContain(wang.cookie);
    }
  });

  it('refuses a post without the session form token and changes nothing; the page forms carry it', async () => {
    const wang = await signIn(county, address('wang'));
    const li = personIdOf(config().countyId, address('li'));
    const roster = await (await wang.fetch('/desk/roster')).text();
    const revokeForm = new RegExp(
      `<form class="inline" method="post" action="/desk/roster/people/${li}"><input type="hidden" name="csrf" value="${wang.csrf}">`,
    );
    expect(roster).toMatch(revokeForm);
    expect(roster).toContain(`action="/desk/signout"><input type="hidden" name="csrf" value="${wang.csrf}">`);

    const other = await signIn(county, address('wang'));
    const before = await tableSnapshot();
    const forged = await wang.withoutToken().fetch(`/desk/roster/people/${li}`, form({ action: 'deactivate' }));
    expect(forged.status).toBe(403);
    expect(await forged.text()).toContain('页面已过期');
    const json = await wang.withoutToken().fetch(`/desk/roster/people/${li}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ action: 'deactivate' }),
    });
    expect(json.status).toBe(403);
    expect(await json.json()).toMatchObject({ error: 'form_expired' });
    // Another session's token is no better.
    const crossed = await fetch(
      url(`/desk/roster/people/${li}`),
      withCookie(wang.cookie, form({ action: 'deactivate', csrf: other.csrf })),
    );
    expect(crossed.status).toBe(403);
    expect(await tableSnapshot()).toEqual(before);
  });

  it('lets a leader sign in and read, and refuses every action', async () => {
    const zhao = await signIn(county, address('zhao'));
    const home = await zhao.fetch('/desk');
    expect(home.status).toBe(200);
    expect(await home.text()).toContain('赵部长（领导，只能查看）');
    const before = await tableSnapshot();
    const li = personIdOf(config().countyId, address('li'));
    const res = await zhao.fetch(`/desk/roster/people/${li}`, form({ action: 'deactivate' }));
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('领导的工作台只能查看');
    expect(await tableSnapshot()).toEqual(before);
  });
});

describe('the end of a session', () => {
  it('退出 ends it for every copy of the cookie, and the page after it shows nothing of the desk', async () => {
    const wang = await signIn(county, address('wang'));
    const out = await wang.fetch('/desk/signout', form());
    expect(out.status).toBe(303);
    expect(out.headers.get('location')).toBe('/desk/signedout');
    expect(out.headers.getSetCookie()[0]).toMatch(/^baosong_desk=; Path=\/desk; HttpOnly; SameSite=Strict; Max-Age=0$/);
    const after = await wang.fetch('/desk/pieces');
    expect(after.status).toBe(401);
    expect(await after.text()).toContain('您已退出信息科工作台');
    const page = await fetch(url('/desk/signedout'));
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('您已退出信息科工作台');
    // Pressed again (a second tab): nothing more to end, the same answer.
    expect((await wang.fetch('/desk/signout', form())).status).toBe(303);
  });

  it('ends after two idle hours, and each request moves that end on, up to twelve hours after sign-in', async () => {
    const li = await signIn(county, address('li'));
    try {
      at(T0 + 2 * HOUR + 60_000);
      const idle = await li.fetch('/desk');
      expect(idle.status).toBe(401);
      expect(await idle.text()).toContain('超过 2 小时没有操作');

      at(T0);
      let cookie = (await signIn(county, address('li'))).cookie;
      const stale = cookie;
      // Every 1.5 hours a click: the renewed cookie stays good, the first one ends two hours after its last use.
      for (let t = 1.5; t < 12; t += 1.5) {
        at(T0 + t * HOUR);
        const res = await fetch(url('/desk'), withCookie(cookie));
        expect([t, res.status]).toEqual([t, 200]);
        cookie = sessionCookieOf(res)!;
        expect(cookie).toBeDefined();
      }
      expect((await fetch(url('/desk'), withCookie(stale))).status).toBe(401);
      at(T0 + 12 * HOUR + 60_000);
      const done = await fetch(url('/desk'), withCookie(cookie));
      expect(done.status).toBe(401);
      expect(await done.text()).toContain('最长 12 小时');
    } finally {
      at(T0);
    }
  });

  it('ends at once when another editor presses 作废链接; the old sign-in link stops, the new one works', async () => {
    const oldLink = await signInLinkOf(county, address('zhou'));
    const zhou = await signIn(county, address('zhou'));
    expect((await zhou.fetch('/desk')).status).toBe(200);
    const wang = await signIn(county, address('wang'));
    const id = personIdOf(config().countyId, address('zhou'));
    const roster = await (await wang.fetch('/desk/roster')).text();
    const v = new RegExp(
      `action="/desk/roster/people/${id}"><input type="hidden" name="csrf" value="[^"]+"><input type="hidden" name="action" value="revoke"><input type="hidden" name="v" value="(\\d+)"`,
    ).exec(roster)?.[1];
    expect(v).toBeDefined();
    const revoked = await wang.fetch(`/desk/roster/people/${id}`, form({ action: 'revoke', v: v! }));
    expect(revoked.status).toBe(200);

    const next = await zhou.fetch('/desk/pieces');
    expect(next.status).toBe(401);
    expect(await next.text()).toContain('您的工作台登录已结束');
    const old = await fetch(url(pathOf(oldLink)));
    expect(old.status).toBe(403);
    expect(await old.text()).toContain('把新的登录链接发到我的邮箱');
    await sweep();
    const fresh = await signIn(county, address('zhou'), DESK_NEW_LINK);
    expect((await fresh.fetch('/desk')).status).toBe(200);
  });

  it('ends at 停用, and 启用 does not bring it back: a new sign-in does', async () => {
    const li = await signIn(county, address('li'));
    const wang = await signIn(county, address('wang'));
    const id = personIdOf(config().countyId, address('li'));
    expect((await wang.fetch(`/desk/roster/people/${id}`, form({ action: 'deactivate' }))).status).toBe(200);
    expect((await li.fetch('/desk')).status).toBe(403);
    const link = await signInLinkOf(county, address('li'));
    expect((await fetch(url(pathOf(link)))).status).toBe(403);
    at(clock + 1000);
    expect((await wang.fetch(`/desk/roster/people/${id}`, form({ action: 'activate' }))).status).toBe(200);
    const after = await li.fetch('/desk');
    expect(after.status).toBe(401);
    expect(await after.text()).toContain('您的工作台登录已结束');
    const again: DeskSession = await signIn(county, address('li'));
    expect((await again.fetch('/desk')).status).toBe(200);
    at(T0);
  });
});
