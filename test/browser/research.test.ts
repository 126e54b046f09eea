// 重点调研 as a new user meets it on the local stack, in a real browser (Debian's Chromium), on a fixed clock: an
// editor assigns a task to three units on the desk; one unit's informant opens the assignment email's link and sends
// a research paper naming the task from the form; the editor accepts it; the desk's matrix shows 已采用 and 未提交;
// the daily job runs on the day after the due day and the matrix shows 逾期; the .xlsx downloaded from the desk reads
// back the same; the quarterly status email reads at 600 px with the same statuses. Desk pages at 360 px and 1280 px
// without sideways scrolling and with no serious axe finding. Screenshots go to test/browser/screenshots/.
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { handler as quarterlyJob } from '../../functions/quarterly';
import { handler as remindersJob } from '../../functions/reminders';
import { handler as sweep } from '../../functions/sweeper';
import { setClock } from '../../shared/core/clock';
import { config } from '../../shared/core/config';
import { importRoster } from '../../shared/roster/importRoster';
import { deskUrl } from '../../shared/roster/personalLinks';
import { readTable } from '../../shared/sheets/read';
import { personIdOf } from '../../shared/store/keys';
import { jsonPost } from '../integration/desk/deskSupport';
import { accessibilityProblems, launchChromium, press, signInHere } from '../support/browser';
import { type DeskSession, signInWith } from '../support/deskSession';
import { LONG_BODY, linkIn, startTestCounty, type TestCounty } from '../support/harness';

const SCREENSHOTS = join(__dirname, 'screenshots');
const TITLE = '关于村级组织运转经费保障的调研';

let county: TestCounty;
let browser: Browser;
/** Our pages with their CSP, as people get them; the second lets axe in (it changes nothing else). */
let strict: BrowserContext;
let checking: BrowserContext;
let desk = '';
const address = (name: string) => `${name}@${county.domain}`;

beforeAll(async () => {
  setClock(new Date('2026-11-10T02:00:00Z'));
  county = await startTestCounty();
  const d = county.domain;
  const imported = await importRoster(
    [
      '单位,姓名,邮箱,手机,角色',
      `城关镇党委,张伟,zhang@${d},,信息员`,
      `红旗乡党委,刘芳,liu@${d},,信息员`,
      `县教育局,陈静,chen@${d},,信息员`,
      `县卫健委,何平,he@${d},,信息员`,
      `县委组织部信息科,王编辑,wang@${d},,编辑`,
      `县委组织部,赵部长,zhao@${d},,领导`,
    ].join('\n'),
  );
  expect(imported.ok).toBe(true);
  await sweep();
  desk = `${county.baseUrl}/desk`;
  await mkdir(SCREENSHOTS, { recursive: true });
  browser = await launchChromium();
  strict = await browser.newContext({ locale: 'zh-CN' });
  checking = await browser.newContext({ locale: 'zh-CN', bypassCSP: true });
}, 60_000);
afterAll(async () => {
  setClock(undefined);
  await browser?.close();
  await county?.close();
});

/**
 * 王编辑 signed in at the clock's time, in both browser contexts and for plain requests: a session lasts hours and a
 * sign-in link a week, and this walk's clock moves by days. The link is made as his emails make it.
 */
async function signInNow(): Promise<DeskSession> {
  const link = await deskUrl(personIdOf(config().countyId, address('wang')), 1);
  for (const context of [strict, checking]) {
    const page = await context.newPage();
    expect(await signInHere(page, link)).toBe(303);
    await page.close();
  }
  return signInWith(county.baseUrl, link);
}

const wider = async (page: Page) =>
  (await page.evaluate('document.documentElement.scrollWidth > window.innerWidth')) as boolean;

/** The desk's 调研 page at both widths: no sideways scrolling, no serious axe finding, a screenshot each. */
async function checkTasksPage(name: string): Promise<string[]> {
  const problems: string[] = [];
  for (const width of [360, 1280]) {
    const page = await checking.newPage();
    await page.setViewportSize({ width, height: 900 });
    await page.goto(`${desk}/tasks?quarter=2026Q4`);
    if (await wider(page)) problems.push(`${name} at ${width} px scrolls sideways`);
    problems.push(...(await accessibilityProblems(page)).map((p) => `${name} at ${width} px: ${p}`));
    await page.screenshot({ path: join(SCREENSHOTS, `desk-tasks-${name}-${width}.png`), fullPage: true });
    await page.close();
  }
  return problems;
}

const cellOf = (page: Page, unit: string) =>
  page
    .locator('tr', { has: page.locator(`th:text-is("${unit}")`) })
    .locator('td')
    .first();

