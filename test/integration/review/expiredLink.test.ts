// An expired review link, over real HTTP through the local gateway with the clock moved past its expiry: it answers
// 410 on every route under it (the page, 审核下一篇, the files, a decision), shows the way to /renew and nothing of
// the piece, mints no link and changes nothing; /renew emails a fresh link to the editor's own address only and
// answers the same whether or not it sent one. Forgery and revocation still answer 403.
import { randomBytes } from 'node:crypto';
import { setClock } from '../../../shared/core/clock';
import { signToken } from '../../../shared/links/tokens';
import { importRoster } from '../../../shared/roster/importRoster';
import { revokePerson } from '../../../shared/roster/revokePerson';
import { PNG_BYTES } from '../../support/docx';
import {
  form,
  jsonPost,
  LONG_BODY,
  linkIn,
  type StoredEmail,
  startTestCounty,
  type TestCounty,
} from '../../support/harness';

let county: TestCounty;
/** Zhang's personal submission key, from the welcome email. */
let k = '';

const address = (name: string) => `${name}@${county.domain}`;
const url = (path: string) => `${county.baseUrl}${path}`;
const DAY_MS = 86_400_000;
/** 2026-06-15 10:00 in Asia/Shanghai; review links made then expire 14 days later. */
const T = new Date('2026-06-15T02:00:00Z').getTime();
const EXPIRED = T + 15 * DAY_MS;

beforeAll(async () => {
  county = await startTestCounty();
  const d = county.domain;
  const imported = await importRoster(
    [
      '单位,姓名,邮箱,手机,角色',
      `城关镇党委,张伟,zhang@${d},,信息员`,
      `县委组织部信息科,王编辑,wang@${d},,编辑`,
      `县委组织部信息科,李编辑,li@${d},,编辑`,
      `县委组织部信息科,孙编辑,sun@${d},,编辑`,
    ].join('\n'),
  );
  expect(imported.ok).toBe(true);
  k = new URL(linkIn((await county.waitForMails(address('zhang'), 1))[0])).searchParams.get('k')!;
});
afterEach(() => {
  setClock(undefined);
});
afterAll(async () => {
  await county.close();
});

// --- requests -------------------------------------------------------------------------------------------------

const asJson: RequestInit = { redirect: 'manual', headers: { accept: 'application/json' } };
const head: RequestInit = { method: 'HEAD', redirect: 'manual' };
const get: RequestInit = { redirect: 'manual' };

interface Piece {
  receipt: string;
  title: string;
  body: string;
  receiptUrl: string;
}

/** A piece sent by Zhang at time `at` (its review links expire 14 days later); with a PNG attachment if asked. */
async function submitAt(at: number, title: string, withFile = false): Promise<Piece> {
  setClock(new Date(at));
  const body = `${LONG_BODY}${title}：本文正文独有的一句话。`;
  let receipt: string;
  if (withFile) {
    const data = new FormData();
    for (const [name, value] of Object.entries({ k, kind: 'info', title, body })) data.append(name, value);
    data.append('attachments', new Blob([new Uint8Array(PNG_BYTES)]), '夜校照片.png');
    const res = await fetch(url('/submissions'), { method: 'POST', redirect: 'manual', body: data });
    expect(res.status).toBe(303);
    receipt = new URL(res.headers.get('location')!, county.baseUrl).searchParams.get('sent')!;
  } else {
    const res = await fetch(url('/submissions'), jsonPost({ k, kind: 'info', title, body }));
    expect(res.status).toBe(201);
    receipt = ((await res.json()) as { receipt: string }).receipt;
  }
  return { receipt, title, body, receiptUrl: url(`/submissions/${receipt}?k=${encodeURIComponent(k)}`) };
}

async function statusOf(piece: Piece): Promise<{ status: string; events: unknown[] }> {
  const res = await fetch(piece.receiptUrl, { headers: { accept: 'application/json' } });
  expect(res.status).toBe(200);
  return (await res.json()) as { status: string; events: unknown[] };
}

