// The desk's pages (信息科工作台) over real HTTP: an editor and a leader sign in from the link in their welcome
// email; a leader's desk shows everything and can do nothing; without a live session (none, or a cookie the desk did
// not sign for one) every page and action answers 401, and a sign-in link that is not one 403; opening a page (GET or
// HEAD) writes nothing; and text from informants stays text on every page.
import { randomBytes } from 'node:crypto';
import { setClock } from '../../../shared/core/clock';
import { config } from '../../../shared/core/config';
import { signingRing } from '../../../shared/links/signingKey';
import { signToken } from '../../../shared/links/tokens';
import { importRoster } from '../../../shared/roster/importRoster';
import { personIdOf } from '../../../shared/store/keys';
import { SESSION_COOKIE } from '../../support/deskSession';
import { linkIn, rosterCsv, startTestCounty, type TestCounty } from '../../support/harness';
import {
  DESK_WELCOME,
  type DeskSession,
  form,
  signIn,
  signInLinkOf,
  signInWith,
  submitKeyOf,
  submitOver,
  tableSnapshot,
  wantsJson,
} from './deskSupport';

let county: TestCounty;
let editorDesk: DeskSession;
let leaderDesk: DeskSession;
const keys: Record<'chen' | 'zhang' | 'zhou', string> = { chen: '', zhang: '', zhou: '' };
/** A waiting piece, an accepted one, both titled as a script; and a plain one. */
const receipts = { waiting: '', accepted: '', plain: '' };
const SCRIPT_TITLE = '<script>alert(1)</script>';
const ESCAPED_TITLE = '&lt;script&gt;alert(1)&lt;/script&gt;';
/** 2026-06-15 10:00 in Asia/Shanghai. */
const T0 = new Date('2026-06-15T02:00:00Z');

const address = (name: string) => `${name}@${county.domain}`;
const url = (path: string) => `${county.baseUrl}${path}`;

/** Every page of the desk, by what it is (the same addresses for everyone: the session says whose desk it is). */
function deskPages(receipt = receipts.plain): Record<string, string> {
  return {
    queue: '/desk',
    pieces: '/desk/pieces?month=2026-06',
    piece: `/desk/pieces/${receipt}`,
    issues: '/desk/issues?year=2026',
    roster: '/desk/roster',
    figures: '/desk/figures?month=2026-06',
    xlsx: '/desk/figures/download?month=2026-06&format=xlsx',
    csv: '/desk/figures/download?month=2026-06&format=csv',
  };
}

/** The forms of a page that post, as their opening tags. */
const postForms = (page: string) => page.match(/<form[^>]*method="post"[^>]*>/gi) ?? [];
const SIGNOUT_FORM = '<form class="inline" method="post" action="/desk/signout">';

const HTML_PAGES = ['queue', 'pieces', 'piece', 'issues', 'roster', 'figures'] as const;

beforeAll(async () => {
  setClock(T0);
  county = await startTestCounty();
  expect((await importRoster(rosterCsv(county.domain))).ok).toBe(true);
  for (const name of Object.keys(keys) as (keyof typeof keys)[]) keys[name] = await submitKeyOf(county, address(name));
  editorDesk = await signIn(county, address('editor'));
  leaderDesk = await signIn(county, address('leader'));

  receipts.waiting = await submitOver(county, keys.chen, SCRIPT_TITLE);
  receipts.accepted = await submitOver(county, keys.zhang, SCRIPT_TITLE);
  receipts.plain = await submitOver(county, keys.zhou, '红旗乡推行“党员联户”制度');
  const accepted = await editorDesk.fetch(
    `${editorDesk}/pieces/${receipts.accepted}`,
    form({ decision: 'accept', issue: '1', revision: '1' }),
  );
  expect(accepted.status).toBe(200);
});
afterAll(async () => {
  setClock(undefined);
  await county.close();
});

