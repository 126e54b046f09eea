// The desk's pages (信息科工作台) over real HTTP: an editor and a leader open them from the link in their welcome
// email; a leader's desk shows everything and can do nothing; links that are not a desk link get 403; opening a page
// (GET or HEAD) writes nothing; and text from informants stays text on every page.
import { randomBytes } from 'node:crypto';
import { setClock } from '../../../shared/core/clock';
import { config } from '../../../shared/core/config';
import { signToken } from '../../../shared/links/tokens';
import { importRoster } from '../../../shared/roster/importRoster';
import { personIdOf } from '../../../shared/store/keys';
import { linkIn, rosterCsv, startTestCounty, type TestCounty } from '../../support/harness';
import { deskLinkOf, deskPathOf, form, submitKeyOf, submitOver, tableSnapshot, wantsJson } from './deskSupport';

let county: TestCounty;
let editorDesk = '';
let leaderDesk = '';
const keys: Record<'chen' | 'zhang' | 'zhou', string> = { chen: '', zhang: '', zhou: '' };
/** A waiting piece, an accepted one, both titled as a script; and a plain one. */
const receipts = { waiting: '', accepted: '', plain: '' };
const SCRIPT_TITLE = '<script>alert(1)</script>';
const ESCAPED_TITLE = '&lt;script&gt;alert(1)&lt;/script&gt;';
/** 2026-06-15 10:00 in Asia/Shanghai. */
const T0 = new Date('2026-06-15T02:00:00Z');

const address = (name: string) => `${name}@${county.domain}`;
const url = (path: string) => `${county.baseUrl}${path}`;

/** Every page of a desk, by what it is. */
function deskPages(desk: string, receipt = receipts.plain): Record<string, string> {
  return {
    queue: desk,
    pieces: `${desk}/pieces?month=2026-06`,
    piece: `${desk}/pieces/${receipt}`,
    issues: `${desk}/issues?year=2026`,
    roster: `${desk}/roster`,
    figures: `${desk}/figures?month=2026-06`,
    xlsx: `${desk}/figures/download?month=2026-06&format=xlsx`,
    csv: `${desk}/figures/download?month=2026-06&format=csv`,
  };
}

const HTML_PAGES = ['queue', 'pieces', 'piece', 'issues', 'roster', 'figures'] as const;

beforeAll(async () => {
  setClock(T0);
  county = await startTestCounty();
  expect((await importRoster(rosterCsv(county.domain))).ok).toBe(true);
  for (const name of Object.keys(keys) as (keyof typeof keys)[]) keys[name] = await submitKeyOf(county, address(name));
  editorDesk = deskPathOf(await deskLinkOf(county, address('editor')));
  leaderDesk = deskPathOf(await deskLinkOf(county, address('leader')));

  receipts.waiting = await submitOver(county, keys.chen, SCRIPT_TITLE);
  receipts.accepted = await submitOver(county, keys.zhang, SCRIPT_TITLE);
  receipts.plain = await submitOver(county, keys.zhou, '红旗乡推行“党员联户”制度');
  const accepted = await fetch(
    url(`${editorDesk}/pieces/${receipts.accepted}`),
    form({ decision: 'accept', issue: '1', revision: '1' }),
  );
  expect(accepted.status).toBe(200);
});
afterAll(async () => {
  setClock(undefined);
  await county.close();
});

