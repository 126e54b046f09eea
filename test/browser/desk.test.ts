// The desk (信息科工作台) in a real browser (Debian's Chromium): an editor opens it from the welcome email in the
// local mailbox's page, decides a waiting piece from 待审 with the 期号 the form suggests, finds it in 《组工专报》,
// uploads a roster workbook through the 名单 form (the welcome it owes waits for the sweeper), downloads the 数据
// workbook and reads it back; a leader's link shows the same pages with nothing that acts; the informant follows the
// 我的报送 link of their 已采用 email. Every desk page at 360 px: no sideways scrolling of the page (wide tables scroll
// in their own .scroll box), buttons and tabs at least 44 px high, no serious or critical axe-core finding.
// The tests run in order and share the county. Screenshots go to test/browser/screenshots/ (not committed).
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { sweepAll } from '../../shared/app/sweep';
import { monthOf, now, shanghai } from '../../shared/core/clock';
import { config } from '../../shared/core/config';
import { importRoster } from '../../shared/roster/importRoster';
import { readTable } from '../../shared/sheets/read';
import { xlsxOf } from '../../shared/sheets/write';
import { accessibilityProblems, launchChromium, openFromMailbox, press, signInHere } from '../support/browser';
import { DESK_WELCOME } from '../support/deskSession';
import { LONG_BODY, linkIn, rosterCsv, type StoredEmail, startTestCounty, type TestCounty } from '../support/harness';

const SCREENSHOTS = join(__dirname, 'screenshots');
const YEAR = shanghai(new Date()).year;
const TITLE = '县委办公室推行“党员先锋岗”，服务群众办事提速三成';
const INFORMANT_WELCOME = /^欢迎使用组工信息报送系统/;

let county: TestCounty;
let browser: Browser;
/** Our pages keep their CSP elsewhere; this context lets axe's script into them (it changes nothing else). */
let checking: BrowserContext;
let editor: Page;
/** The editor's desk link, to come back to. */
let editorDesk: string;
let leader: Page;
let workDir: string;
const address = (name: string) => `${name}@${county.domain}`;

