// 我的报送, an informant's own page, over real HTTP: opened from the read-only link at the end of their emails (it
// shows, and offers to mail them their personal link) or with their personal key (it leads to the form); it shows
// their own pieces of this year only, each decision with its feedback, and what their unit sent this month.
import { handler as sweep } from '../../../functions/sweeper';
import { setClock } from '../../../shared/core/clock';
import { importRoster } from '../../../shared/roster/importRoster';
import { revokePerson } from '../../../shared/roster/revokePerson';
import { LONG_BODY, linkIn, startTestCounty, type TestCounty } from '../../support/harness';
import {
  type DeskSession,
  form,
  jsonPost,
  signIn,
  signInLinkOf,
  submitKeyOf,
  submitOver,
  wantsJson,
} from './deskSupport';

let county: TestCounty;
let desk: DeskSession;
const keys = { chen: '', li: '', zhang: '' };
const receipts = { lastYear: '', newYear: '', may: '', returned: '', accepted: '', liJune: '', zhangJune: '' };
const FEEDBACK = '请补充参加人数和具体成效。\n第二段请压缩。';
/** 23:30 on 31 December 2025 and 00:30 on 1 January 2026 in Asia/Shanghai (both still 2025 in UTC). */
const LAST_YEAR = new Date('2025-12-31T15:30:00Z');
const NEW_YEAR = new Date('2025-12-31T16:30:00Z');
/** 2026-05-20 and 2026-06-15, 10:00 in Asia/Shanghai. */
const MAY = new Date('2026-05-20T02:00:00Z');
const JUNE = new Date('2026-06-15T02:00:00Z');

const address = (name: string) => `${name}@${county.domain}`;
const url = (path: string) => `${county.baseUrl}${path}`;
/** The subject of the sign-in link the front page sends an editor who asks for one. */
const DESK_REQUESTED = /^您的信息科工作台登录链接$/;

interface Mine {
  year: number;
  unitThisMonth: number;
  pieces: {
    receipt: string;
    title: string;
    status: string;
    revision: number;
    issueNo?: number;
    decisions: { type: string; revision: number; comment: string | null }[];
  }[];
}

async function mine(query: string): Promise<Mine> {
  const res = await fetch(url(`/mine?${query}`), wantsJson);
  expect(res.status).toBe(200);
  return (await res.json()) as Mine;
}

/** The 我的报送 link at the end of the newest email to `who` whose subject matches. */
async function mineLinkIn(who: string, subject: RegExp): Promise<string> {
  const mails = await county.waitForMails(address(who), 1, subject);
  const text = mails.at(-1)?.body.text ?? '';
  expect(text).toMatch(/我的报送（本人今年的全部稿件和审核结果）：https?:\/\/\S+\/mine\?m=/);
  return linkIn(mails.at(-1), '/mine');
}

beforeAll(async () => {
  setClock(LAST_YEAR);
  county = await startTestCounty();
  const d = county.domain;
  const imported = await importRoster(
    [
      '单位,姓名,邮箱,手机,角色',
      `县委办公室,陈晓明,chen@${d},,信息员`,
      `县委办公室,李娜,li@${d},,信息员`,
      `城关镇党委,张伟,zhang@${d},,信息员`,
      `县委组织部信息科,王编辑,editor@${d},,编辑`,
    ].join('\n'),
  );
  expect(imported.ok).toBe(true);
  for (const name of Object.keys(keys) as (keyof typeof keys)[]) keys[name] = await submitKeyOf(county, address(name));

  receipts.lastYear = await submitOver(county, keys.chen, '去年报送的稿件');
  setClock(NEW_YEAR);
  receipts.newYear = await submitOver(county, keys.chen, '元旦零点半报送的稿件');
  setClock(MAY);
  receipts.may = await submitOver(county, keys.chen, '五月报送的稿件');
  setClock(JUNE);
  receipts.returned = await submitOver(county, keys.chen, '县委办公室“每周一课”活动');
  receipts.accepted = await submitOver(county, keys.chen, '县委办公室推行“一线工作法”');
  receipts.liJune = await submitOver(county, keys.li, '李娜六月报送的稿件');
  receipts.zhangJune = await submitOver(county, keys.zhang, '城关镇六月报送的稿件');
  // Months after the welcome (its sign-in link expired): the editor asks the front page for a fresh one.
  expect((await fetch(url('/link'), form({ email: address('editor') }))).status).toBe(200);
  await sweep();
  desk = await signIn(county, address('editor'), DESK_REQUESTED);
  for (const [receipt, fields] of [
    [receipts.returned, { decision: 'return', comment: FEEDBACK }],
    [receipts.accepted, { decision: 'accept', issue: '4', comment: '做法实在。' }],
  ] as const) {
    const res = await desk.fetch(`${desk}/pieces/${receipt}`, form({ ...fields, revision: '1' }));
    expect(res.status).toBe(200);
  }
});
afterAll(async () => {
  setClock(undefined);
  await county.close();
});

