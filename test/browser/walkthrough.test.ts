// The review walkthrough (test/integration/review.walkthrough.test.ts) in a real browser: the informant and the editor,
// each in a browser context of their own, open the links from their emails, type and click; nothing is posted
// directly. Also what only a browser shows: Chinese renders, a title written as HTML stays text, the CSP stops inline
// script. The tests run in order and share the county. Screenshots go to test/browser/screenshots/ (not committed).
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { shanghai } from '../../shared/core/clock';
import { importRoster } from '../../shared/roster/importRoster';
import { launchChromium, press } from '../support/browser';
import { LONG_BODY, linkIn, rosterCsv, startTestCounty, type TestCounty } from '../support/harness';

const SCREENSHOTS = join(__dirname, 'screenshots');
const YEAR = shanghai(new Date()).year;
const TITLE = '县委办公室开办“夜校课堂”';
const FEEDBACK = '请补充具体数据和成效。';
const ADDED = '全年覆盖党员八百人。';
const HTML_TITLE = `<img src=x onerror="document.title='pwned'">`;

let county: TestCounty;
let browser: Browser;
let informant: Page;
let editor: Page;
let informantEmail: string;
let editorEmail: string;
let submitLink: string;
let receiptUrl: string;

beforeAll(async () => {
  county = await startTestCounty();
  informantEmail = `chen@${county.domain}`;
  editorEmail = `editor@${county.domain}`;
  await importRoster(rosterCsv(county.domain));
  await mkdir(SCREENSHOTS, { recursive: true });
  browser = await launchChromium(['--disable-component-update', '--no-first-run', '--disable-sync']);
  informant = await (await browser.newContext({ locale: 'zh-CN' })).newPage();
  editor = await (await browser.newContext({ locale: 'zh-CN' })).newPage();
});
afterAll(async () => {
  await browser?.close();
  await county?.close();
});

const cell = (page: Page, heading: string) => page.locator(`xpath=//tr[th="${heading}"]/td`).textContent();
const heading = (page: Page) => page.locator('h1').textContent();
const screenshot = (page: Page, name: string) =>
  page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });

