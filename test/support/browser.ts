// What the browser tests share: Debian's Chromium as the brief starts it, axe-core's serious and critical findings
// on a page, a button that submits its form, and a link clicked inside an email in the local mailbox's own page.
import { readFile } from 'node:fs/promises';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import type { StoredEmail } from './harness';

/** Chromium headless, as this machine runs it; `extraArgs` for a test that wants a quieter browser still. */
export function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', ...extraArgs],
  });
}

let axeSource: Promise<string> | undefined;

/** The serious and critical findings of axe-core on what the page shows now (its context must bypass our CSP). */
export async function accessibilityProblems(page: Page): Promise<string[]> {
  axeSource ??= readFile(require.resolve('axe-core/axe.min.js'), 'utf8');
  await page.addScriptTag({ content: await axeSource });
  // A string, run in the page (this project's TypeScript has no DOM types).
  const found = (await page.evaluate(
    'axe.run(document).then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes })))',
  )) as { id: string; impact: string; nodes: { target: string[] }[] }[];
  return found
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}) at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

/** Clicks a button that submits its form, waits until the page it leads to has loaded and returns the POST's status. */
export async function press(page: Page, name: string): Promise<number> {
  const [posted] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST'),
    page.waitForEvent('load'),
    page.getByRole('button', { name, exact: true }).click(),
  ]);
  return posted.status();
}

/**
 * Opens the local mailbox's page, shows `mail` as HTML and clicks its link `name`: the page that opens, which must
 * be a new tab (the click waits for one).
 */
export async function openFromMailbox(context: BrowserContext, mail: StoredEmail, name: string): Promise<Page> {
  const mailbox = await context.newPage();
  await mailbox.goto(`${process.env.SES_ENDPOINT}/`);
  const entry = mailbox.locator('.email-inner', { has: mailbox.locator(`[id="${mail.messageId}-html"]`) });
  await entry.getByRole('button', { name: 'Toggle HTML view' }).click();
  const email = mailbox.frameLocator(`[id="${mail.messageId}-html-iframe"]`);
  const [opened] = await Promise.all([
    context.waitForEvent('page'),
    email.getByRole('link', { name, exact: true }).click(),
  ]);
  await opened.waitForLoadState('load');
  await mailbox.close();
  return opened;
}

/**
 * Signs in to the desk in `page` with a sign-in link (or on the sign-in page it already shows): the link's page, then
 * its 进入工作台 button; the browser then holds the session cookie. Answers the POST's status (303).
 */
export async function signInHere(page: Page, link?: string): Promise<number> {
  if (link) await page.goto(link);
  return press(page, '进入工作台');
}
