// Desk sessions in a real browser (Debian's Chromium): an editor signs in from the welcome email in the mailbox (the
// sign-in link's page, then 进入工作台), works on the desk and presses 退出; the back button then shows nothing of
// the desk (its pages are never kept: Cache-Control no-store, so going back asks again and the session is gone); and
// an editor whose links another editor revokes (作废链接, in another window) loses the session at the next click.
// axe-core on the sign-in page, the desk and the pages that end a session.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { sweepAll } from '../../shared/app/sweep';
import { config } from '../../shared/core/config';
import { importRoster } from '../../shared/roster/importRoster';
import { accessibilityProblems, launchChromium, openFromMailbox, press, signInHere } from '../support/browser';
import { DESK_WELCOME } from '../support/deskSession';
import { linkIn, startTestCounty, type TestCounty } from '../support/harness';

let county: TestCounty;
let browser: Browser;
const address = (name: string) => `${name}@${county.domain}`;
/** A browser window of its own (its own cookies), with axe let in (it changes nothing else). */
const windowOf = (): Promise<BrowserContext> =>
  browser.newContext({ locale: 'zh-CN', bypassCSP: true, viewport: { width: 360, height: 740 } });

beforeAll(async () => {
  county = await startTestCounty();
  const d = county.domain;
  const imported = await importRoster(
    [
      '单位,姓名,邮箱,手机,角色',
      `城关镇党委,张伟,zhang@${d},,信息员`,
      `县委组织部信息科,王编辑,wang@${d},,编辑`,
      `县委组织部信息科,李编辑,li@${d},,编辑`,
    ].join('\n'),
  );
  expect(imported.ok).toBe(true);
  browser = await launchChromium();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await county?.close();
});

const heading = (page: Page) => page.locator('h1').textContent();
/** What a page shows of the desk: its tabs and who is signed in (none on a page that ends a session). */
const deskParts = async (page: Page) => page.locator('nav.tabs, .who').count();

describe('desk sessions in a real browser', () => {
  it('signs an editor in from the welcome email, lets them work, and signs them out', async () => {
    const window = await windowOf();
    const [welcome] = await county.waitForMails(address('wang'), 1, DESK_WELCOME);
    const page = await openFromMailbox(window, welcome!, '登录信息科工作台');
    expect(new URL(page.url()).pathname).toMatch(/^\/desk\/signin\/[^/]+$/);
    expect(await heading(page)).toBe('登录信息科工作台');
    expect(await accessibilityProblems(page)).toEqual([]);
    expect((await window.cookies()).map((c) => c.name)).toEqual([]);

    expect(await signInHere(page)).toBe(303);
    expect(new URL(page.url()).pathname).toBe('/desk');
    expect(await heading(page)).toBe('待审稿件');
    const [cookie] = await window.cookies();
    expect(cookie).toMatchObject({
      name: 'baosong_desk',
      path: '/desk',
      httpOnly: true,
      sameSite: 'Strict',
      expires: -1,
    });
    expect(await page.evaluate('document.cookie')).toBe('');

    await page.getByRole('navigation', { name: '工作台' }).getByRole('link', { name: '稿件', exact: true }).click();
    await page.waitForLoadState('load');
    expect(new URL(page.url()).pathname).toBe('/desk/pieces');
    expect(await accessibilityProblems(page)).toEqual([]);

    expect(await press(page, '退出')).toBe(303);
    expect(new URL(page.url()).pathname).toBe('/desk/signedout');
    expect(await heading(page)).toBe('已退出');
    expect(await deskParts(page)).toBe(0);
    expect(await accessibilityProblems(page)).toEqual([]);
    expect(await window.cookies()).toEqual([]);

    // The back button: the desk page is asked for again, and the desk has ended the session.
    const back = await page.goBack();
    expect(new URL(page.url()).pathname).toBe('/desk/pieces');
    expect(back?.status()).toBe(401);
    expect(await page.locator('main').textContent()).toContain('请先登录');
    expect(await deskParts(page)).toBe(0);
    const further = await page.goBack();
    expect(further?.status()).toBe(401);
    expect(await deskParts(page)).toBe(0);
    await window.close();
  });

  it('ends the session of an editor revoked in another window at their next click', async () => {
    const liWindow = await windowOf();
    const li = await liWindow.newPage();
    const [liWelcome] = await county.waitForMails(address('li'), 1, DESK_WELCOME);
    expect(await signInHere(li, linkIn(liWelcome, '/desk/signin/'))).toBe(303);
    expect(await heading(li)).toBe('待审稿件');

    const wangWindow = await windowOf();
    const wang = await wangWindow.newPage();
    const [wangWelcome] = await county.waitForMails(address('wang'), 1, DESK_WELCOME);
    expect(await signInHere(wang, linkIn(wangWelcome, '/desk/signin/'))).toBe(303);
    await wang.goto(`${county.baseUrl}/desk/roster`);
    const row = wang.locator('table.grid tbody tr', { hasText: address('li') });
    const [revoked] = await Promise.all([
      wang.waitForResponse((r) => r.request().method() === 'POST'),
      wang.waitForEvent('load'),
      row.getByRole('button', { name: '作废链接', exact: true }).click(),
    ]);
    expect(revoked.status()).toBe(200);

    const [next] = await Promise.all([
      li.waitForResponse((r) => new URL(r.url()).pathname === '/desk/pieces'),
      li.getByRole('navigation', { name: '工作台' }).getByRole('link', { name: '稿件', exact: true }).click(),
    ]);
    await li.waitForLoadState('load');
    expect(next.status()).toBe(401);
    expect(await li.locator('main').textContent()).toContain('您的工作台登录已结束');
    expect(await deskParts(li)).toBe(0);
    expect(await accessibilityProblems(li)).toEqual([]);

    // Her new sign-in link (the email the revoke sends) opens the desk again.
    await sweepAll(config().countyId);
    const [fresh] = await county.waitForMails(address('li'), 1, /^您的工作台登录链接已更新/);
    expect(await signInHere(li, linkIn(fresh, '/desk/signin/'))).toBe(303);
    expect(await heading(li)).toBe('待审稿件');
    await liWindow.close();
    await wangWindow.close();
  });
});
