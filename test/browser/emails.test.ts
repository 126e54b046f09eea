// Every email as people read it, and the pages around a decision, in a real browser (Debian's Chromium): each
// template's HTML at 360 px (a phone) and 600 px with no sideways scrolling, buttons big enough to tap, links that
// open in a new tab, and axe-core finding no serious or critical accessibility problem; then an editor rejecting
// by accident (the confirmation stops it), going on to the next waiting piece, and a link cut short. Screenshots go to
// test/browser/screenshots/ (not committed).
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, BrowserContext } from 'playwright-core';
import { handler as remind } from '../../functions/reminders';
import { handler as sweep } from '../../functions/sweeper';
import { setClock } from '../../shared/core/clock';
import { importRoster } from '../../shared/roster/importRoster';
import { revokePerson } from '../../shared/roster/revokePerson';
import { accessibilityProblems, launchChromium, openFromMailbox } from '../support/browser';
import { LONG_BODY, linkIn, type StoredEmail, startTestCounty, type TestCounty } from '../support/harness';

const SCREENSHOTS = join(__dirname, 'screenshots');
const WIDTHS = [360, 600] as const;

let county: TestCounty;
let browser: Browser;
/** Pages of our own site keep their CSP; this context lets axe's script into them (it changes nothing else). */
let checking: BrowserContext;
const address = (name: string) => `${name}@${county.domain}`;

async function post(path: string, fields: Record<string, string>): Promise<Response> {
  return fetch(`${county.baseUrl}${path}`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  });
}

async function newest(to: string, subject: RegExp, atLeast = 1): Promise<StoredEmail> {
  const found = await county.waitForMails(to, atLeast, subject);
  return found.at(-1)!;
}

beforeAll(async () => {
  county = await startTestCounty();
  const d = county.domain;
  const imported = await importRoster(
    [
      '单位,姓名,邮箱,手机,角色',
      `县人社局,陈晓明,chen@${d},,信息员`,
      `城关镇党委,张伟,zhang@${d},,信息员`,
      `县委组织部信息科,王编辑,wang@${d},,编辑`,
      `县委组织部信息科,李编辑,li@${d},,编辑`,
    ].join('\n'),
  );
  expect(imported.ok).toBe(true);
  await mkdir(SCREENSHOTS, { recursive: true });
  browser = await launchChromium();
  checking = await browser.newContext({ locale: 'zh-CN', bypassCSP: true });
});
afterAll(async () => {
  setClock(undefined);
  await browser?.close();
  await county?.close();
});

/** A page at a phone's width, and `check(name)`: axe on what it shows now (findings collected), and a screenshot. */
async function phonePage() {
  const page = await checking.newPage();
  await page.setViewportSize({ width: 390, height: 844 });
  const problems: string[] = [];
  const check = async (name: string) => {
    problems.push(...(await accessibilityProblems(page)).map((p) => `${name}: ${p}`));
    await page.screenshot({ path: join(SCREENSHOTS, `page-${name}.png`), fullPage: true });
  };
  return { page, problems, check };
}