// --- mailbox --------------------------------------------------------------------------------------------------

async function mailsTo(to: string, where: (m: StoredEmail) => boolean, atLeast = 1): Promise<StoredEmail[]> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const found = (await county.mails(to)).filter(where);
    if (found.length >= atLeast || Date.now() > deadline) return found;
    await new Promise((r) => setTimeout(r, 50));
  }
}

const isReviewRequest = (receipt: string) => (m: StoredEmail) =>
  m.subject.startsWith('【待审核】') && (m.body.text?.includes(`回执号：${receipt}`) ?? false);

/** The review page's link in the newest review request an editor got for a piece (its file links come before it). */
async function reviewLink(editor: string, piece: Piece): Promise<string> {
  return reviewPageLink((await mailsTo(address(editor), isReviewRequest(piece.receipt))).at(-1));
}

const reviewPageLink = (mail: StoredEmail | undefined) => /审核页面：(\S+)/.exec(mail?.body.text ?? '')![1]!;

/** Every email this file's county has sent, after a moment for anything late to arrive. */
async function allMails(): Promise<StoredEmail[]> {
  await new Promise((r) => setTimeout(r, 150));
  return county.mails();
}

// --- what a 410 may and may not show --------------------------------------------------------------------------

const pathOf = (link: string) => new URL(link).pathname;
const tokenOf = (link: string) => pathOf(link).split('/')[2]!;

/** Every review token a response mentions (in a link, a form action, a Location). */
const reviewTokensIn = (text: string) => [...text.matchAll(/\/review\/([\w.~%-]+)/g)].map((m) => m[1]);

/** The 410 page of an expired link: the renew button of that very link, no other link, nothing of the piece. */
async function expectExpiredPage(res: Response, link: string, piece: Piece): Promise<void> {
  expect(res.status).toBe(410);
  expect(res.headers.get('location')).toBeNull();
  expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
  const page = await res.text();
  expect(page.match(/<form method="post" action="([^"]+)">/)?.[1]).toBe(`${pathOf(link)}/renew`);
  expect(page).toContain('<button type="submit">');
  expect(reviewTokensIn(page).every((t) => t === tokenOf(link))).toBe(true);
  expect(page).not.toContain('/next');
  expect(page).not.toContain('/files/');
  expect(page).not.toContain(piece.title);
  expect(page).not.toContain(LONG_BODY.slice(0, 12));
  expect(page).not.toContain('本文正文独有的一句话');
}

async function expectExpiredJson(res: Response, piece: Piece): Promise<void> {
  expect(res.status).toBe(410);
  expect(res.headers.get('location')).toBeNull();
  const text = await res.text();
  expect(JSON.parse(text)).toMatchObject({ error: 'link_expired' });
  expect(JSON.parse(text)).not.toHaveProperty('next');
  expect(text).not.toContain(piece.title);
  expect(text).not.toContain('本文正文独有的一句话');
}

// --------------------------------------------------------------------------------------------------------------