describe('a research task for a new user', () => {
  it('is assigned on the desk to three units, answered from the form, accepted, and shows 已采用 and 未提交', async () => {
    await signInNow();
    const page = await strict.newPage();
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto(`${desk}/tasks`);
    await page.getByLabel('季度（如 2026Q4）').fill('2026Q4');
    await page.getByLabel('任务名称（不超过', { exact: false }).fill(TITLE);
    await page.getByLabel('截止日期（季度内', { exact: false }).fill('2026-11-30');
    await page.getByLabel('牵头人（可选', { exact: false }).fill('李副部长');
    for (const unit of ['城关镇党委', '红旗乡党委', '县教育局']) await page.getByLabel(unit, { exact: true }).check();
    expect(await press(page, '部署任务')).toBe(201);
    expect(await page.locator('.done').textContent()).toContain('已部署2026年第四季度重点调研任务');

    // 张伟 follows the assignment email to the form, sends a research paper naming the task.
    const [assignment] = await county.waitForMails(address('zhang'), 1, /^重点调研任务：/);
    await page.goto(linkIn(assignment));
    await page.getByLabel('调研文稿', { exact: true }).check();
    await page.getByLabel('重点调研任务（调研文稿可选）').selectOption({ label: `${TITLE}（2026-11-30 截止）` });
    await page.getByLabel('标题', { exact: true }).fill('城关镇村级组织运转经费调研报告');
    await page.getByLabel('正文', { exact: true }).fill(LONG_BODY);
    expect(await press(page, '提交')).toBe(303);
    const receipt = (await page.locator('.done table td').first().textContent())!.trim();
    expect(receipt).toMatch(/^\d{4}-\d{4}$/);
    expect((await county.mails(address('he'))).filter((m) => m.subject.startsWith('重点调研任务'))).toHaveLength(0);

    setClock(new Date('2026-11-12T02:00:00Z'));
    const session = await signInNow();
    const accepted = await session.fetch(
      `${desk}/pieces/${receipt}`,
      jsonPost({ decision: 'accept', issue: '5', revision: 1 }),
    );
    expect(accepted.status).toBe(200);
    await page.goto(`${desk}/tasks?quarter=2026Q4`);
    expect(await cellOf(page, '城关镇党委').textContent()).toContain('已采用 2026-11-12');
    expect(await cellOf(page, '红旗乡党委').textContent()).toContain('未提交');
    expect(await cellOf(page, '县教育局').textContent()).toContain('未提交');
    await page.close();
    expect(await checkTasksPage('before-due')).toEqual([]);
  });

  it('after the job on the day after the due day shows 逾期, in the page and in the .xlsx downloaded from it', async () => {
    setClock(new Date('2026-12-01T01:00:00Z'));
    expect((await remindersJob()).tasks).toEqual({ reminded: 0, overdue: 2 });
    expect(await county.waitForMails(address('liu'), 1, /^【逾期】重点调研任务/)).toHaveLength(1);
    await signInNow();
    const page = await strict.newPage();
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto(`${desk}/tasks?quarter=2026Q4`);
    expect(await cellOf(page, '城关镇党委').textContent()).toContain('已采用');
    expect(await cellOf(page, '红旗乡党委').textContent()).toContain('逾期 2026-12-01');
    expect(await cellOf(page, '县教育局').textContent()).toContain('逾期 2026-12-01');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: '下载 Excel' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('2026年第四季度重点调研任务情况.xlsx');
    const table = await readTable(await readFile(await download.path()));
    if (!table.ok) throw new Error(table.message);
    expect(table.rows.slice(1).map((r) => [r.fields[4], r.fields[5]])).toEqual([
      ['城关镇党委', '已采用'],
      ['红旗乡党委', '逾期'],
      ['县教育局', '逾期'],
    ]);
    await page.close();
    expect(await checkTasksPage('after-due')).toEqual([]);
  });

  it('reads the quarterly status email at 600 px with the same statuses', async () => {
    setClock(new Date('2027-01-01T01:00:00Z'));
    expect(await quarterlyJob({ scheduledTime: '2027-01-01T01:00:00Z' })).toMatchObject({ sent: 2, recipients: 2 });
    const [mail] = await county.waitForMails(address('zhao'), 1, /^2026年第四季度重点调研完成情况$/);
    const page = await checking.newPage();
    await page.setViewportSize({ width: 600, height: 900 });
    await page.setContent(mail!.body.html ?? '', { waitUntil: 'load' });
    expect(await wider(page)).toBe(false);
    const text = (await page.locator('body').textContent()) ?? '';
    expect(text).toContain(TITLE);
    expect(text).toContain('已采用 1 个、逾期 2 个');
    await page.screenshot({ path: join(SCREENSHOTS, 'email-quarterly-600.png'), fullPage: true });
    expect(await accessibilityProblems(page)).toEqual([]);
    await page.close();
  });
});
