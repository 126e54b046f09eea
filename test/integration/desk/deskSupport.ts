// What the desk's integration tests share: requests in the shapes a browser and a JSON client send them, the links
// people find in their mailbox, signing in with them (test/support/deskSession.ts), and a snapshot of the whole table (a Scan: test code only, to prove that a page
// wrote nothing; the application itself never scans).
import { DESK_NEW_LINK, DESK_WELCOME, DeskSession, signIn, signInLinkOf, signInWith } from '../../support/deskSession';
import { allItems } from '../../support/faultState';
import { form, jsonPost, LONG_BODY, linkIn, type TestCounty } from '../../support/harness';

export const INFORMANT_WELCOME = /^欢迎使用组工信息报送系统/;

export { DESK_NEW_LINK, DESK_WELCOME, DeskSession, form, jsonPost, signIn, signInLinkOf, signInWith };

export const wantsJson: RequestInit = { headers: { accept: 'application/json' } };

/** An informant's personal key, from their welcome email. */
export async function submitKeyOf(county: TestCounty, email: string): Promise<string> {
  const [welcome] = await county.waitForMails(email, 1, INFORMANT_WELCOME);
  return new URL(linkIn(welcome)).searchParams.get('k')!;
}

/** Sends a piece as the informant whose key `k` is, through POST /submissions; its receipt number. */
export async function submitOver(
  county: TestCounty,
  k: string,
  title: string,
  extra: { kind?: 'info' | 'research'; body?: string } = {},
): Promise<string> {
  const res = await fetch(
    `${county.baseUrl}/submissions`,
    jsonPost({ k, kind: extra.kind ?? 'info', title, body: extra.body ?? `${LONG_BODY}（${title}）` }),
  );
  if (res.status !== 201) throw new Error(`submission "${title}" answered ${res.status}: ${await res.text()}`);
  return ((await res.json()) as { receipt: string }).receipt;
}

/** The review link in the newest review request to `email` for `receipt`. */
export async function reviewLinkOf(county: TestCounty, email: string, receipt: string): Promise<string> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const found = (await county.mails(email)).filter(
      (m) => m.subject.startsWith('【待审核】') && (m.body.text?.includes(`回执号：${receipt}`) ?? false),
    );
    if (found.length > 0) return linkIn(found.at(-1), '/review/');
    if (Date.now() > deadline) throw new Error(`no review request for ${receipt} to ${email}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Every item of this file's table, keyed and sorted, so two snapshots compare as equal or show what changed. */
export async function tableSnapshot(): Promise<Record<string, unknown>[]> {
  return (await allItems()).sort((a, b) => `${a.pk}|${a.sk}`.localeCompare(`${b.pk}|${b.sk}`));
}

/** The events of one piece, from the snapshot (not through the code under test). */
export async function eventsOf(receipt: string): Promise<Record<string, unknown>[]> {
  return (await tableSnapshot()).filter((i) => String(i.pk).endsWith(`#P#${receipt}`) && String(i.sk).startsWith('E#'));
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