describe('我的报送 from the link in an acknowledgment email', () => {
  it('shows only, with no personal key anywhere, and a button that mails the informant their link', async () => {
    const link = await mineLinkIn('chen', /^已收到您的稿件（回执号 .*）：县委办公室推行“一线工作法”$/);

    const res = await fetch(link);

    expect(res.status).toBe(200);
    const page = await res.text();
    expect(page).toContain('<html lang="zh-CN">');
    expect(page).toContain('陈晓明（县委办公室）· 2026 年');
    expect(page).not.toContain('/submit?k=');
    expect(page).not.toContain(keys.chen);
    expect(page).toContain(
      `<form method="post" action="/link"><input type="hidden" name="email" value="${address('chen')}">`,
    );
    expect(page).toContain('本页来自邮件里的查看链接，只能查看。');
  });

  it('mails the personal link when that button is pressed', async () => {
    const pressed = await fetch(url('/link'), form({ email: address('chen') }));
    expect(pressed.status).toBe(200);

    await sweep();

    const [mail] = await county.waitForMails(address('chen'), 1, /^您的个人报送链接$/);
    expect(new URL(linkIn(mail)).searchParams.get('k')).toBe(keys.chen);
  });

  it("lists this year's pieces of the informant, newest first, and not last year's or anyone else's", async () => {
    const link = await mineLinkIn('chen', /^已收到您的稿件/);

    const view = await mine(new URL(link).search.slice(1));

    expect(view.year).toBe(2026);
    expect(receipts.lastYear).toMatch(/^2025-/);
    expect(receipts.newYear).toMatch(/^2026-/);
    expect(view.pieces.map((p) => p.receipt)).toEqual([
      receipts.accepted,
      receipts.returned,
      receipts.may,
      receipts.newYear,
    ]);
    expect(view.pieces.map((p) => p.title)).toEqual([
      '县委办公室推行“一线工作法”',
      '县委办公室“每周一课”活动',
      '五月报送的稿件',
      '元旦零点半报送的稿件',
    ]);
    const page = await (await fetch(link)).text();
    for (const other of ['去年报送的稿件', '李娜六月报送的稿件', '城关镇六月报送的稿件'])
      expect(page).not.toContain(other);
  });

  it("counts what the informant's whole unit sent this month", async () => {
    const view = await mine(`k=${encodeURIComponent(keys.chen)}`);

    // Chen's two of June and Li's one; May's piece is last month's.
    expect(view.unitThisMonth).toBe(3);
    expect(await (await fetch(url(`/mine?k=${encodeURIComponent(keys.chen)}`))).text()).toContain(
      '本单位本月共报送 3 篇。',
    );
  });
});

