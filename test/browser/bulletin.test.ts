// The 点题 and the 月通报 as a new user meets them on the local stack, in a real browser (Debian's Chromium), on the
// real clock: an editor issues a topic on the desk; informants submit (one answering the topic from the form's 点题
// choice) and the editor decides; the CLI's dry run of this month's 通报 prints it and sends nothing, a real run
// mails everyone once, a second run sends nothing. Then the 通报 as people read it: the HTML email at 600 px (its bars
// drawn, no sideways scrolling, no serious accessibility problem), the web view from its link at 600 px with its
// charts drawn under the page's strict CSP and an A4 print, the desk's .docx downloaded and read back, and last
// month sent from the desk's button. Screenshots go to test/browser/screenshots/ (not committed).
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { handler as sweep } from '../../functions/sweeper';
import { previousMonth } from '../../shared/bulletin/months';
import { monthOf, now } from '../../shared/core/clock';
import { importRoster } from '../../shared/roster/importRoster';
import { jsonPost } from '../integration/desk/deskSupport';
import { accessibilityProblems, launchChromium, press, signInHere } from '../support/browser';
import { admin } from '../support/cli';
import { DESK_WELCOME, type DeskSession, signInWith } from '../support/deskSession';
import { LONG_BODY, linkIn, type StoredEmail, startTestCounty, type TestCounty } from '../support/harness';

const SCREENSHOTS = join(__dirname, 'screenshots');

let county: TestCounty;
let browser: Browser;
/** Our pages with their CSP, as people get them. */
let strict: BrowserContext;
/** The same, with axe let in (it changes nothing else). */
let checking: BrowserContext;
let desk = '';
/** 王编辑's desk session for plain requests. */
let session: DeskSession;
const address = (name: string) => `${name}@${county.domain}`;
const month = monthOf(now());
const [year, mo] = [month.slice(0, 4), Number(month.slice(5))];
const title = `${year}年${mo}月组工信息工作通报`;
const RECIPIENTS = 5;

const bulletins = async (subject = title) => (await county.mails()).filter((m) => m.subject === subject);

beforeAll(async () => {
  county = await startTestCounty();
  const d = county.domain;
  const imported = await importRoster(
    [
      '单位,姓名,邮箱,手机,角色',
      `城关镇党委,张伟,zhang@${d},,信息员`,
      `县教育局,刘芳,liu@${d},,信息员`,
      `县卫健委,何平,he@${d},,信息员`,
      `县委组织部信息科,王编辑,wang@${d},,编辑`,
      `县委组织部,赵部长,zhao@${d},,领导`,
    ].join('\n'),
  );
  expect(imported.ok).toBe(true);
  await sweep();
  const [welcome] = await county.waitForMails(address('wang'), 1, DESK_WELCOME);
  const signin = linkIn(welcome, '/desk/signin/');
  desk = `${county.baseUrl}/desk`;
  await mkdir(SCREENSHOTS, { recursive: true });
  browser = await launchChromium();
  strict = await browser.newContext({ locale: 'zh-CN' });
  checking = await browser.newContext({ locale: 'zh-CN', bypassCSP: true });
  // 王编辑 signs in from his welcome email in both browser contexts, and once more for plain requests.
  for (const context of [strict, checking]) {
    const page = await context.newPage();
    expect(await signInHere(page, signin)).toBe(303);
    await page.close();
  }
  session = await signInWith(county.baseUrl, signin);
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await county?.close();
});

/** A page of the strict context that records every CSP complaint and script error. */
async function strictPage(width: number): Promise<{ page: Page; errors: string[] }> {
  const page = await strict.newPage();
  await page.setViewportSize({ width, height: 900 });
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  return { page, errors };
}

const wider = async (page: Page) =>
  (await page.evaluate('document.documentElement.scrollWidth > window.innerWidth')) as boolean;