describe('审核下一篇 from an expired review link', () => {
  it('answers 410 with the renew button, no redirect and no new link, while other pieces wait', async () => {
    const piece = await submitAt(T, '过期链接的下一篇之一');
    const other = await submitAt(T, '过期链接的下一篇之二');
    const link = await reviewLink('li', piece);
    const before = (await allMails()).length;

    setClock(new Date(EXPIRED));
    await expectExpiredPage(await fetch(`${link}/next`, get), link, other);
    await expectExpiredJson(await fetch(`${link}/next`, asJson), other);
    const probed = await fetch(`${link}/next`, head);
    expect(probed.status).toBe(410);
    expect(probed.headers.get('location')).toBeNull();

    expect((await allMails()).length).toBe(before);
    expect((await statusOf(piece)).status).toBe('submitted');
    expect((await statusOf(other)).status).toBe('submitted');
  });

  it('answers 410 too once the piece of the link was decided', async () => {
    const piece = await submitAt(T, '已处理稿件的过期下一篇');
    await submitAt(T, '仍在等待的另一篇');
    const link = await reviewLink('li', piece);
    expect((await fetch(await reviewLink('wang', piece), form({ decision: 'accept' }))).status).toBe(200);

    setClock(new Date(EXPIRED));
    await expectExpiredPage(await fetch(`${link}/next`, get), link, piece);
    await expectExpiredJson(await fetch(`${link}/next`, asJson), piece);
  });

  it('leads, while the link is current, to a link that expires no later than the one it came from', async () => {
    const piece = await submitAt(T, '链式下一篇的起点');
    await submitAt(T, '链式下一篇的下一篇');
    const link = await reviewLink('li', piece);

    setClock(new Date(T + 10 * DAY_MS));
    const redirect = await fetch(`${link}/next`, get);
    expect(redirect.status).toBe(303);
    const next = url(redirect.headers.get('location')!);
    expect(tokenOf(next)).not.toBe(tokenOf(link));
    expect((await fetch(next)).status).toBe(200);

    setClock(new Date(EXPIRED));
    expect((await fetch(next)).status).toBe(410);
    const chained = await fetch(`${next}/next`, get);
    expect(chained.status).toBe(410);
    expect(chained.headers.get('location')).toBeNull();
  });
});

describe('an expired review link opened', () => {
  it('answers 410 with the renew button and none of a waiting piece, to a browser, HEAD and JSON alike', async () => {
    const piece = await submitAt(T, '过期链接打开待审核稿件');
    const link = await reviewLink('li', piece);
    const before = (await allMails()).length;

    setClock(new Date(EXPIRED));
    await expectExpiredPage(await fetch(link, get), link, piece);
    await expectExpiredJson(await fetch(link, asJson), piece);
    const probed = await fetch(link, head);
    expect(probed.status).toBe(410);
    expect(await probed.text()).toBe('');

    expect((await allMails()).length).toBe(before);
    expect((await statusOf(piece)).status).toBe('submitted');
  });

  it('answers 410 for a decided piece too, with neither its text nor who decided, whoever decided it', async () => {
    const piece = await submitAt(T, '过期链接打开已处理稿件');
    const li = await reviewLink('li', piece);
    const wang = await reviewLink('wang', piece);
    expect((await fetch(li, form({ decision: 'accept', issue: '5' }))).status).toBe(200);
    // Current, the link of another editor names who decided (README: 409 naming who decided).
    setClock(new Date(T + DAY_MS));
    const current = await fetch(wang, get);
    expect(current.status).toBe(409);
    expect(await current.text()).toContain('李编辑');

    setClock(new Date(EXPIRED));
    // The deciding editor's own link and another editor's link: the same 410.
    for (const link of [li, wang]) {
      const opened = await fetch(link, get);
      const page = await opened.clone().text();
      await expectExpiredPage(opened, link, piece);
      expect(page).not.toContain('李编辑');
      expect(page).not.toContain(piece.receipt);
      await expectExpiredJson(await fetch(link, asJson), piece);
      expect((await fetch(link, head)).status).toBe(410);
    }
  });
});

describe("an expired review link's files", () => {
  it('answer 410 with the renew button instead of the file, while a current link downloads it', async () => {
    const piece = await submitAt(T, '带附件的过期链接稿件', true);
    const link = await reviewLink('li', piece);

    setClock(new Date(T + DAY_MS));
    const page = await (await fetch(link)).text();
    const href = /<a href="([^"]+\/files\/1-\d+)" download>夜校照片\.png<\/a>/.exec(page)?.[1];
    expect(href).toBeDefined();
    const file = url(href!);
    const current = await fetch(file);
    expect(current.status).toBe(200);
    expect(Buffer.from(await current.arrayBuffer()).equals(PNG_BYTES)).toBe(true);

    setClock(new Date(EXPIRED));
    const refused = await fetch(file, get);
    expect(refused.headers.get('content-disposition')).toBeNull();
    await expectExpiredPage(refused, link, piece);
    await expectExpiredJson(await fetch(file, asJson), piece);
    const probed = await fetch(file, head);
    expect(probed.status).toBe(410);
    expect(probed.headers.get('content-disposition')).toBeNull();

    // Decided, the same.
    setClock(new Date(T + DAY_MS));
    const decided = await fetch(await reviewLink('wang', piece), form({ decision: 'reject', confirm: '1' }));
    expect(decided.status).toBe(200);
    setClock(new Date(EXPIRED));
    await expectExpiredPage(await fetch(file, get), link, piece);
  });
});

