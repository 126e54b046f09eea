// A research paper uploaded as a Word document on a phone, and read as the editor, in a real browser (Debian's
// Chromium) at 390 × 844: the informant opens the personal link, chooses 调研文稿, leaves title and body empty, picks
// the .docx and sends it; a PDF named .docx in the same form comes back with the message beside the document field and
// the typed title kept. The editor opens the review page from the review email in the local mailbox: the document's
// table is a real table, the page does not scroll sideways, the original downloads byte for byte. The editor returns
// it; the informant follows the return email and uploads a revised .docx; the editor's new review page shows the new
// paragraph. A table wider than the phone scrolls inside the document, not the page, and a keyboard can reach it. No
// serious axe finding on the forms and the review pages. Screenshots go to test/browser/screenshots/ (not committed).
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { importRoster } from '../../shared/roster/importRoster';
import { accessibilityProblems, launchChromium, openFromMailbox, press } from '../support/browser';
import { PAPER_PARAGRAPHS, PAPER_TABLE, PDF_BYTES, paperDocx } from '../support/docx';
import { linkIn, rosterCsv, type StoredEmail, startTestCounty, type TestCounty } from '../support/harness';

const SCREENSHOTS = join(__dirname, 'screenshots');
const PHONE = { width: 390, height: 844 };
const DOCX_TYPE = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
const FILE_NAME = '城关镇调研报告.docx';
const REVISED_NAME = '城关镇调研报告（修改稿）.docx';
const TITLE = '关于城关镇党员教育培训工作的调研报告';
const FEEDBACK = '请补充培训成效的具体事例。';
const ADDED = '三是注重实效。参训党员中有四十二人领办了合作社，带动群众增收。';

let county: TestCounty;
let browser: Browser;
/** Each person in a context of their own, at a phone's size; axe's script may run in our pages (nothing else changes). */
let informantContext: BrowserContext;
let editorContext: BrowserContext;
let submitLink = '';
let receipt = '';
let docx: Buffer;
const address = (name: string) => `${name}@${county.domain}`;

beforeAll(async () => {
  county = await startTestCounty();
  expect((await importRoster(rosterCsv(county.domain))).ok).toBe(true);
  const [welcome] = await county.waitForMails(address('zhang'), 1, /^欢迎/);
  submitLink = linkIn(welcome);
  docx = await paperDocx();
  await mkdir(SCREENSHOTS, { recursive: true });
  browser = await launchChromium();
  informantContext = await browser.newContext({ locale: 'zh-CN', bypassCSP: true, viewport: PHONE });
  editorContext = await browser.newContext({ locale: 'zh-CN', bypassCSP: true, viewport: PHONE });
});
afterAll(async () => {
  await browser?.close();
  await county?.close();
});

async function wideness(page: Page, name: string): Promise<string[]> {
  const { scroll, viewport } = (await page.evaluate(
    '({ scroll: document.documentElement.scrollWidth, viewport: window.innerWidth })',
  )) as { scroll: number; viewport: number };
  return scroll > viewport ? [`${name}: the page is ${scroll} px wide at ${viewport} px`] : [];
}

const screenshot = (page: Page, name: string) =>
  page.screenshot({ path: join(SCREENSHOTS, `documents-${name}.png`), fullPage: true });

/** The review request for draft `revision` of the piece, as it arrives in the editor's mailbox. */
async function reviewMail(revision: number): Promise<StoredEmail> {
  const mails = await county.waitForMails(address('editor'), revision, /^【待审核】/);
  const mail = mails.find(
    (m) => m.body.text?.includes(`回执号：${receipt}`) && m.body.text.includes(`第 ${revision} 稿`),
  );
  if (!mail) throw new Error(`no review email for draft ${revision} of ${receipt}`);
  return mail;
}

/** The review page's own link, on the line 审核页面：of the email's text (its file links come before it). */
const reviewPageLink = (mail: StoredEmail) => /审核页面：(\S+)/.exec(mail.body.text ?? '')?.[1];

/** The document's table on the review page, cell by cell. */
async function tableCells(page: Page): Promise<string[][]> {
  const rows = page.locator('.doc table').first().locator('tr');
  const cells: string[][] = [];
  for (let i = 0; i < (await rows.count()); i++) {
    cells.push((await rows.nth(i).locator('td, th').allTextContents()).map((t) => t.trim()));
  }
  return cells;
}

