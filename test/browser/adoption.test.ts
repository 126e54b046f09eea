// Adoption in a real browser (Debian's Chromium): the editor opens the confirmation of an acceptance in the local
// mailbox's page, follows 登记上级采用, fills in the 自治区 adoption with a 批示 and presses 登记采用; then the desk's
// 采用 and 积分 pages show it. Each page: no serious or critical axe-core finding, nothing wider than a 360 px phone.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { dayOf } from '../../shared/core/clock';
import { importRoster } from '../../shared/roster/importRoster';
import { accessibilityProblems, launchChromium, openFromMailbox, press, signInHere } from '../support/browser';
import { DESK_WELCOME, signInWith } from '../support/deskSession';
import { LONG_BODY, linkIn, rosterCsv, startTestCounty, type TestCounty } from '../support/harness';

const TITLE = '红旗乡推行“党员积分超市”，激发党员干事热情';

let county: TestCounty;
let browser: Browser;
let checking: BrowserContext;
const address = (name: string) => `${name}@${county.domain}`;

beforeAll(async () => {
  county = await startTestCounty();
  expect((await importRoster(rosterCsv(county.domain))).ok).toBe(true);
  browser = await launchChromium();
  checking = await browser.newContext({ locale: 'zh-CN', bypassCSP: true, viewport: { width: 360, height: 740 } });
});
afterAll(async () => {
  await browser?.close();
  await county?.close();
});

async function wideness(page: Page): Promise<string[]> {
  const { scroll, viewport } = (await page.evaluate(
    '({ scroll: document.documentElement.scrollWidth, viewport: window.innerWidth })',
  )) as { scroll: number; viewport: number };
  return scroll > viewport + 1 ? [`the page is ${scroll} px wide at ${viewport} px`] : [];
}

describe('recording an adoption in a browser', () => {
  it('from the email of the acceptance to the ranking on the desk', async () => {
    const [welcome] = await county.waitForMails(address('zhou'), 1, /^欢迎/);
    const k = new URL(linkIn(welcome)).searchParams.get('k')!;
    const sent = await fetch(`${county.baseUrl}/submissions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ k, kind: 'info', title: TITLE, body: LONG_BODY }),
    });
    const { receipt } = (await sent.json()) as { receipt: string };
    const [deskMail] = await county.waitForMails(address('editor'), 1, DESK_WELCOME);
    const signin = linkIn(deskMail, '/desk/signin/');
    const session = await signInWith(county.baseUrl, signin);
    const desk = `${county.baseUrl}/desk`;
    const accepted = await session.fetch(`${desk}/pieces/${receipt}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ decision: 'accept', revision: 1, issue: '3' }),
    });
    expect(accepted.status).toBe(200);
    const [confirmation] = await county.waitForMails(address('editor'), 1, /^已采用/);

    const page = await openFromMailbox(checking, confirmation!, '登记上级采用');
    expect(await page.locator('h1').textContent()).toBe('登记上级采用');
    expect(await accessibilityProblems(page)).toEqual([]);
    expect(await wideness(page)).toEqual([]);
    await page.getByLabel('采用级别').selectOption({ label: '自治区' });
    await page.getByLabel('刊物').fill('《新疆组工信息》');
    await page.getByLabel('期号').fill('12');
    await page.getByLabel('采用日期').fill(dayOf(new Date()));
    await page.getByLabel('领导批示').selectOption({ label: '自治区领导批示' });
    expect(await press(page, '登记采用')).toBe(200);
    expect(await page.getByRole('status').textContent()).toContain('已登记：自治区《新疆组工信息》第 12 期');
    expect(await page.getByRole('status').textContent()).toContain('计 60 分');

    const adoptions = await checking.newPage();
    expect(await signInHere(adoptions, signin)).toBe(303);
    await adoptions.goto(`${desk}/adoptions`);
    expect(await adoptions.locator('table.grid').textContent()).toContain('《新疆组工信息》');
    expect(await accessibilityProblems(adoptions)).toEqual([]);
    expect(await wideness(adoptions)).toEqual([]);

    const scores = await checking.newPage();
    await scores.goto(`${desk}/scores?by=informant`);
    const first = scores.locator('table.grid tbody tr').first();
    expect(await first.textContent()).toContain('周强');
    expect(await first.textContent()).toContain('61');
    expect(await accessibilityProblems(scores)).toEqual([]);
    expect(await wideness(scores)).toEqual([]);
  }, 60_000);
});