describe('a topic, a few pieces, and this month’s 通报 for a new user', () => {
  let mail: StoredEmail;

  it('issues a topic on the desk, answers it from the form, and decides the pieces', async () => {
    const { page } = await strictPage(1024);
    await page.goto(`${desk}/topics`);
    await page.getByLabel('标题（不超过', { exact: false }).fill('基层治理“网格化”的新做法');
    const due = new Date(now().getTime() + 20 * 86_400_000 + 8 * 3600_000).toISOString().slice(0, 10);
    await page.getByLabel('截止日期').fill(due);
    expect(await press(page, '发布点题')).toBe(201);
    expect(await page.locator('.done').textContent()).toContain('已发布点题');

    // 张伟 answers the topic from the form; 刘芳 sends a research paper; 何平 sends nothing.
    const [zhang] = await county.waitForMails(address('zhang'), 1, /^欢迎使用/);
    await page.goto(linkIn(zhang));
    await page.getByLabel('点题（可选）').selectOption({ label: `基层治理“网格化”的新做法（${due} 截止）` });
    await page.getByLabel('标题', { exact: true }).fill('城关镇网格员走进千家万户');
    await page.getByLabel('正文', { exact: true }).fill(LONG_BODY);
    expect(await press(page, '提交')).toBe(303);
    expect(await page.locator('.done h2').textContent()).toBe('报送成功');
    const [liu] = await county.waitForMails(address('liu'), 1, /^欢迎使用/);
    const k = new URL(linkIn(liu)).searchParams.get('k')!;
    for (const [kind, t] of [
      ['research', '关于县域教师队伍建设的调研'],
      ['info', '县教育局开展“书记讲党课”'],
    ]) {
      const res = await fetch(`${county.baseUrl}/submissions`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ k, kind: kind!, title: t!, body: LONG_BODY }).toString(),
      });
      expect(res.status).toBe(303);
    }
    const pieces = (await (
      await session.fetch(`${desk}/pieces?month=${month}`, { headers: { accept: 'application/json' } })
    ).json()) as {
      rows: { receipt: string; title: string }[];
    };
    expect(pieces.rows).toHaveLength(3);
    const byTitle = new Map(pieces.rows.map((p) => [p.title, p.receipt]));
    const decide = (t: string, decision: Record<string, unknown>) =>
      session.fetch(`${desk}/pieces/${byTitle.get(t)}`, jsonPost({ ...decision, revision: 1 }));
    expect((await decide('城关镇网格员走进千家万户', { decision: 'accept', issue: '1' })).status).toBe(200);
    expect((await decide('关于县域教师队伍建设的调研', { decision: 'accept', issue: '1' })).status).toBe(200);
    // The topic's page names the unit that answered.
    await page.goto(`${desk}/topics`);
    await page.getByRole('link', { name: '基层治理“网格化”的新做法' }).click();
    await page.waitForLoadState('load');
    expect(await page.locator('main').textContent()).toContain('回应情况：1 个单位，1 篇稿件');
    await page.close();
  });

  it('dry-runs this month’s 通报 (nothing sent), sends it for real once, and a second run sends nothing', async () => {
    await sweep();
    const dry = await admin('--aws', 'bulletin', '--month', month, '--dry-run');
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain(`${mo}月全县报送信息和调研文稿 3 篇，编入《组工专报》2 篇（第 1 期）`);
    expect(dry.stdout).toContain('本月未报送单位（1 个）：县卫健委');
    expect(await bulletins()).toHaveLength(0);

    const run = await admin('--aws', 'bulletin', '--month', month);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`本次发出 ${RECIPIENTS} 封`);
    const sent = await bulletins();
    expect(sent.map((m) => m.destination.to[0]).sort()).toEqual(
      ['he', 'liu', 'wang', 'zhang', 'zhao'].map(address).sort(),
    );
    mail = sent.find((m) => m.destination.to[0] === address('zhang'))!;
    expect(mail.body.text).toContain(`${mo}月全县报送信息和调研文稿 3 篇`);
    expect(mail.body.text).toContain('本月调研文稿 1 篇，月度目标 4 篇，差 3 篇');
    expect(mail.body.text).toContain('县卫健委');

    const again = await admin('--aws', 'bulletin', '--month', month);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('本次发出 0 封');
    expect(await bulletins()).toHaveLength(RECIPIENTS);
  });

  it('reads as an HTML email at 600 px with its bars drawn, no sideways scrolling and no serious axe finding', async () => {
    const page = await checking.newPage();
    await page.setViewportSize({ width: 600, height: 900 });
    await page.setContent(mail.body.html ?? '', { waitUntil: 'load' });
    if (await wider(page)) {
      await page.screenshot({ path: join(SCREENSHOTS, 'bulletin-email-600-wide.png'), fullPage: true });
      const wide = await page.evaluate(
        '[...document.querySelectorAll("body *")].filter((e) => e.getBoundingClientRect().right > window.innerWidth).slice(0, 5).map((e) => e.tagName + " " + Math.round(e.getBoundingClientRect().right) + " " + (e.textContent || "").slice(0, 40))',
      );
      throw new Error(`the email is wider than 600 px: ${JSON.stringify(wide)}`);
    }
    const bars = (await page
      .locator('td[bgcolor="#c62828"]')
      .evaluateAll((tds) => tds.map((td) => td.getBoundingClientRect().width))) as number[];
    expect(bars.length).toBeGreaterThanOrEqual(2);
    expect(Math.min(...bars)).toBeGreaterThan(0);
    expect(await page.locator('h2').allTextContents()).toContain('三、本月未报送单位（1 个）');
    await page.screenshot({ path: join(SCREENSHOTS, 'bulletin-email-600.png'), fullPage: true });
    expect(await accessibilityProblems(page)).toEqual([]);
    await page.close();
  });

  it('opens the web view from the email at 600 px: charts drawn under the strict CSP, and an A4 print', async () => {
    const { page, errors } = await strictPage(600);
    const res = await page.goto(linkIn(mail, '/bulletin/'));
    expect(res?.status()).toBe(200);
    // No script may run: default-src 'none' and no script-src to open it.
    const csp = res?.headers()['content-security-policy'] ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toContain('script-src');
    expect(await page.locator('h1').textContent()).toBe(title);
    const charts = (await page.locator('svg').evaluateAll((svgs) =>
      svgs.map((s) => ({
        ...s.getBoundingClientRect().toJSON(),
        marks: s.querySelectorAll('rect, polyline, path, line').length,
      })),
    )) as { width: number; height: number; marks: number }[];
    expect(charts.length).toBeGreaterThanOrEqual(2);
    for (const c of charts) {
      expect(c.width).toBeGreaterThan(200);
      expect(c.height).toBeGreaterThan(50);
      expect(c.marks).toBeGreaterThan(2);
    }
    expect(await wider(page)).toBe(false);
    await page.screenshot({ path: join(SCREENSHOTS, 'bulletin-view-600.png'), fullPage: true });
    await page.emulateMedia({ media: 'print' });
    const pdf = await page.pdf({ preferCSSPageSize: true });
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    // An A4 page is 595 × 842 points.
    // The page's @page size: A4, 595 × 842 points.
    const boxes = pdf.toString('latin1').match(/\/MediaBox \[[^\]]*\]/g) ?? [];
    expect(boxes.length).toBeGreaterThan(0);
    for (const box of boxes) {
      const [, , w, h] = box.slice(11, -1).split(' ').map(Number);
      expect([Math.round(w!), Math.round(h!)]).toEqual([595, 842]);
    }
    expect(errors).toEqual([]);
    await page.close();

    const checked = await checking.newPage();
    await checked.setViewportSize({ width: 600, height: 900 });
    await checked.goto(linkIn(mail, '/bulletin/'));
    expect(await accessibilityProblems(checked)).toEqual([]);
    await checked.close();
  });

  it('downloads the .docx from the desk, and sends last month from the desk’s button once', async () => {
    const { page } = await strictPage(1024);
    await page.goto(`${desk}/bulletin`);
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: '下载 Word 文档（.docx，公文格式）' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe(`${title}.docx`);
    const { unzipSync, strFromU8 } = await import('fflate');
    const xml = strFromU8(unzipSync(new Uint8Array(await readFile(await download.path())))['word/document.xml']!);
    expect(xml).toContain(title);
    expect(xml).toContain('县卫健委');

    const last = previousMonth(now());
    const lastTitle = `${last.slice(0, 4)}年${Number(last.slice(5))}月组工信息工作通报`;
    await page.goto(`${desk}/bulletin?month=${last}`);
    expect(await press(page, `发送${lastTitle}`)).toBe(202);
    expect(await page.locator('.done').first().textContent()).toContain(`已开始发送：收件人 ${RECIPIENTS} 位`);
    await sweep();
    expect(await bulletins(lastTitle)).toHaveLength(RECIPIENTS);
    await page.goto(`${desk}/bulletin?month=${last}`);
    expect(await page.locator('main').textContent()).toContain(`已发出 ${RECIPIENTS} 封`);
    expect(await page.getByRole('button', { name: `发送${lastTitle}` }).count()).toBe(0);
    await page.screenshot({ path: join(SCREENSHOTS, 'desk-bulletin.png'), fullPage: true });
    await page.close();
  });
});