describe('an editor signing in from their welcome email', () => {
  it('finds a working sign-in link in the welcome, and the desk greets them by name as 编辑', async () => {
    const [welcome] = await county.waitForMails(address('editor'), 1, DESK_WELCOME);
    const link = linkIn(welcome, '/desk/signin/');
    expect(link.startsWith(`${county.baseUrl}/desk/signin/`)).toBe(true);

    const session = await signInWith(county.baseUrl, link);
    const res = await session.fetch('/desk');

    expect(res.status).toBe(200);
    const page = await res.text();
    expect(page).toContain('<html lang="zh-CN">');
    expect(page).toContain('信息科工作台 · 王编辑（编辑）');
    for (const tab of ['待审', '稿件', '《组工专报》', '名单', '数据']) expect(page).toContain(`>${tab}</a>`);
    expect(page).toContain(SIGNOUT_FORM);
  });

  it.each(HTML_PAGES)('answers the %s page with 200 in Chinese', async (name) => {
    const res = await editorDesk.fetch(deskPages()[name]!);

    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const page = await res.text();
    expect(page).toContain('<html lang="zh-CN">');
    expect(page).toContain('信息科工作台 · 王编辑（编辑）');
  });

  it('offers the decision form on a waiting piece, with the next issue number filled in', async () => {
    const page = await (await editorDesk.fetch(`${editorDesk}/pieces/${receipts.plain}`)).text();

    expect(page).toContain('<form method="post"');
    expect(page).toContain('name="issue" inputmode="numeric" maxlength="8" value="2"');
    expect(page).toContain('<input type="hidden" name="revision" value="1">');
  });

  it('downloads the figures as an .xlsx and a CSV attachment', async () => {
    for (const format of ['xlsx', 'csv'] as const) {
      const res = await editorDesk.fetch(deskPages()[format]!);

      expect(res.status).toBe(200);
      expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="[^"]+"; filename\*=UTF-8''/);
      expect(decodeURIComponent(res.headers.get('content-disposition') ?? '')).toContain(
        `组工信息数据-2026-06.${format}`,
      );
      const bytes = Buffer.from(await res.arrayBuffer());
      if (format === 'xlsx') expect(bytes.subarray(0, 2).toString()).toBe('PK');
      else expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    }
  });
});

describe('a desk path that leads nowhere', () => {
  it.each([
    ['a piece id that is no receipt number', 'pieces/nope'],
    ['a receipt number no piece has', 'pieces/2026-9999'],
  ])('answers %s with a Chinese 404', async (_what, path) => {
    const res = await editorDesk.fetch(`${editorDesk}/${path}`);

    expect(res.status).toBe(404);
    expect(await res.text()).toContain('未找到该稿件。');
  });

  it.each(['', '/pieces', '/issues', '/figures'])(
    'answers a POST to the page %s, which only shows, with 405',
    async (page) => {
      const before = await tableSnapshot();

      const res = await editorDesk.fetch(`${editorDesk}${page}`, form({ decision: 'accept' }));

      expect(res.status).toBe(405);
      expect(res.headers.get('allow')).toMatch(/GET/);
      expect(await tableSnapshot()).toEqual(before);
    },
  );
});

describe("a leader's desk", () => {
  it.each(HTML_PAGES)('shows the %s page with 200 in Chinese and no form that posts but 退出', async (name) => {
    const res = await leaderDesk.fetch(deskPages()[name]!);

    expect(res.status).toBe(200);
    const page = await res.text();
    expect(page).toContain('<html lang="zh-CN">');
    expect(page).toContain('信息科工作台 · 赵部长（领导，只能查看）');
    expect(postForms(page)).toEqual([SIGNOUT_FORM]);
    expect(page).not.toContain('name="decision"');
  });

  it('downloads the figures too', async () => {
    for (const format of ['xlsx', 'csv'] as const) {
      const res = await leaderDesk.fetch(deskPages()[format]!);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-disposition')).toMatch(/^attachment;/);
    }
  });

  it('is refused with a Chinese 403 page on every POST route, and nothing is written or sent', async () => {
    const county_ = config().countyId;
    const chen = personIdOf(county_, address('chen'));
    const editor = personIdOf(county_, address('editor'));
    const roster = new FormData();
    roster.append(
      'file',
      new Blob([`单位,姓名,邮箱,手机,角色\n新单位,新人,newcomer@${county.domain},,信息员\n`], { type: 'text/csv' }),
      'roster.csv',
    );
    const attempts: [string, RequestInit][] = [
      [`${leaderDesk}/pieces/${receipts.plain}`, form({ decision: 'accept', issue: '2', revision: '1' })],
      [`${leaderDesk}/pieces/${receipts.plain}`, form({ decision: 'return', comment: '请补充。', revision: '1' })],
      [`${leaderDesk}/pieces/${receipts.plain}`, form({ decision: 'reject', confirm: '1', revision: '1' })],
      [`${leaderDesk}/roster`, { method: 'POST', body: roster }],
      [`${leaderDesk}/roster/people/${chen}`, form({ action: 'revoke' })],
      [`${leaderDesk}/roster/people/${chen}`, form({ action: 'deactivate' })],
      [`${leaderDesk}/roster/people/${editor}`, form({ action: 'deactivate' })],
      [`${leaderDesk}/roster/people/${chen}`, form({ action: 'activate' })],
    ];
    const tableBefore = await tableSnapshot();
    const mailsBefore = (await county.mails()).length;

    for (const [path, init] of attempts) {
      const res = await leaderDesk.fetch(path, init);

      expect({ path, status: res.status }).toEqual({ path, status: 403 });
      const page = await res.text();
      expect(page).toContain('<html lang="zh-CN">');
      expect(page).toContain('领导的工作台只能查看，不能进行审核或修改名单等操作。');
    }
    const asJson = await leaderDesk.fetch(`${leaderDesk}/pieces/${receipts.plain}`, {
      ...form({ decision: 'accept', revision: '1' }),
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    });
    expect(asJson.status).toBe(403);
    expect(await asJson.json()).toMatchObject({ error: 'invalid_link' });

    expect(await tableSnapshot()).toEqual(tableBefore);
    expect((await county.mails()).length).toBe(mailsBefore);
  });
});