describe('a decision from the desk on 我的报送', () => {
  it('shows a 退回修改 with the feedback in full', async () => {
    const view = await mine(`k=${encodeURIComponent(keys.chen)}`);

    const returned = view.pieces.find((p) => p.receipt === receipts.returned);
    expect(returned).toMatchObject({ status: 'returned', revision: 1 });
    expect(returned?.decisions).toEqual([{ type: 'returned', revision: 1, comment: FEEDBACK }]);
    const page = await (await fetch(url(`/mine?k=${encodeURIComponent(keys.chen)}`))).text();
    expect(page).toContain('退回修改中');
    expect(page).toContain('修改意见：<p>请补充参加人数和具体成效。</p><p>第二段请压缩。</p>');
  });

  it('shows an acceptance with its 《组工专报》 issue and the remark', async () => {
    const view = await mine(`k=${encodeURIComponent(keys.chen)}`);

    const accepted = view.pieces.find((p) => p.receipt === receipts.accepted);
    expect(accepted).toMatchObject({ status: 'accepted', issueNo: 4 });
    expect(accepted?.decisions).toEqual([{ type: 'accepted', revision: 1, comment: '做法实在。' }]);
    expect(await (await fetch(url(`/mine?k=${encodeURIComponent(keys.chen)}`))).text()).toContain(
      '已采用，编入《组工专报》第 4 期',
    );
  });

  it('shows the revised draft waiting again, with the earlier feedback still there', async () => {
    const [returnMail] = await county.waitForMails(address('chen'), 1, /^您的稿件需要修改/);
    const revised = await fetch(
      linkIn(returnMail, '/revise/'),
      jsonPost({ kind: 'info', title: '县委办公室“每周一课”活动（修改稿）', body: `${LONG_BODY}参加 120 人次。` }),
    );
    expect(revised.status).toBeLessThan(300);

    const piece = (await mine(`k=${encodeURIComponent(keys.chen)}`)).pieces.find(
      (p) => p.receipt === receipts.returned,
    );

    expect(piece).toMatchObject({ status: 'waiting', revision: 2, title: '县委办公室“每周一课”活动（修改稿）' });
    expect(piece?.decisions).toEqual([{ type: 'returned', revision: 1, comment: FEEDBACK }]);
  });
});

describe('我的报送 with the personal key', () => {
  it('leads to the form with a 写新稿件 link', async () => {
    const res = await fetch(url(`/mine?k=${encodeURIComponent(keys.chen)}`));

    expect(res.status).toBe(200);
    const page = await res.text();
    expect(page).toContain(`<a class="button" href="/submit?k=${encodeURIComponent(keys.chen)}">写新稿件</a>`);
    expect(page).not.toContain('action="/link"');
  });
});

describe("another informant's 我的报送", () => {
  it('shows only their own pieces and their own unit', async () => {
    const link = await mineLinkIn('zhang', /^已收到您的稿件/);

    const view = await mine(new URL(link).search.slice(1));

    expect(view.pieces.map((p) => p.receipt)).toEqual([receipts.zhangJune]);
    expect(view.unitThisMonth).toBe(1);
    const page = await (await fetch(link)).text();
    expect(page).toContain('张伟（城关镇党委）');
    expect(page).not.toContain('陈晓明');
  });
});

describe('a link that is not an informant’s own', () => {
  /** The token of the editor's sign-in link (a desk token), as a query value. */
  const signinToken = async () =>
    encodeURIComponent(
      new URL(await signInLinkOf(county, address('editor'), DESK_REQUESTED)).pathname.split('/').at(-1)!,
    );

  it.each([
    ['a desk sign-in token as m', async () => `m=${await signinToken()}`],
    ['a desk sign-in token as k', async () => `k=${await signinToken()}`],
    ['a desk session cookie as m', () => `m=${encodeURIComponent(desk.cookie)}`],
    ['nothing at all', () => ''],
    ['a forged m', () => 'm=eyJ4IjoxfQ.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'],
  ])('gets a Chinese 403 for %s', async (_what, query) => {
    const res = await fetch(url(`/mine?${await query()}`));

    expect(res.status).toBe(403);
    const page = await res.text();
    expect(page).toContain('<html lang="zh-CN">');
    expect(page).toContain('链接无效');
  });

  it('stops working for the old link once the informant’s links are revoked', async () => {
    const old = await mineLinkIn('li', /^已收到您的稿件/);
    expect((await fetch(old)).status).toBe(200);

    await revokePerson(address('li'));

    expect((await fetch(old)).status).toBe(403);
    expect((await fetch(url(`/mine?k=${encodeURIComponent(keys.li)}`))).status).toBe(403);
    const fresh = await mineLinkIn('li', /^您的报送链接已更新（旧链接已失效）$/);
    expect(fresh).not.toBe(old);
    expect((await mine(new URL(fresh).search.slice(1))).pieces.map((p) => p.receipt)).toEqual([receipts.liJune]);
  });
});