describe('a decision posted from an expired review link', () => {
  it('records nothing and emails nobody: every button, and JSON, answer 410', async () => {
    const piece = await submitAt(T, '过期链接提交的处理');
    const link = await reviewLink('li', piece);
    const before = (await allMails()).length;

    setClock(new Date(EXPIRED));
    const posts: Record<string, string>[] = [
      { decision: 'accept', issue: '7' },
      { decision: 'return', comment: '请补充数据。' },
      { decision: 'reject' },
      { decision: 'reject', confirm: '1', comment: '不符合要求。' },
      { decision: 'reject', comment: '不符合要求。', back: '1' },
      { decision: 'nonsense' },
    ];
    for (const fields of posts) await expectExpiredPage(await fetch(link, form(fields)), link, piece);
    await expectExpiredJson(await fetch(link, jsonPost({ decision: 'accept' })), piece);
    await expectExpiredJson(await fetch(link, jsonPost({ decision: 'reject', confirm: true })), piece);

    expect((await allMails()).length).toBe(before);
    expect(await statusOf(piece)).toMatchObject({ status: 'submitted', events: [expect.anything()] });
  });

  it('records nothing on a piece already decided either, and names nobody', async () => {
    const piece = await submitAt(T, '已处理后过期链接再提交');
    const li = await reviewLink('li', piece);
    expect(
      (await fetch(await reviewLink('wang', piece), form({ decision: 'return', comment: '请精简。' }))).status,
    ).toBe(200);
    const before = (await allMails()).length;

    setClock(new Date(EXPIRED));
    const posted = await fetch(li, form({ decision: 'accept' }));
    const page = await posted.clone().text();
    await expectExpiredPage(posted, li, piece);
    expect(page).not.toContain('王编辑');
    await expectExpiredJson(await fetch(li, jsonPost({ decision: 'accept' })), piece);

    expect((await allMails()).length).toBe(before);
    expect((await statusOf(piece)).events).toHaveLength(2);
  });
});