describe('an editor opening the desk link from their welcome email', () => {
  it('finds a working link in the welcome, and the desk greets them by name as 编辑', async () => {
    const [welcome] = await county.waitForMails(address('editor'), 1, /^信息科工作台/);
    const link = linkIn(welcome, '/desk/');
    expect(link.startsWith(`${county.baseUrl}/desk/`)).toBe(true);

    const res = await fetch(link);

    expect(res.status).toBe(200);
    const page = await res.text();
    expect(page).toContain('<html lang="zh-CN">');
    expect(page).toContain('信息科工作台 · 王编辑（编辑）');
    for (const tab of ['待审', '稿件', '《组工专报》', '名单', '数据']) expect(page).toContain(`>${tab}</a>`);
  });

  it.each(HTML_PAGES)('answers the %s page with 200 in Chinese', async (name) => {
    const res = await fetch(url(deskPages(editorDesk)[name]!));

    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const page = await res.text();
    expect(page).toContain('<html lang="zh-CN">');
    expect(page).toContain('信息科工作台 · 王编辑（编辑）');
  });

  it('offers the decision form on a waiting piece, with the next issue number filled in', async () => {
    const page = await (await fetch(url(`${editorDesk}/pieces/${receipts.plain}`))).text();

    expect(page).toContain('<form method="post"');
    expect(page).toContain('name="issue" inputmode="numeric" maxlength="8" value="2"');
    expect(page).toContain('<input type="hidden" name="revision" value="1">');
  });

  it('downloads the figures as an .xlsx and a CSV attachment', async () => {
    for (const format of ['xlsx', 'csv'] as const) {
      const res = await fetch(url(deskPages(editorDesk)[format]!));

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
    const res = await fetch(url(`${editorDesk}/${path}`));

    expect(res.status).toBe(404);
    expect(await res.text()).toContain('未找到该稿件。');
  });

  it.each(['', '/pieces', '/issues', '/figures'])(
    'answers a POST to the page %s, which only shows, with 405',
    async (page) => {
      const before = await tableSnapshot();

      const res = await fetch(url(`${editorDesk}${page}`), form({ decision: 'accept' }));

      expect(res.status).toBe(405);
      expect(res.headers.get('allow')).toMatch(/GET/);
      expect(await tableSnapshot()).toEqual(before);
    },
  );
});

describe("a leader's desk link", () => {
  it.each(HTML_PAGES)('shows the %s page with 200 in Chinese and not a single form that posts', async (name) => {
    const res = await fetch(url(deskPages(leaderDesk)[name]!));

    expect(res.status).toBe(200);
    const page = await res.text();
    expect(page).toContain('<html lang="zh-CN">');
    expect(page).toContain('信息科工作台 · 赵部长（领导，只能查看）');
    expect(page).not.toMatch(/<form[^>]*method="post"/i);
    expect(page).not.toContain('name="decision"');
  });

  it('downloads the figures too', async () => {
    for (const format of ['xlsx', 'csv'] as const) {
      const res = await fetch(url(deskPages(leaderDesk)[format]!));
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
      const res = await fetch(url(path), init);

      expect({ path, status: res.status }).toEqual({ path, status: 403 });
      const page = await res.text();
      expect(page).toContain('<html lang="zh-CN">');
      expect(page).toContain('此工作台链接只能查看，不能进行审核或修改名单等操作。');
    }
    const asJson = await fetch(url(`${leaderDesk}/pieces/${receipts.plain}`), {
      ...form({ decision: 'accept', revision: '1' }),
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    });
    expect(asJson.status).toBe(403);
    expect(await asJson.json()).toMatchObject({ error: 'invalid_link' });

    expect(await tableSnapshot()).toEqual(tableBefore);
    expect((await county.mails()).length).toBe(mailsBefore);
  });
});

describe('a link that is not a desk link', () => {
  async function forgedTokens(): Promise<Record<string, string>> {
    const editor = personIdOf(config().countyId, address('editor'));
    const genuine = editorDesk.split('/')[2]!;
    const [payload, signature] = genuine.split('.') as [string, string];
    const flipped = `${signature.slice(0, -2)}${signature.at(-2) === 'A' ? 'B' : 'A'}${signature.at(-1)}`;
    return {
      "an informant's personal key": keys.chen,
      'a token signed with another key': signToken(randomBytes(32), 'desk', {
        c: config().countyId,
        i: editor,
        v: 1,
      }),
      'a genuine token with one letter of its signature changed': `${payload}.${flipped}`,
      "a desk token for another county's editor": signToken(randomBytes(32), 'desk', {
        c: 'elsewhere',
        i: editor,
        v: 1,
      }),
      'plain garbage': 'not-a-token',
    };
  }

  it('gets a Chinese 403 on every desk page, whatever it is', async () => {
    for (const [what, token] of Object.entries(await forgedTokens())) {
      for (const [name, path] of Object.entries(deskPages(`/desk/${token}`))) {
        const res = await fetch(url(path));

        expect({ what, name, status: res.status }).toEqual({ what, name, status: 403 });
        const page = await res.text();
        expect(page).toContain('<html lang="zh-CN">');
        expect(page).toContain('链接无效');
        expect(page).not.toContain(SCRIPT_TITLE);
      }
    }
  });

  it("gets 403 for an informant's key on every POST route too, and nothing is written", async () => {
    const before = await tableSnapshot();
    const desk = `/desk/${keys.zhou}`;
    const chen = personIdOf(config().countyId, address('chen'));

    const answers = await Promise.all([
      fetch(url(`${desk}/pieces/${receipts.plain}`), form({ decision: 'accept', revision: '1' })),
      fetch(url(`${desk}/roster/people/${chen}`), form({ action: 'deactivate' })),
    ]);

    expect(answers.map((a) => a.status)).toEqual([403, 403]);
    expect(await tableSnapshot()).toEqual(before);
  });
});

describe('opening pages', () => {
  it('changes nothing in the table: every desk page by GET and HEAD, for the editor and the leader, and 我的报送', async () => {
    const [ack] = await county.waitForMails(address('chen'), 1, /^已收到您的稿件/);
    const mine = new URL(linkIn(ack, '/mine')).search;
    const paths = [
      ...[editorDesk, leaderDesk].flatMap((desk) => [
        ...Object.values(deskPages(desk, receipts.plain)),
        ...Object.values(deskPages(desk, receipts.waiting)),
        `${desk}/pieces?month=2026-06&q=${encodeURIComponent('党员')}&status=waiting&kind=info`,
        `${desk}/issues?year=2025`,
        `${desk}/figures?month=2026-05`,
      ]),
      `/mine${mine}`,
      `/mine?k=${encodeURIComponent(keys.chen)}`,
    ];
    const before = await tableSnapshot();
    const mailsBefore = (await county.mails()).length;

    for (const path of paths) {
      for (const init of [{}, wantsJson, { method: 'HEAD' }]) {
        const res = await fetch(url(path), init);
        expect({ path, method: init.method ?? 'GET', status: res.status }).toEqual({
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
  const pagesShowing = () => ({
    queue: editorDesk,
    pieces: `${editorDesk}/pieces?month=2026-06`,
    'waiting piece': `${editorDesk}/pieces/${receipts.waiting}`,
    'accepted piece': `${editorDesk}/pieces/${receipts.accepted}`,
    issues: `${editorDesk}/issues?year=2026`,
    "leader's issues": `${leaderDesk}/issues?year=2026`,
  });

  it.each(['queue', 'pieces', 'waiting piece', 'accepted piece', 'issues', "leader's issues"])(
    'shows the title escaped on the %s page, never as a script',
    async (name) => {
      const res = await fetch(url(pagesShowing()[name as keyof ReturnType<typeof pagesShowing>]));

      expect(res.status).toBe(200);
      const page = await res.text();
      expect(page).toContain(ESCAPED_TITLE);
      expect(page).not.toMatch(/<script/i);
    },
  );

  it('comes back in JSON as the text it is', async () => {
    const res = await fetch(url(`${editorDesk}/pieces?month=2026-06`), wantsJson);

    const { rows } = (await res.json()) as { rows: { receipt: string; title: string }[] };
    expect(rows.filter((r) => r.title === SCRIPT_TITLE).map((r) => r.receipt)).toEqual([
      receipts.waiting,
      receipts.accepted,
    ]);
  });
});