beforeAll(async () => {
  county = await startTestCounty();
  const imported = await importRoster(rosterCsv(county.domain));
  expect(imported.ok).toBe(true);
  await mkdir(SCREENSHOTS, { recursive: true });
  workDir = await mkdtemp(join(tmpdir(), 'baosong-desk-'));
  browser = await launchChromium();
  checking = await browser.newContext({ locale: 'zh-CN', bypassCSP: true, acceptDownloads: true });
});
afterAll(async () => {
  await browser?.close();
  await county?.close();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

async function newest(to: string, subject: RegExp, atLeast = 1): Promise<StoredEmail> {
  const found = await county.waitForMails(to, atLeast, subject);
  if (found.length < atLeast) throw new Error(`no email to ${to} matching ${subject}`);
  return found.at(-1)!;
}

/** Follows a link and waits for the page it leads to. */
async function follow(page: Page, name: string, within = page.locator('body')): Promise<void> {
  await Promise.all([page.waitForEvent('load'), within.getByRole('link', { name, exact: true }).first().click()]);
}

/** One of the desk's tabs (待审, 稿件, 《组工专报》, 名单, 数据). */
const tab = (page: Page, name: string) => follow(page, name, page.getByRole('navigation', { name: '工作台' }));

const heading = (page: Page) => page.locator('h1').textContent();

/** What a phone user meets at `width`: the page wider than the screen, and buttons or tabs too small to tap. */
async function layoutProblems(page: Page, width: number): Promise<string[]> {
  const problems: string[] = [];
  const { scroll, viewport } = (await page.evaluate(
    '({ scroll: document.documentElement.scrollWidth, viewport: window.innerWidth })',
  )) as { scroll: number; viewport: number };
  if (scroll > viewport + 1) problems.push(`the page is ${scroll} px wide at ${width} px`);
  if (width <= 400) {
    const targets = (await page.evaluate(
      `[...document.querySelectorAll('button, nav.tabs a')]
        .map((e) => ({ text: e.textContent.trim(), height: e.getBoundingClientRect().height }))
        .filter((t) => t.height > 0)`,
    )) as { text: string; height: number }[];
    for (const t of targets) {
      if (t.height < 44) problems.push(`"${t.text}" is ${t.height} px high at ${width} px`);
    }
  }
  return problems;
}

/**
 * The checks of a desk page as it shows now, labelled `name`: at each width the layout (and a screenshot
 * desk-{name}-{width}.png), and at 360 px axe-core. The page is left at the last width.
 */
async function deskChecks(page: Page, name: string, widths: number[] = [360, 1280]): Promise<string[]> {
  const problems: string[] = [];
  for (const width of widths) {
    await page.setViewportSize({ width, height: 800 });
    problems.push(...(await layoutProblems(page, width)).map((p) => `${name}: ${p}`));
    if (width === 360) problems.push(...(await accessibilityProblems(page)).map((p) => `${name}: ${p}`));
    await page.screenshot({ path: join(SCREENSHOTS, `desk-${name}-${width}.png`), fullPage: true });
  }
  return problems;
}

describe('the desk in a real browser', () => {
  it('opens from the editor’s welcome email in the mailbox and shows the piece an informant just sent on 待审', async () => {
    // The informant sends a piece through the real form.
    const informant = await checking.newPage();
    await informant.goto(linkIn(await newest(address('chen'), INFORMANT_WELCOME)));
    await informant.getByLabel('信息', { exact: true }).check();
    await informant.getByLabel('标题', { exact: true }).fill(TITLE);
    await informant.getByLabel('正文', { exact: true }).fill(LONG_BODY);
    expect(await press(informant, '提交')).toBe(303);
    expect(await informant.locator('.done h2').textContent()).toBe('报送成功');
    await informant.close();

    editor = await openFromMailbox(checking, await newest(address('editor'), DESK_WELCOME), '登录信息科工作台');
    expect(new URL(editor.url()).pathname).toMatch(/^\/desk\/signin\/[^/]+$/);
    expect(await signInHere(editor)).toBe(303);
    editorDesk = editor.url();
    expect(new URL(editorDesk).pathname).toBe('/desk');
    expect(await heading(editor)).toBe('待审稿件');
    expect(await editor.locator('.who p').textContent()).toBe('信息科工作台 · 王编辑（编辑）');
    expect(await editor.locator('nav.tabs a[aria-current=page]').textContent()).toBe('待审');
    const row = editor.locator('table.grid tbody tr', { hasText: TITLE });
    expect(await row.count()).toBe(1);
    const cells = (await row.locator('td').allTextContents()).map((c) => c.trim());
    expect(cells).toEqual([`${YEAR}-0001`, TITLE, '县委办公室', '陈晓明', '信息', '第 1 稿', '0 天']);
    expect(await deskChecks(editor, 'queue')).toEqual([]);
  });

  it('opens the piece with 期号 prefilled as 1, records 采用, drops it from 待审 and lists it under 第 1 期', async () => {
    await follow(editor, TITLE);
    expect(await heading(editor)).toBe(TITLE);
    expect(await editor.locator('xpath=//tr[th="回执号"]/td').textContent()).toBe(`${YEAR}-0001`);
    expect(await editor.locator('.body').textContent()).toBe(LONG_BODY);
    expect(await editor.getByLabel(/^期号/).inputValue()).toBe('1');
    expect(await editor.locator('#issue ~ .hint').first().textContent()).toBe(
      '本年度还没有编入期号的稿件：已填入第 1 期。',
    );
    const problems = await deskChecks(editor, 'piece');

    expect(await press(editor, '采用')).toBe(200);
    const done = editor.getByRole('status');
    expect(await done.textContent()).toContain('已处理：采用，编入《组工专报》第 1 期');
    // The decisions are gone; an accepted piece offers 登记采用 (its adoptions upstream) instead.
    expect(await editor.getByRole('button', { name: '采用', exact: true }).count()).toBe(0);
    expect(await editor.getByRole('button', { name: '登记采用', exact: true }).count()).toBe(1);
    problems.push(...(await deskChecks(editor, 'piece-decided', [360])));

    await follow(editor, '返回待审稿件', done);
    expect(await heading(editor)).toBe('待审稿件');
    expect(await editor.locator('main').textContent()).toContain('目前没有等待审核的稿件');
    expect(await editor.getByRole('link', { name: TITLE }).count()).toBe(0);

    await tab(editor, '《组工专报》');
    expect(await heading(editor)).toBe(`${YEAR} 年《组工专报》`);
    expect(await editor.locator('main').textContent()).toContain('本年度已编 1 期，采用稿件 1 篇。下一期为第 2 期。');
    const issue = editor.locator('xpath=//h2[starts-with(normalize-space(.), "第 1 期")]');
    expect(await issue.textContent()).toBe('第 1 期（1 篇）');
    const listed = editor.locator('xpath=//h2[starts-with(normalize-space(.), "第 1 期")]/following-sibling::div[1]');
    expect(await listed.locator('tbody tr').count()).toBe(1);
    expect(await listed.locator('tbody tr td').nth(1).textContent()).toBe(TITLE);
    problems.push(...(await deskChecks(editor, 'issues', [360])));
    expect(problems).toEqual([]);
  });

  it('lets the informant open 我的报送 from the link at the end of the 已采用 email and see 已采用 with the issue', async () => {
    const accepted = await newest(address('chen'), /^您的稿件已采用/);
    expect(accepted.subject).toContain(TITLE);
    const links = [...(accepted.body.html ?? '').matchAll(/<a\s[^>]*>([\s\S]*?)<\/a>/g)].map((m) => m[1]?.trim());
    expect(links.at(-1)).toBe('我的报送');

    const mine = await openFromMailbox(checking, accepted, '我的报送');
    expect(new URL(mine.url()).pathname).toBe('/mine');
    expect(await heading(mine)).toBe('我的报送');
    expect(await mine.locator('main').textContent()).toContain('今年您报送 1 篇，已采用 1 篇，积分 1 分。');
    expect(await mine.locator('h2').first().textContent()).toBe(TITLE);
    expect(await mine.locator('xpath=//tr[th="状态"]/td').first().textContent()).toBe(
      '已采用，编入《组工专报》第 1 期',
    );
    await mine.setViewportSize({ width: 360, height: 800 });
    const problems = [...(await layoutProblems(mine, 360)), ...(await accessibilityProblems(mine))];
    await mine.screenshot({ path: join(SCREENSHOTS, 'desk-mine-360.png'), fullPage: true });
    await mine.close();
    expect(problems).toEqual([]);
  });

  it('imports a roster workbook uploaded on 名单, lists the new informant, and the sweeper sends their welcome', async () => {
    const d = county.domain;
    const file = join(workDir, '名单.xlsx');
    await writeFile(
      file,
      await xlsxOf({
        name: '名单',
        columns: ['单位', '姓名', '邮箱', '手机', '角色'].map((header) => ({ header, width: 16 })),
        rows: [['县乡村振兴局', '刘芳', `liufang@${d}`, '13900000031', '信息员']],
      }),
    );
    await editor.goto(editorDesk);
    await tab(editor, '名单');
    expect(await heading(editor)).toBe('名单');
    const problems = await deskChecks(editor, 'roster', [360]);

    await editor.locator('input#file').setInputFiles(file);
    expect(await press(editor, '上传并导入')).toBe(200);
    expect(await editor.getByRole('status').textContent()).toContain('导入完成');
    expect(await editor.getByRole('status').textContent()).toContain('新增 1 人');
    const row = editor.locator('table.grid tbody tr', { hasText: `liufang@${d}` });
    expect(await row.count()).toBe(1);
    expect((await row.locator('td').allTextContents()).slice(0, 6).map((c) => c.trim())).toEqual([
      '县乡村振兴局',
      '刘芳',
      '信息员',
      `liufang@${d}`,
      '13900000031',
      '在用',
    ]);
    problems.push(...(await deskChecks(editor, 'roster-imported', [360])));

    // The upload sends nothing itself: the welcome waits in the outbox for the sweeper.
    expect((await county.mails(address('liufang'))).map((m) => m.subject)).toEqual([]);
    await sweepAll(config().countyId);
    const welcome = await newest(address('liufang'), INFORMANT_WELCOME);
    expect(welcome.body.text).toContain('刘芳同志');
    expect(linkIn(welcome)).toContain('/submit?k=');
    expect(problems).toEqual([]);
  });

  it('shows 数据 and downloads it as a workbook with Chinese headers and the unit’s 1 sent and 1 accepted', async () => {
    await editor.goto(editorDesk);
    await tab(editor, '数据');
    const month = monthOf(now());
    expect(await heading(editor)).toBe(`${month.replace('-', ' 年 ')} 月数据`);
    const row = editor.locator('table.grid tbody tr', { hasText: '县委办公室' });
    // 单位, then this month's 报送 信息 调研 采用 信息 调研, then the year's.
    expect((await row.locator('td').allTextContents()).slice(0, 7)).toEqual([
      '县委办公室',
      '1',
      '1',
      '0',
      '1',
      '1',
      '0',
    ]);
    const problems = await deskChecks(editor, 'figures');

    const [download] = await Promise.all([
      editor.waitForEvent('download'),
      editor.getByRole('link', { name: 'Excel 表格（.xlsx）', exact: true }).click(),
    ]);
    expect(download.suggestedFilename()).toBe(`组工信息数据-${month}.xlsx`);
    const path = await download.path();
    const table = await readTable(await readFile(path));
    if (!table.ok) throw new Error(`the download is no table: ${table.message}`);
    expect(table.format).toBe('xlsx');
    const [head, ...rows] = table.rows.map((r) => r.fields);
    expect(head?.slice(0, 5)).toEqual(['单位', '本月报送', '本月报送：信息', '本月报送：调研文稿', '本月采用']);
    expect(head).toContain('本年采用');
    expect(head).toContain('本月未报送');
    expect(head?.slice(-4)).toEqual(['本月上级采用', '本月积分', '本年上级采用', '本年积分']);
    const column = (name: string) => head!.indexOf(name);
    const office = rows.find((r) => r[0] === '县委办公室');
    expect(office).toBeDefined();
    expect([office![column('本月报送')], office![column('本月采用')]]).toEqual(['1', '1']);
    expect([office![column('本年报送')], office![column('本年采用')]]).toEqual(['1', '1']);
    expect(rows.at(-1)?.[0]).toBe('合计');
    expect(problems).toEqual([]);
  });

  it('shows the leader 数据 and every other desk page with no button or form that posts', async () => {
    leader = await checking.newPage();
    await leader.setViewportSize({ width: 360, height: 800 });
    expect(await signInHere(leader, linkIn(await newest(address('leader'), DESK_WELCOME), '/desk/signin/'))).toBe(303);
    expect(await leader.locator('.who p').textContent()).toBe('信息科工作台 · 赵部长（领导，只能查看）');
    await tab(leader, '数据');
    expect(await heading(leader)).toMatch(/^\d{4} 年 \d{2} 月数据$/);
    expect(await leader.getByRole('link', { name: 'Excel 表格（.xlsx）', exact: true }).count()).toBe(1);
    const problems = await deskChecks(leader, 'leader-figures', [360]);

    /** Forms that post, and buttons outside a GET form (the month filter's 查看 only reads). */
    const acting = async (where: string) => {
      // The one form that posts on a leader's page is 退出.
      const posts = await leader.locator('form[method="post" i]:not([action="/desk/signout"])').count();
      const buttons = await leader
        .locator('button:not(form[method="get" i] button):not(form[action="/desk/signout"] button)')
        .allTextContents();
      return { where, posts, buttons };
    };
    const seen = [await acting('数据')];
    for (const name of ['待审', '稿件', '《组工专报》', '名单']) {
      await tab(leader, name);
      seen.push(await acting(name));
    }
    // The piece itself, from 《组工专报》: its story, no decision form.
    await tab(leader, '《组工专报》');
    await follow(leader, TITLE);
    expect(await heading(leader)).toBe(TITLE);
    seen.push(await acting('稿件页'));
    expect(seen).toEqual(
      ['数据', '待审', '稿件', '《组工专报》', '名单', '稿件页'].map((where) => ({ where, posts: 0, buttons: [] })),
    );
    await leader.close();
    expect(problems).toEqual([]);
  });
});