/** Every kind of email the system sends, produced by the real flows, one of each. */
async function everyEmail(): Promise<Map<string, StoredEmail>> {
  const mails = new Map<string, StoredEmail>();
  mails.set('welcome', await newest(address('chen'), /^欢迎使用/));
  const k = new URL(linkIn(mails.get('welcome'))).searchParams.get('k')!;
  expect((await post('/link', { email: address('zhang') })).status).toBe(200);
  await sweep();
  mails.set('link', await newest(address('zhang'), /^您的个人报送链接$/));

  const title = '县人社局“稳岗扩就业”十项举措落地见效，全年新增城镇就业岗位两千余个';
  const submitted = await post('/submissions', { k, kind: 'info', title, body: `${LONG_BODY}\n\n第二段。` });
  expect(submitted.status).toBe(303);
  mails.set('ack', await newest(address('chen'), /^已收到您的稿件/));
  mails.set('review', await newest(address('wang'), /^【待审核】/));
  const review = linkIn(mails.get('review'), '/review/');
  expect((await post(new URL(review).pathname, { decision: 'return', comment: '请补充具体数据。' })).status).toBe(200);
  mails.set('returned', await newest(address('chen'), /^您的稿件需要修改/));
  mails.set('handled', await newest(address('li'), /^已由 王编辑 处理/));
  const revise = new URL(linkIn(mails.get('returned'), '/revise/')).pathname;
  const revised = await post(revise, { kind: 'info', title, body: `${LONG_BODY}全年新增岗位两千一百个。\n\n第二段。` });
  expect(revised.status).toBe(303);
  mails.set('revision', await newest(address('wang'), /（第 2 稿）$/));
  mails.set('revisionAck', await newest(address('chen'), /^已收到您的修改稿/));
  const second = new URL(linkIn(mails.get('revision'), '/review/')).pathname;
  expect((await post(second, { decision: 'accept', issue: '12', comment: '修改到位。' })).status).toBe(200);
  mails.set('accepted', await newest(address('chen'), /^您的稿件已采用/));

  const other = await post('/submissions', { k, kind: 'research', title: '关于基层党建的调研', body: LONG_BODY });
  expect(other.status).toBe(303);
  const otherReview = new URL(linkIn(await newest(address('wang'), /关于基层党建的调研/), '/review/')).pathname;
  expect((await post(otherReview, { decision: 'reject', comment: '与主题无关。', confirm: '1' })).status).toBe(200);
  mails.set('rejected', await newest(address('chen'), /^您的稿件未予采用/));

  const waiting = await post('/submissions', { k, kind: 'info', title: '等待催办的稿件', body: LONG_BODY });
  expect(waiting.status).toBe(303);
  setClock(new Date(Date.now() + 4 * 86_400_000));
  await remind();
  setClock(undefined);
  mails.set('reminder', await newest(address('wang'), /^【催办】/));
  await revokePerson(address('zhang'));
  mails.set('newLink', await newest(address('zhang'), /已更新/));
  return mails;
}

describe('every email', () => {
  it('reads on a 360 px phone and at 600 px without sideways scrolling, with tappable buttons and no serious accessibility problem', async () => {
    const mails = await everyEmail();
    expect([...mails.keys()].sort()).toEqual(
      [
        'accepted',
        'ack',
        'handled',
        'link',
        'newLink',
        'rejected',
        'reminder',
        'returned',
        'review',
        'revision',
        'revisionAck',
        'welcome',
      ].sort(),
    );
    const problems: string[] = [];
    for (const [name, mail] of mails) {
      const html = mail.body.html ?? '';
      expect([name, html.includes('<meta name="viewport"')]).toEqual([name, true]);
      // Every link opens in a new tab, so a click in the local mailbox's preview opens it.
      const links = html.match(/<a\s[^>]*>/g) ?? [];
      expect([name, links.filter((a) => !a.includes('target="_blank"'))]).toEqual([name, []]);
      expect([name, mail.body.text ?? '']).toEqual([name, expect.stringContaining('如有疑问，请联系')]);
      for (const width of WIDTHS) {
        const page = await checking.newPage();
        await page.setViewportSize({ width, height: 800 });
        await page.setContent(html, { waitUntil: 'load' });
        const { scroll, viewport } = (await page.evaluate(
          '({ scroll: document.documentElement.scrollWidth, viewport: window.innerWidth })',
        )) as { scroll: number; viewport: number };
        if (scroll > viewport) problems.push(`${name} at ${width} px is ${scroll} px wide`);
        for (const box of await page
          .locator('a[style*="background"]')
          .evaluateAll((as) => as.map((a) => a.getBoundingClientRect().height))) {
          if (box < 44) problems.push(`${name} at ${width} px: a button ${box} px high`);
        }
        await page.screenshot({ path: join(SCREENSHOTS, `email-${name}-${width}.png`), fullPage: true });
        if (width === 360) problems.push(...(await accessibilityProblems(page)).map((p) => `${name}: ${p}`));
        await page.close();
      }
    }
    expect(problems).toEqual([]);
  });
});

describe('the local mailbox', () => {
  it('opens a link clicked inside an email in a new tab, so a new user can follow the story without copying URLs', async () => {
    const welcome = await newest(address('chen'), /^欢迎使用/);

    const opened = await openFromMailbox(checking, welcome, '打开报送页面');

    expect(await opened.locator('h1').textContent()).toBe('报送稿件');
    await opened.close();
  });
});