describe('the desk without a live session', () => {
  /** Cookies that are no session of this desk's, by what they are. */
  async function forgedCookies(): Promise<Record<string, string>> {
    const editor = personIdOf(config().countyId, address('editor'));
    const [payload, signature] = editorDesk.cookie.split('.') as [string, string];
    const flipped = `${signature.slice(0, -2)}${signature.at(-2) === 'A' ? 'B' : 'A'}${signature.at(-1)}`;
    const exp = Math.floor(T0.getTime() / 1000) + 3600;
    const secret = randomBytes(32).toString('base64url');
    const signinLink = await signInLinkOf(county, address('editor'));
    return {
      "an informant's personal key": keys.chen,
      "the editor's sign-in link token": new URL(signinLink).pathname.split('/').at(-1)!,
      'a session cookie signed with another key': signToken(randomBytes(32), 'session', {
        c: config().countyId,
        i: editor,
        s: secret,
        exp,
      }),
      "the editor's cookie with one letter of its signature changed": `${payload}.${flipped}`,
      "a session cookie of another county's editor": signToken(await signingRing(), 'session', {
        c: 'elsewhere',
        i: editor,
        s: secret,
        exp,
      }),
      'a genuinely signed cookie of a session that never began': signToken(await signingRing(), 'session', {
        c: config().countyId,
        i: editor,
        s: secret,
        exp,
      }),
      'plain garbage': 'not-a-token',
    };
  }

  const withCookie = (cookie: string | undefined, init: RequestInit = {}): RequestInit => ({
    ...init,
    headers: {
      ...(init.headers as Record<string, string>),
      ...(cookie ? { cookie: `${SESSION_COOKIE}=${cookie}` } : {}),
    },
  });

  it('gets a Chinese 401 on every desk page, and nothing of the desk', async () => {
    const cookies: [string, string | undefined][] = [
      ['no cookie', undefined],
      ...Object.entries(await forgedCookies()),
    ];
    for (const [what, cookie] of cookies) {
      for (const [name, path] of Object.entries(deskPages())) {
        const res = await fetch(url(path), withCookie(cookie));

        expect({ what, name, status: res.status }).toEqual({ what, name, status: 401 });
        const page = await res.text();
        expect(page).toContain('<html lang="zh-CN">');
        expect(page).toContain('打开邮件中的工作台登录链接');
        expect(page).not.toContain(SCRIPT_TITLE);
        expect(page).not.toContain('王编辑');
      }
      const json = await fetch(url('/desk'), withCookie(cookie, wantsJson));
      expect({ what, status: json.status }).toEqual({ what, status: 401 });
      expect(await json.json()).toMatchObject({ error: 'signin_required' });
    }
  });

  it('gets 401 on the POST routes too, and nothing is written', async () => {
    const before = await tableSnapshot();
    const chen = personIdOf(config().countyId, address('chen'));
    const cookies = [undefined, ...Object.values(await forgedCookies())];

    for (const cookie of cookies) {
      const answers = await Promise.all([
        fetch(url(`/desk/pieces/${receipts.plain}`), withCookie(cookie, form({ decision: 'accept', revision: '1' }))),
        fetch(url(`/desk/roster/people/${chen}`), withCookie(cookie, form({ action: 'deactivate' }))),
      ]);

      expect({ cookie, statuses: answers.map((a) => a.status) }).toEqual({ cookie, statuses: [401, 401] });
    }
    expect(await tableSnapshot()).toEqual(before);
  });
});