describe('renewing an expired review link', () => {
  it("emails one fresh link to the editor's own roster address, whatever the request names, and nobody else", async () => {
    const piece = await submitAt(T, '过期后重新获取链接');
    const link = await reviewLink('li', piece);
    const before = await allMails();

    setClock(new Date(EXPIRED));
    const renewed = await fetch(
      `${link}/renew`,
      form({ email: address('intruder'), to: address('intruder'), editor: address('wang') }),
    );
    expect(renewed.status).toBe(200);
    const page = await renewed.text();
    expect(page).toContain('新的链接已发到您登记的邮箱');
    expect(page).not.toContain(piece.title);
    expect(reviewTokensIn(page)).toEqual([]);

    const fresh = await mailsTo(address('li'), isReviewRequest(piece.receipt), 2);
    const sent = (await allMails()).filter((m) => !before.some((b) => b.messageId === m.messageId));
    expect(sent.map((m) => m.destination.to)).toEqual([[address('li')]]);
    expect(fresh).toHaveLength(2);
    const freshLink = reviewPageLink(fresh.at(-1));
    expect(freshLink).not.toBe(link);
    expect((await fetch(freshLink)).status).toBe(200);
    expect((await statusOf(piece)).status).toBe('submitted');
  });

  it('answers the same page, to a browser and to JSON, when there is nothing to send', async () => {
    const waiting = await submitAt(T, '仍待审核、可以重新发送');
    const decided = await submitAt(T, '已处理、无需重新发送');
    const waitingLink = await reviewLink('sun', waiting);
    const decidedLink = await reviewLink('sun', decided);
    expect((await fetch(await reviewLink('wang', decided), form({ decision: 'accept' }))).status).toBe(200);

    setClock(new Date(EXPIRED));
    const sentPage = await (await fetch(`${waitingLink}/renew`, form())).text();
    await mailsTo(address('sun'), isReviewRequest(waiting.receipt), 2);
    const before = (await allMails()).length;

    const notSent = await fetch(`${decidedLink}/renew`, form());
    expect(notSent.status).toBe(200);
    expect(await notSent.text()).toBe(sentPage);
    const notSentJson = await fetch(`${decidedLink}/renew`, jsonPost({}));
    expect(notSentJson.status).toBe(200);
    const sentJson = await fetch(`${waitingLink}/renew`, jsonPost({}));
    expect(await notSentJson.json()).toEqual(await sentJson.json());

    // Nothing for the decided piece; the waiting one's second press within the hour sends nothing more either.
    expect((await allMails()).length).toBe(before);
    expect((await statusOf(decided)).events).toHaveLength(2);
  });
});

describe('forged and revoked links, expired or not', () => {
  it('answers 403, not 410, to an expired token signed with another key, on every route, sending nothing', async () => {
    const piece = await submitAt(T, '伪造的过期链接');
    const link = await reviewLink('li', piece);
    const [payload = ''] = tokenOf(link).split('.');
    const { p: _purpose, ...claims } = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<
      string,
      string | number
    >;
    const forged = `/review/${signToken(randomBytes(32), 'review', claims)}`;
    const before = (await allMails()).length;

    setClock(new Date(EXPIRED));
    for (const [path, init] of [
      [forged, get],
      [forged, head],
      [`${forged}/next`, get],
      [`${forged}/files/1-1`, get],
      [forged, form({ decision: 'accept' })],
      [`${forged}/renew`, form()],
    ] as const) {
      expect([path.slice(-12), init.method ?? 'GET', (await fetch(url(path), init)).status]).toEqual([
        path.slice(-12),
        init.method ?? 'GET',
        403,
      ]);
    }
    const asJsonClient = await fetch(url(`${forged}/renew`), jsonPost({}));
    expect(asJsonClient.status).toBe(403);
    expect(await asJsonClient.json()).toMatchObject({ error: 'invalid_link' });

    expect((await allMails()).length).toBe(before);
    expect((await statusOf(piece)).status).toBe('submitted');
  });

  it("answers 403, not 410, on every route of a revoked editor's expired link, and shows nothing of the piece", async () => {
    const piece = await submitAt(T, '撤销后过期的链接', true);
    const link = await reviewLink('sun', piece);
    setClock(new Date(T + DAY_MS));
    const file = /<a href="([^"]+\/files\/1-\d+)" download>/.exec(await (await fetch(link)).text())?.[1];
    expect((await fetch(url(file!))).status).toBe(200);
    await revokePerson(address('sun'));

    setClock(new Date(EXPIRED));
    for (const [path, init] of [
      [link, get],
      [link, head],
      [`${link}/next`, get],
      [url(file!), get],
      [link, form({ decision: 'accept' })],
    ] as const) {
      const res = await fetch(path, init);
      expect([path.slice(-12), init.method ?? 'GET', res.status]).toEqual([path.slice(-12), init.method ?? 'GET', 403]);
      expect(res.headers.get('location')).toBeNull();
      const text = await res.text();
      expect(text).not.toContain(piece.title);
      if (init.method !== 'HEAD') expect(text).toContain(`${pathOf(link)}/renew`);
    }
    expect((await statusOf(piece)).status).toBe('submitted');
  });
});