describe('an informant and an editor in a real browser', () => {
  it('shows the form in Chinese from the welcome email link, says 报送成功 after 提交 and links the receipt', async () => {
    const [welcome] = await county.waitForMails(informantEmail, 1, /欢迎/);
    submitLink = linkIn(welcome);

    const response = await informant.goto(submitLink);
    expect(response?.headers()['content-type']).toBe('text/html; charset=utf-8');
    expect(await heading(informant)).toBe('报送稿件');
    expect(await informant.title()).toBe('报送稿件 - 组工信息报送');
    expect(await informant.locator('.who').textContent()).toBe('报送人：陈晓明（县委办公室）');
    expect(await informant.getByRole('link', { name: '我的报送', exact: true }).getAttribute('href')).toMatch(
      /^\/mine\?k=/,
    );

    await informant.getByLabel('信息', { exact: true }).check();
    await informant.getByLabel('标题', { exact: true }).fill(TITLE);
    await informant.getByLabel('正文', { exact: true }).fill(LONG_BODY);
    await screenshot(informant, 'form');
    await informant.getByLabel('签发领导（可选）', { exact: true }).fill('李书记');
    expect(await press(informant, '提交')).toBe(303);

    // Back on the form: 报送成功 with what was sent, and the form empty for the next piece.
    expect(informant.url()).toMatch(new RegExp(`/submit\\?k=[^&]+&sent=${YEAR}-0001$`));
    expect(await informant.locator('.done h2').textContent()).toBe('报送成功');
    expect(await cell(informant, '签发领导')).toBe('李书记');
    expect(await informant.getByLabel('标题', { exact: true }).inputValue()).toBe('');
    expect(await informant.getByLabel('信息', { exact: true }).isChecked()).toBe(true);
    await screenshot(informant, 'sent');
    await Promise.all([
      informant.waitForEvent('load'),
      informant.getByRole('link', { name: '查看回执和审核进度' }).click(),
    ]);
    expect(informant.url()).toMatch(new RegExp(`/submissions/${YEAR}-0001\\?r=`));
    receiptUrl = informant.url();
    expect(await heading(informant)).toBe('稿件回执');
    expect(await cell(informant, '回执号')).toBe(`${YEAR}-0001`);
    expect(await cell(informant, '标题')).toBe(TITLE);
    expect(await cell(informant, '状态')).toBe('待审核');
    const [ack] = await county.waitForMails(informantEmail, 1, /已收到您的稿件/);
    expect(ack?.subject).toBe(`已收到您的稿件（回执号 ${YEAR}-0001）：${TITLE}`);
  });

  it('brings the form back with the message beside a too-short body and what was typed kept', async () => {
    await informant.goto(submitLink);
    await informant.getByLabel('调研文稿', { exact: true }).check();
    await informant.getByLabel('标题', { exact: true }).fill('短稿');
    await informant.getByLabel('正文', { exact: true }).fill('只有几个字。');
    expect(await press(informant, '提交')).toBe(400);

    expect(await informant.getByRole('alert').textContent()).toContain('请修改下面标出的内容后再提交：正文。');
    expect(await informant.locator('#body + .error').textContent()).toMatch(/^正文至少 20 字/);
    expect(await informant.getByLabel('标题', { exact: true }).inputValue()).toBe('短稿');
    expect(await informant.getByLabel('正文', { exact: true }).inputValue()).toBe('只有几个字。');
    expect(await informant.getByLabel('调研文稿', { exact: true }).isChecked()).toBe(true);
    await screenshot(informant, 'form-error');
    const acks = (await county.mails(informantEmail)).filter((m) => m.subject.startsWith('已收到您的稿件'));
    expect(acks).toHaveLength(1);
  });

  it('lets the editor return the piece, the informant revise it and the editor accept the new revision', async () => {
    const [request] = await county.waitForMails(editorEmail, 1, /【待审核】/);
    const firstReview = linkIn(request, '/review/');
    await editor.goto(firstReview);
    expect(await heading(editor)).toBe('审核稿件');
    expect(await cell(editor, '回执号')).toBe(`${YEAR}-0001`);
    expect(await cell(editor, '信息员')).toBe('陈晓明');

    await informant.goto(receiptUrl);
    expect(await cell(informant, '状态')).toBe('待审核');

    await editor.getByLabel(/^意见/).fill(FEEDBACK);
    expect(await press(editor, '退回修改')).toBe(200);
    expect(await editor.locator('main').textContent()).toContain('已处理：退回修改');

    const [returned] = await county.waitForMails(informantEmail, 1, /需要修改/);
    await informant.goto(linkIn(returned, '/revise/'));
    expect(await heading(informant)).toBe(`修改稿件（回执号 ${YEAR}-0001）`);
    expect(await informant.locator('.who', { hasText: '修改意见' }).textContent()).toContain(FEEDBACK);
    const body = informant.getByLabel('正文', { exact: true });
    expect(await body.inputValue()).toBe(LONG_BODY);
    await body.focus();
    await informant.keyboard.press('Control+End');
    await informant.keyboard.type(ADDED);
    await press(informant, '提交修改稿');
    expect(informant.url()).toContain(`/submissions/${YEAR}-0001?r=`);
    expect(await informant.getByRole('status').textContent()).toContain('修改稿（第 2 稿）已提交');
    expect(await cell(informant, '状态')).toBe('修改稿待审核');

    const requests = await county.waitForMails(editorEmail, 2, /【待审核】/);
    await editor.goto(
      linkIn(
        requests.find((m) => m.subject.endsWith('（第 2 稿）')),
        '/review/',
      ),
    );
    expect(await cell(editor, '稿次')).toBe('第 2 稿');
    expect(await editor.locator('.body').textContent()).toBe(`${LONG_BODY}${ADDED}`);
    await editor.getByLabel(/^期号/).fill('12');
    await screenshot(editor, 'review');
    expect(await press(editor, '采用')).toBe(200);
    expect(await editor.locator('main').textContent()).toContain('已处理：采用，编入《组工专报》第 12 期');

    await county.waitForMails(informantEmail, 1, /已采用/);
    await informant.goto(receiptUrl);
    expect(await cell(informant, '状态')).toBe('已采用');
    const story = await informant.locator('ol.timeline > li').allInnerTexts();
    expect(story).toHaveLength(4);
    expect(story[0]).toContain('提交（第 1 稿）');
    expect(story[1]).toContain('王编辑：退回修改');
    expect(story[1]?.replace(/\s+/g, '')).toContain(`修改意见：${FEEDBACK}`);
    expect(story[2]).toContain('提交修改稿（第 2 稿）');
    expect(story[3]).toContain('王编辑：采用，编入《组工专报》第 12 期');
    expect(await informant.locator('.body').textContent()).toBe(`${LONG_BODY}${ADDED}`);
    await screenshot(informant, 'receipt');

    const stale = await editor.goto(firstReview);
    expect(stale?.status()).toBe(409);
    expect(await heading(editor)).toBe('已有新版本');
  });

  it('shows a title written as HTML as text on the form, the receipt page and the review page', async () => {
    await informant.goto(submitLink);
    await informant.getByLabel('信息', { exact: true }).check();
    await informant.getByLabel('标题', { exact: true }).fill(HTML_TITLE);
    await informant.getByLabel('正文', { exact: true }).fill('太短。');
    await press(informant, '提交');
    expect(await informant.getByLabel('标题', { exact: true }).inputValue()).toBe(HTML_TITLE);
    expect(await informant.locator('img').count()).toBe(0);

    await informant.getByLabel('正文', { exact: true }).fill(LONG_BODY);
    await press(informant, '提交');
    expect(await cell(informant, '标题')).toBe(HTML_TITLE);
    expect(await informant.locator('img').count()).toBe(0);
    expect(await informant.title()).toBe('报送成功 - 组工信息报送');
    await Promise.all([
      informant.waitForEvent('load'),
      informant.getByRole('link', { name: '查看回执和审核进度' }).click(),
    ]);
    expect(await cell(informant, '标题')).toBe(HTML_TITLE);
    expect(await informant.locator('img').count()).toBe(0);
    expect(await informant.title()).toBe(`回执 ${YEAR}-0002 - 组工信息报送`);

    const [request] = await county.waitForMails(editorEmail, 1, /onerror/);
    await editor.goto(linkIn(request, '/review/'));
    expect(await editor.locator('h2').first().textContent()).toBe(HTML_TITLE);
    expect(await editor.locator('img').count()).toBe(0);
    expect(await editor.title()).toBe(`审核：${HTML_TITLE} - 组工信息报送`);
  });

  it('runs no inline script, not even one added to the page after it loaded', async () => {
    // A string, not a function: tsconfig has no DOM types. Resolves with whether the script ran and what blocked it.
    const addInlineScript = `new Promise((resolve) => {
      document.addEventListener('securitypolicyviolation', (e) => resolve({ ran: window.ran === true, blocked: e.effectiveDirective }), { once: true });
      const script = document.createElement('script');
      script.textContent = 'window.ran = true';
      document.head.append(script);
      if (window.ran === true) resolve({ ran: true, blocked: 'nothing' });
      setTimeout(() => resolve({ ran: window.ran === true, blocked: 'nothing' }), 2000);
    })`;
    const response = await informant.goto(receiptUrl);
    expect(response?.headers()['content-security-policy']).toContain("default-src 'none'");
    expect(await informant.evaluate(addInlineScript)).toEqual({ ran: false, blocked: 'script-src-elem' });

    // The same script runs where the policy is bypassed: the check above can fail.
    const bypassing = await browser.newContext({ bypassCSP: true });
    const page = await bypassing.newPage();
    await page.goto(receiptUrl);
    expect(await page.evaluate(addInlineScript)).toEqual({ ran: true, blocked: 'nothing' });
    await bypassing.close();
  });
});