describe('a sign-in link that is not one', () => {
  async function forgedTokens(): Promise<Record<string, string>> {
    const editor = personIdOf(config().countyId, address('editor'));
    const genuine = new URL(await signInLinkOf(county, address('editor'))).pathname.split('/').at(-1)!;
    const [payload, signature] = genuine.split('.') as [string, string];
    const flipped = `${signature.slice(0, -2)}${signature.at(-2) === 'A' ? 'B' : 'A'}${signature.at(-1)}`;
    const exp = Math.floor(T0.getTime() / 1000) + 3600;
    return {
      "an informant's personal key": keys.chen,
      "the editor's session cookie": editorDesk.cookie,
      'a token signed with another key': signToken(randomBytes(32), 'signin', {
        c: config().countyId,
        i: editor,
        v: 1,
        exp,
      }),
      'a genuine token with one letter of its signature changed': `${payload}.${flipped}`,
      "a sign-in token for another county's editor": signToken(await signingRing(), 'signin', {
        c: 'elsewhere',
        i: editor,
        v: 1,
        exp,
      }),
      'plain garbage': 'not-a-token',
    };
  }

  it('gets a Chinese 403 for its page and its button, no session, and nothing is written', async () => {
    const before = await tableSnapshot();

    for (const [what, token] of Object.entries(await forgedTokens())) {
      const path = url(`/desk/signin/${encodeURIComponent(token)}`);
      const page = await fetch(path);
      expect({ what, status: page.status }).toEqual({ what, status: 403 });
      const text = await page.text();
      expect(text).toContain('<html lang="zh-CN">');
      expect(text).not.toContain('王编辑');
      expect(text).not.toContain('进入工作台');
      const pressed = await fetch(path, form());
      expect({ what, status: pressed.status, cookies: pressed.headers.getSetCookie() }).toEqual({
        what,
        status: 403,
        cookies: [],
      });
    }
    expect(await tableSnapshot()).toEqual(before);
  });
});

describe('opening pages', () => {
  it('changes nothing in the table: every desk page by GET and HEAD, for the editor and the leader, and 我的报送', async () => {
    const [ack] = await county.waitForMails(address('chen'), 1, /^已收到您的稿件/);
    const mine = new URL(linkIn(ack, '/mine')).search;
    const deskPaths = [
      ...Object.values(deskPages(receipts.plain)),
      ...Object.values(deskPages(receipts.waiting)),
      `/desk/pieces?month=2026-06&q=${encodeURIComponent('党员')}&status=waiting&kind=info`,
      '/desk/issues?year=2025',
      '/desk/figures?month=2026-05',
    ];
    type Open = (path: string, init: RequestInit) => Promise<Response>;
    const as: Record<'editor' | 'leader' | 'informant', Open> = {
      editor: (path, init) => editorDesk.fetch(path, init),
      leader: (path, init) => leaderDesk.fetch(path, init),
      informant: (path, init) => fetch(url(path), init),
    };
    const opened: [keyof typeof as, string][] = [
      ...deskPaths.map((path): [keyof typeof as, string] => ['editor', path]),
      ...deskPaths.map((path): [keyof typeof as, string] => ['leader', path]),
      ['informant', `/mine${mine}`],
      ['informant', `/mine?k=${encodeURIComponent(keys.chen)}`],
    ];
    const before = await tableSnapshot();
    const mailsBefore = (await county.mails()).length;

    for (const [who, path] of opened) {
      for (const init of [{}, wantsJson, { method: 'HEAD' }]) {
        const res = await as[who](path, init);
        expect({ who, path, method: init.method ?? 'GET', status: res.status }).toEqual({
          who,
          path,
          method: init.method ?? 'GET',
          status: 200,
        });
        if (init.method === 'HEAD') expect(await res.text()).toBe('');
        else await res.arrayBuffer();
      }
    }

    expect(await tableSnapshot()).toEqual(before);
    expect((await county.mails()).length).toBe(mailsBefore);
  });
});

describe('a piece titled as a script', () => {
  const pagesShowing = (): Record<string, [DeskSession, string]> => ({
    queue: [editorDesk, `${editorDesk}`],
    pieces: [editorDesk, `${editorDesk}/pieces?month=2026-06`],
    'waiting piece': [editorDesk, `${editorDesk}/pieces/${receipts.waiting}`],
    'accepted piece': [editorDesk, `${editorDesk}/pieces/${receipts.accepted}`],
    issues: [editorDesk, `${editorDesk}/issues?year=2026`],
    "leader's issues": [leaderDesk, `${leaderDesk}/issues?year=2026`],
  });

  it.each(['queue', 'pieces', 'waiting piece', 'accepted piece', 'issues', "leader's issues"])(
    'shows the title escaped on the %s page, never as a script',
    async (name) => {
      const [session, path] = pagesShowing()[name]!;
      const res = await session.fetch(path);

      expect(res.status).toBe(200);
      const page = await res.text();
      expect(page).toContain(ESCAPED_TITLE);
      expect(page).not.toMatch(/<script/i);
    },
  );

  it('comes back in JSON as the text it is', async () => {
    const res = await editorDesk.fetch(`${editorDesk}/pieces?month=2026-06`, wantsJson);

    const { rows } = (await res.json()) as { rows: { receipt: string; title: string }[] };
    expect(rows.filter((r) => r.title === SCRIPT_TITLE).map((r) => r.receipt)).toEqual([
      receipts.waiting,
      receipts.accepted,
    ]);
  });
});