describe('an informant in the browser', () => {
  it('sees 报送成功 after 提交, can press Back to a working form, and every page of theirs passes axe', async () => {
    const submit = linkIn(await newest(address('chen'), /^欢迎使用/));
    const { page, problems, check } = await phonePage();
    await page.goto(`${county.baseUrl}/`);
    await check('home');
    await page.goto(submit);
    await check('form');
    await page.getByLabel('标题', { exact: true }).fill('返回键测试稿件');
    await page.getByLabel('正文', { exact: true }).fill('太短。');
    await Promise.all([page.waitForEvent('load'), page.getByRole('button', { name: '提交', exact: true }).click()]);
    await check('form-error');
    await page.getByLabel('正文', { exact: true }).fill(LONG_BODY);
    await Promise.all([page.waitForEvent('load'), page.getByRole('button', { name: '提交', exact: true }).click()]);
    expect(await page.locator('.done h2').textContent()).toBe('报送成功');
    await check('sent');
    await Promise.all([page.waitForEvent('load'), page.getByRole('link', { name: '查看回执和审核进度' }).click()]);
    expect(await page.locator('h1').textContent()).toBe('稿件回执');
    await check('receipt');
    // Back from the receipt: the 报送成功 form again, a page, not a browser error.
    await page.goBack();
    expect(await page.locator('.done h2').textContent()).toBe('报送成功');
    await page.close();
    expect(problems).toEqual([]);
  });
});

describe('an editor in the browser', () => {
  it('is stopped by a confirmation before 不予采用, goes on to the next waiting piece, and pages pass axe', async () => {
    const k = new URL(linkIn(await newest(address('chen'), /^欢迎使用/))).searchParams.get('k')!;
    for (const title of ['本次审核的稿件', '下一篇待审稿件']) {
      expect((await post('/submissions', { k, kind: 'info', title, body: LONG_BODY })).status).toBe(303);
    }
    const link = linkIn(await newest(address('li'), /本次审核的稿件/), '/review/');
    const { page, problems, check } = await phonePage();

    await page.goto(link);
    await check('review');
    await page.getByLabel(/意见/).fill('与本县工作关联不大。');
    await Promise.all([page.waitForEvent('load'), page.getByRole('button', { name: '不予采用…' }).click()]);
    expect(await page.locator('h1').textContent()).toBe('确认不予采用');
    await check('confirm');
    // Changed their mind: back to the form, the reason kept, nothing decided.
    await Promise.all([page.waitForEvent('load'), page.getByRole('button', { name: '返回修改', exact: true }).click()]);
    expect(await page.locator('h1').textContent()).toBe('审核稿件');
    expect(await page.getByLabel(/意见/).inputValue()).toBe('与本县工作关联不大。');
    await Promise.all([page.waitForEvent('load'), page.getByRole('button', { name: '采用', exact: true }).click()]);
    expect(await page.locator('h1').textContent()).toBe('处理完成');
    await check('done');
    await Promise.all([page.waitForEvent('load'), page.getByRole('link', { name: '审核下一篇' }).click()]);
    expect(await page.locator('h1').textContent()).toBe('审核稿件');
    expect(await page.locator('.who').textContent()).toContain('李编辑');

    // The other editor's link to the piece li decided: 已处理, with the piece.
    await page.goto(linkIn(await newest(address('wang'), /^【待审核】.*本次审核的稿件/), '/review/'));
    expect(await page.locator('h1').textContent()).toBe('已处理');
    await check('decided');
    // A piece returned, its revise form, and the old review link once the new draft is in: 已有新版本.
    const next = linkIn(await newest(address('li'), /^【待审核】.*下一篇待审稿件/), '/review/');
    await page.goto(next);
    await page.getByLabel(/意见/).fill('请补充数据。');
    await Promise.all([page.waitForEvent('load'), page.getByRole('button', { name: '退回修改', exact: true }).click()]);
    await page.goto(linkIn(await newest(address('chen'), /需要修改：下一篇待审稿件/), '/revise/'));
    expect(await page.locator('h1').textContent()).toMatch(/^修改稿件/);
    await check('revise');
    await page.getByLabel('正文', { exact: true }).fill(`${LONG_BODY}补充了数据。`);
    await Promise.all([
      page.waitForEvent('load'),
      page.getByRole('button', { name: '提交修改稿', exact: true }).click(),
    ]);
    await check('revised');
    await page.goto(next);
    expect(await page.locator('h1').textContent()).toBe('已有新版本');
    await check('superseded');

    const cut = await page.goto(`${link.slice(0, link.indexOf('/review/'))}/revie`);
    expect(cut?.status()).toBe(404);
    expect(await page.locator('h1').textContent()).toBe('未找到该页面');
    await check('not-found');
    await page.close();
    expect(problems).toEqual([]);
  });
});