describe('a research paper uploaded as a Word document on a phone', () => {
  let form: Page;
  /** The review page of a paper whose table is wider than the phone. */
  let wideReview = '';

  it('is sent from the form with only the .docx chosen and says 报送成功 with the receipt number', async () => {
    form = await informantContext.newPage();
    await form.goto(submitLink);
    expect(await form.locator('h1').textContent()).toBe('报送稿件');
    await form.getByLabel('调研文稿', { exact: true }).check();
    expect(await form.getByLabel('标题', { exact: true }).inputValue()).toBe('');
    expect(await form.getByLabel('正文', { exact: true }).inputValue()).toBe('');
    await form
      .getByLabel('Word 文档（.docx，可选）')
      .setInputFiles({ name: FILE_NAME, mimeType: DOCX_TYPE, buffer: docx });
    expect(await wideness(form, 'the form')).toEqual([]);
    expect(await accessibilityProblems(form)).toEqual([]);
    await screenshot(form, 'form-390');
    expect(await press(form, '提交')).toBe(303);

    expect(await form.locator('.done h2').textContent()).toBe('报送成功');
    receipt = (await form.locator('.done table td').first().textContent())?.trim() ?? '';
    expect(receipt).toMatch(/^\d{4}-\d{4}$/);
    expect(form.url()).toContain(`&sent=${receipt}`);
    expect(await form.locator('xpath=//div[@class="done"]//tr[th="标题"]/td').textContent()).toBe(TITLE);
    expect(await form.locator('xpath=//div[@class="done"]//tr[th="类型"]/td').textContent()).toBe('调研文稿');
    expect(await wideness(form, 'the form after 报送成功')).toEqual([]);
    await screenshot(form, 'sent-390');
  });

  it('brings a PDF named .docx back with the message beside the document field and the typed title kept', async () => {
    await form.getByLabel('调研文稿', { exact: true }).check();
    await form.getByLabel('标题', { exact: true }).fill('这个标题是用户自己输入的');
    await form
      .getByLabel('Word 文档（.docx，可选）')
      .setInputFiles({ name: '报告.docx', mimeType: DOCX_TYPE, buffer: PDF_BYTES });
    expect(await press(form, '提交')).toBe(400);

    expect(await form.getByRole('alert').textContent()).toContain('请修改下面标出的内容后再提交');
    expect(await form.getByRole('alert').textContent()).toContain('所选的文件需要重新选择');
    const document = form.getByLabel('Word 文档（.docx，可选）');
    expect(await document.getAttribute('aria-invalid')).toBe('true');
    expect(await form.locator('#document + #document-error').textContent()).toMatch(/内容不是 Word 文档/);
    expect(await form.getByLabel('标题', { exact: true }).inputValue()).toBe('这个标题是用户自己输入的');
    expect(await form.getByLabel('调研文稿', { exact: true }).isChecked()).toBe(true);
    expect(await wideness(form, 'the form with the message')).toEqual([]);
    expect(await accessibilityProblems(form)).toEqual([]);
    await screenshot(form, 'form-error-390');
    await form.close();
  });

  it('opens from the review email: a real table, no sideways scroll, the original byte for byte', async () => {
    const mail = await reviewMail(1);
    const review = await openFromMailbox(editorContext, mail, '打开审核页面');
    expect(review.url()).toBe(reviewPageLink(mail));
    expect(await review.locator('main > h1').textContent()).toBe('审核稿件');
    expect(await review.locator('xpath=//tr[th="回执号"]/td').textContent()).toBe(receipt);
    expect(await review.locator('h2').first().textContent()).toBe(TITLE);
    expect(await review.locator('.doc').textContent()).toContain(PAPER_PARAGRAPHS[1]);
    expect(await tableCells(review)).toEqual(PAPER_TABLE);
    expect(await review.locator('.doc table').first().isVisible()).toBe(true);
    expect(await wideness(review, 'the review page')).toEqual([]);
    expect(await accessibilityProblems(review)).toEqual([]);
    await screenshot(review, 'review-390');

    const [download] = await Promise.all([
      review.waitForEvent('download'),
      review.getByRole('link', { name: FILE_NAME, exact: true }).click(),
    ]);
    expect(download.suggestedFilename()).toBe(FILE_NAME);
    expect((await readFile(await download.path())).equals(docx)).toBe(true);
    await review.close();
  });

  it('is returned, revised with a new .docx, and the new review page shows the new paragraph', async () => {
    const review = await openFromMailbox(editorContext, await reviewMail(1), '打开审核页面');
    await review.getByLabel(/^意见/).fill(FEEDBACK);
    expect(await press(review, '退回修改')).toBe(200);
    expect(await review.locator('main').textContent()).toContain('已处理：退回修改');
    await review.close();

    const [returned] = await county.waitForMails(address('zhang'), 1, /需要修改/);
    const revise = await openFromMailbox(informantContext, returned!, '提交修改稿');
    expect(revise.url()).toBe(linkIn(returned, '/revise/'));
    expect(await revise.locator('h1').textContent()).toBe(`修改稿件（回执号 ${receipt}）`);
    expect(await revise.locator('.who', { hasText: '修改意见' }).textContent()).toContain(FEEDBACK);
    const revised = await paperDocx({ paragraphs: [...PAPER_PARAGRAPHS, ADDED] });
    await revise
      .getByLabel('Word 文档（.docx，可选）')
      .setInputFiles({ name: REVISED_NAME, mimeType: DOCX_TYPE, buffer: revised });
    expect(await wideness(revise, 'the revise form')).toEqual([]);
    expect(await accessibilityProblems(revise)).toEqual([]);
    await screenshot(revise, 'revise-390');
    expect(await press(revise, '提交修改稿')).toBe(303);
    expect(revise.url()).toContain(`/submissions/${receipt}?r=`);
    expect(await revise.getByRole('status').textContent()).toContain('修改稿（第 2 稿）已提交');
    await revise.close();

    const second = await openFromMailbox(editorContext, await reviewMail(2), '打开审核页面');
    expect(await second.locator('xpath=//tr[th="稿次"]/td').textContent()).toBe('第 2 稿');
    expect(await second.locator('.doc').textContent()).toContain(ADDED);
    expect(await second.locator('ins', { hasText: '三是注重实效' }).count()).toBeGreaterThan(0);
    expect(await tableCells(second)).toEqual(PAPER_TABLE);
    expect(await wideness(second, 'the second review page')).toEqual([]);
    expect(await accessibilityProblems(second)).toEqual([]);
    await screenshot(second, 'review-2-390');
    const [download] = await Promise.all([
      second.waitForEvent('download'),
      second.getByRole('link', { name: REVISED_NAME, exact: true }).click(),
    ]);
    expect((await readFile(await download.path())).equals(revised)).toBe(true);
    await second.close();
  });

  it('keeps a table too wide for the phone inside the document, scrolling there and not the page', async () => {
    const wide = [
      ['村（社区）', ...[2019, 2020, 2021, 2022, 2023, 2024, 2025].map((y) => `${y}年培训人次`)],
      ['东关村', '1,234,567', '2,345,678', '3,456,789', '4,567,890', '5,678,901', '6,789,012', '7,890,123'],
    ];
    const form = await informantContext.newPage();
    await form.goto(submitLink);
    await form.getByLabel('调研文稿', { exact: true }).check();
    await form.getByLabel('Word 文档（.docx，可选）').setInputFiles({
      name: '宽表格.docx',
      mimeType: DOCX_TYPE,
      buffer: await paperDocx({ title: '关于城关镇历年党员培训情况的统计分析', table: wide }),
    });
    expect(await press(form, '提交')).toBe(303);
    const sent = (await form.locator('.done table td').first().textContent())?.trim();
    await form.close();
    const mails = await county.waitForMails(address('editor'), 1, /历年党员培训情况/);
    const review = await openFromMailbox(editorContext, mails[0]!, '打开审核页面');
    expect(await review.locator('xpath=//tr[th="回执号"]/td').textContent()).toBe(sent);
    expect(await tableCells(review)).toEqual(wide);
    const doc = (await review.evaluate(
      "(() => { const d = document.querySelector('.doc'); return { scroll: d.scrollWidth, width: d.clientWidth }; })()",
    )) as { scroll: number; width: number };
    await screenshot(review, 'review-wide-table-390');
    expect(await wideness(review, 'the review page with a wide table')).toEqual([]);
    expect(doc.scroll).toBeGreaterThan(doc.width);
    wideReview = review.url();
    await review.close();
  });

  it('lets a keyboard scroll that table too: no serious axe finding on the page', async () => {
    const review = await editorContext.newPage();
    await review.goto(wideReview);
    expect(await accessibilityProblems(review)).toEqual([]);
    await review.close();
  });
});
