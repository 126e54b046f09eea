// Links after a revoke, and what a forwarded receipt can do: a revoked editor's review link stops at once and offers
// a fresh one by email; a piece returned before the informant's revoke can still be revised; the receipt link in
// every email is read-only and bound to its piece — forwarding it hands over nothing else.
import { handler as sweep } from '../../../functions/sweeper';
import { importRoster } from '../../../shared/roster/importRoster';
import { revokePerson } from '../../../shared/roster/revokePerson';
import { LONG_BODY, linkIn, type StoredEmail, startTestCounty, type TestCounty } from '../../support/harness';

let county: TestCounty;
let k = '';
const address = (name: string) => `${name}@${county.domain}`;
const url = (path: string) => `${county.baseUrl}${path}`;

beforeAll(async () => {
  county = await startTestCounty();
  const d = county.domain;
  const imported = await importRoster(
    [
      '单位,姓名,邮箱,手机,角色',
      `城关镇党委,张伟,zhang@${d},,信息员`,
      `红旗乡党委,周强,zhou@${d},,信息员`,
      `县委组织部信息科,王编辑,wang@${d},,编辑`,
    ].join('\n'),
  );
  expect(imported.ok).toBe(true);
  k = new URL(linkIn((await county.waitForMails(address('zhang'), 1))[0])).searchParams.get('k')!;
});
afterAll(async () => {
  await county.close();
});

const post = (fields: Record<string, string>): RequestInit => ({
  method: 'POST',
  redirect: 'manual',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams(fields).toString(),
});

async function submit(key: string, title: string): Promise<string> {
  const res = await fetch(url('/submissions'), post({ k: key, kind: 'info', title, body: LONG_BODY }));
  expect(res.status).toBe(303);
  return /[?&]sent=(\d{4}-\d{4})/.exec(res.headers.get('location') ?? '')![1]!;
}

async function newest(to: string, where: (m: StoredEmail) => boolean, atLeast = 1): Promise<StoredEmail> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const found = (await county.mails(to)).filter(where);
    if (found.length >= atLeast || Date.now() > deadline) return found.at(-1)!;
    await new Promise((r) => setTimeout(r, 50));
  }
}

const reviewMail = (receipt: string) => (m: StoredEmail) =>
  m.subject.startsWith('【待审核】') && (m.body.text?.includes(receipt) ?? false);
const formAction = (page: string) => page.match(/<form method="post" action="([^"]+)">/)?.[1];

describe("a revoked editor's review link", () => {
  it('answers 403 at once, decides nothing, and its button emails that editor a fresh link that works', async () => {
    const receipt = await submit(k, '撤销编辑链接后的稿件');
    const old = linkIn(await newest(address('wang'), reviewMail(receipt)), '/review/');
    expect((await fetch(old)).status).toBe(200);

    await revokePerson(address('wang'));

    const opened = await fetch(old);
    expect(opened.status).toBe(403);
    const page = await opened.text();
    expect(page).toContain('此链接已失效');
    expect(page).not.toContain('撤销编辑链接后的稿件');
    expect((await fetch(old, post({ decision: 'accept' }))).status).toBe(403);
    const renewed = await fetch(url(formAction(page)!), post({}));
    expect(renewed.status).toBe(200);
    const fresh = linkIn(await newest(address('wang'), reviewMail(receipt), 2), '/review/');
    expect(fresh).not.toBe(old);
    expect((await fetch(fresh, post({ decision: 'accept' }))).status).toBe(200);
  });

  it('is followed by review requests whose links work: the next piece is signed with the new key version', async () => {
    // Review requests sent by the request itself take the editors' key versions from the roster summary.
    const receipt = await submit(k, '撤销后新报送的稿件');
    const link = linkIn(await newest(address('wang'), reviewMail(receipt)), '/review/');
    expect((await fetch(link)).status).toBe(200);
    expect((await fetch(link, post({ decision: 'reject', confirm: '1' }))).status).toBe(200);
  });
});

describe('a piece returned before the informant was revoked', () => {
  it('can still be revised: the old revise link offers a fresh one, and so does the receipt page', async () => {
    const receipt = await submit(k, '退回后撤销链接的稿件');
    const review = linkIn(await newest(address('wang'), reviewMail(receipt)), '/review/');
    expect((await fetch(review, post({ decision: 'return', comment: '请补充数据。' }))).status).toBe(200);
    const returned = await newest(address('zhang'), (m) => m.subject.startsWith('您的稿件需要修改'));
    const oldRevise = linkIn(returned, '/revise/');

    await revokePerson(address('zhang'));
    await sweep();
    const newKey = new URL(
      linkIn(await newest(address('zhang'), (m) => /链接已更新/.test(m.subject))),
    ).searchParams.get('k')!;

    // The old revise link: revoked, with a button that emails a fresh one.
    const opened = await fetch(oldRevise);
    expect(opened.status).toBe(403);
    const renew = await fetch(url(formAction(await opened.text())!), post({}));
    expect(renew.status).toBe(200);
    const again = await newest(address('zhang'), (m) => m.subject.startsWith('您的稿件需要修改'), 2);
    const freshRevise = linkIn(again, '/revise/');
    expect((await fetch(freshRevise)).status).toBe(200);

    // The receipt page under the new key offers the same, by email.
    const receiptPage = await fetch(url(`/submissions/${receipt}?k=${newKey}`));
    expect(receiptPage.status).toBe(200);
    const html = await receiptPage.text();
    expect(html).toContain('把修改链接发到我的邮箱');
    expect(formAction(html)).toBe(`/submissions/${receipt}/revise-link`);

    const revised = await fetch(
      freshRevise,
      post({ kind: 'info', title: '退回后撤销链接的稿件（修改稿）', body: LONG_BODY }),
    );
    expect(revised.status).toBe(303);
    expect(revised.headers.get('location')).toMatch(new RegExp(`^/submissions/${receipt}\\?r=`));
  });
});

describe('the receipt link in an email', () => {
  it('shows its piece, read-only: it is not the personal key, cannot submit and opens no other piece', async () => {
    const zhou = new URL(linkIn(await newest(address('zhou'), (m) => m.subject.startsWith('欢迎')))).searchParams.get(
      'k',
    )!;
    const receipt = await submit(zhou, '回执链接只读');
    const ack = await newest(address('zhou'), (m) => m.subject.includes('回执链接只读'));
    const receiptLink = linkIn(ack, '/submissions/');
    const r = new URL(receiptLink).searchParams.get('r')!;
    expect(new URL(receiptLink).searchParams.get('k')).toBeNull();

    expect((await fetch(receiptLink)).status).toBe(200);
    // As a personal key it submits nothing and opens no form.
    expect((await fetch(url(`/submit?k=${r}`))).status).toBe(403);
    expect(
      (await fetch(url('/submissions'), post({ k: r, kind: 'info', title: '冒用', body: LONG_BODY }))).status,
    ).toBe(403);
    // Bound to its piece: another of the same informant's pieces does not open with it.
    const other = await submit(zhou, '同一人的另一篇');
    expect((await fetch(url(`/submissions/${other}?r=${r}`))).status).toBe(403);
    expect(receipt).not.toBe(other);
  });
});
