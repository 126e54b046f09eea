// Editors deciding pieces from the links in their mailbox, over real HTTP through the local gateway: opening a link
// changes nothing, one decision per revision however many editors press at once, links that cannot be used say why
// (403 forged, 409 decided or superseded, 410 expired with a fresh link by email), the informant and the other
// editors are told, revision rounds keep one receipt number, and untrusted text stays text.
import { randomBytes } from 'node:crypto';
import { setClock } from '../../../shared/core/clock';
import { signToken } from '../../../shared/links/tokens';
import { issueStats } from '../../../shared/reports/issueStats';
import { importRoster } from '../../../shared/roster/importRoster';
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

const EDITORS = { wang: '王编辑', li: '李编辑', liu: '刘编辑' } as const;
type Editor = keyof typeof EDITORS;
const EDITOR_IDS = Object.keys(EDITORS) as Editor[];

const address = (name: string) => `${name}@${county.domain}`;
const DAY_MS = 86_400_000;
/** 2026-06-15 10:00 in Asia/Shanghai. */
const T = new Date('2026-06-15T02:00:00Z').getTime();

beforeAll(async () => {
  county = await startTestCounty();
  const d = county.domain;
  const imported = await importRoster(
    [
      '单位,姓名,邮箱,手机,角色',
      `城关镇党委,张伟,zhang@${d},,信息员`,
      `县委组织部信息科,王编辑,wang@${d},,编辑`,
      `县委组织部信息科,李编辑,li@${d},,编辑`,
      `县委组织部信息科,刘编辑,liu@${d},,编辑`,
      `县委组织部,赵部长,leader@${d},,领导`,
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

const url = (path: string) => `${county.baseUrl}${path}`;
const tokenOf = (link: string) => new URL(link).pathname.split('/')[2]!;

interface Piece {
  receipt: string;
  title: string;
  /** The informant's receipt page. */
  receiptUrl: string;
}

async function submit(title: string, body = LONG_BODY): Promise<Piece> {
  const res = await fetch(url('/submissions'), jsonPost({ k, kind: 'info', title, body }));
  expect(res.status).toBe(201);
  const { id, receipt } = (await res.json()) as { id: string; receipt: string };
  return { receipt, title, receiptUrl: url(`/submissions/${id}?k=${encodeURIComponent(k)}`) };
}

async function statusOf(piece: Piece): Promise<{ status: string; title: string; events: { type: string }[] }> {
  const res = await fetch(piece.receiptUrl, { headers: { accept: 'application/json' } });
  expect(res.status).toBe(200);
  return (await res.json()) as { status: string; title: string; events: { type: string }[] };
}

// --- mailbox --------------------------------------------------------------------------------------------------

/** Mail to `to` matching `where`; waits (briefly) until at least `atLeast` are there. */
async function mailsTo(to: string, where: (m: StoredEmail) => boolean, atLeast = 1): Promise<StoredEmail[]> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const found = (await county.mails(to)).filter(where);
    if (found.length >= atLeast || Date.now() > deadline) return found;
    await new Promise((r) => setTimeout(r, 50));
  }
}

const about = (receipt: string) => (m: StoredEmail) => m.body.text?.includes(receipt) ?? false;

/** The review requests an editor got for one revision of a piece, oldest first. */
function reviewRequests(editor: Editor, receipt: string, revision = 1, atLeast = 1): Promise<StoredEmail[]> {
  return mailsTo(
    address(editor),
    (m) =>
      m.subject.startsWith('【待审核】') &&
      (m.body.text?.includes(`回执号：${receipt}`) ?? false) &&
      (m.body.text?.includes(`稿次：第 ${revision} 稿`) ?? false),
    atLeast,
  );
}

/** The newest review link an editor got for one revision of a piece. */
async function reviewLink(editor: Editor, receipt: string, revision = 1): Promise<string> {
  return linkIn((await reviewRequests(editor, receipt, revision)).at(-1), '/review/');
}

/** What the informant was told about a decision on a piece. */
const decisionMails = (piece: Piece, atLeast = 1) =>
  mailsTo(
    address('zhang'),
    (m) => /^您的稿件(已采用|需要修改|未予采用)/.test(m.subject) && about(piece.receipt)(m),
    atLeast,
  );

const handledNotices = (editor: Editor, piece: Piece) =>
  county
    .mails(address(editor))
    .then((all) => all.filter((m) => m.subject.startsWith('已由 ') && about(piece.receipt)(m)));

const mailCount = async () => (await county.mails()).length;

// --------------------------------------------------------------------------------------------------------------

describe('opening a review link', () => {
  it('shows the whole piece, its timeline and three buttons, runs no script, and the email says until when it works', async () => {
    const piece = await submit('“夜校课堂”让党员学习常态化');
    const [request] = await reviewRequests('wang', piece.receipt);
    expect(request?.subject).toBe(`【待审核】信息｜城关镇党委：${piece.title}`);
    for (const shown of ['单位：城关镇党委', '信息员：张伟', '类型：信息', piece.title, LONG_BODY]) {
      expect(request?.body.text).toContain(shown);
    }
    expect(request?.body.text).toMatch(/有效期至 \d{4}年\d{1,2}月\d{1,2}日/);

    const opened = await fetch(linkIn(request, '/review/'));
    expect(opened.status).toBe(200);
    expect(opened.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const csp = opened.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toMatch(/script-src/);
    expect(opened.headers.get('referrer-policy')).toBe('no-referrer');
    const page = await opened.text();
    expect(page).not.toMatch(/<script/i);
    for (const shown of [piece.title, LONG_BODY, '城关镇党委', '张伟', piece.receipt, '提交（第 1 稿）']) {
      expect(page).toContain(shown);
    }
    expect(page).toContain('<form method="post"');
    // Three buttons that look different by meaning; 不予采用 apart, and asked once more.
    expect(page).toContain('<button type="submit" name="decision" value="accept" class="accept">采用</button>');
    expect(page).toContain('<button type="submit" name="decision" value="return" class="return">退回修改</button>');
    expect(page).toContain(
      '<button type="submit" name="decision" value="reject" class="reject apart">不予采用…</button>',
    );
    expect(page).toContain('name="issue"');
    expect(page).toContain('name="comment"');
  });

  it('changes nothing however often it is opened or probed with HEAD, so a mail scanner cannot decide', async () => {
    const piece = await submit('党员积分管理激发队伍活力');
    const link = await reviewLink('li', piece.receipt);
    const before = await mailCount();

    for (let i = 0; i < 3; i++) expect((await fetch(link)).status).toBe(200);
    for (let i = 0; i < 2; i++) {
      const head = await fetch(link, { method: 'HEAD' });
      expect(head.status).toBe(200);
      expect(await head.text()).toBe('');
    }
    expect((await fetch(link, { headers: { accept: 'application/json' } })).status).toBe(200);

    expect(await mailCount()).toBe(before);
    const receipt = await (await fetch(piece.receiptUrl)).text();
    expect(receipt).toContain('待审核');
    expect((await statusOf(piece)).status).toBe('submitted');

    const decided = await fetch(link, form({ decision: 'accept' }));
    expect(decided.status).toBe(200);
    expect((await statusOf(piece)).status).toBe('accepted');
  });
});

describe('deciding a revision', () => {
  it('records exactly one of twenty simultaneous decisions from three editors and tells the others who decided', async () => {
    const piece = await submit('抓党建促乡村振兴的三点做法');
    const links = await Promise.all(EDITOR_IDS.map((editor) => reviewLink(editor, piece.receipt)));
    const choices = [
      { decision: 'accept', issue: '5', comment: '好稿。' },
      { decision: 'reject', comment: '与本县工作关联不大。', confirm: '1' },
      { decision: 'return', comment: '请补充数据。' },
    ] as const;
    const labels = { accept: '采用', reject: '不予采用', return: '退回修改' };
    const recorded = { accept: 'accepted', reject: 'rejected', return: 'returned' };
    const racers = Array.from({ length: 20 }, (_, i) => ({
      editor: EDITOR_IDS[i % 3]!,
      link: links[i % 3]!,
      fields: choices[i % 3]!,
    }));

    const answers = await Promise.all(racers.map((r) => fetch(r.link, form(r.fields))));
    const pages = await Promise.all(answers.map((a) => a.text()));

    const statuses = answers.map((a) => a.status);
    // One decision wins. Its editor's other clicks with the same decision are answered as done (the same decision,
    // once); every other attempt is told who decided.
    const winner = racers[statuses.indexOf(200)]!;
    const winnerName = EDITORS[winner.editor];
    const same = (r: (typeof racers)[number]) => r.editor === winner.editor && r.fields === winner.fields;
    expect(statuses.filter((s) => s === 200)).toHaveLength(racers.filter(same).length);
    expect(racers.filter((r, i) => statuses[i] === 200 && !same(r))).toEqual([]);
    expect(statuses.filter((s) => s === 409)).toHaveLength(racers.filter((r) => !same(r)).length);
    for (const [i, page] of pages.entries()) {
      if (statuses[i] !== 409) continue;
      expect(page).toContain(`已由 ${winnerName} 于`);
      expect(page).toContain(`处理：${labels[winner.fields.decision]}`);
    }

    const { status, events } = await statusOf(piece);
    expect(events.map((e) => e.type)).toEqual(['submitted', recorded[winner.fields.decision]]);
    expect(status).toBe(events[1]?.type);
    await new Promise((r) => setTimeout(r, 200));
    expect(await decisionMails(piece)).toHaveLength(1);
    for (const editor of EDITOR_IDS) {
      expect(await handledNotices(editor, piece)).toHaveLength(editor === winner.editor ? 0 : 1);
    }
  });

  it('answers a JSON client with the decision, and with already_decided for every later attempt', async () => {
    const piece = await submit('机关党建“三服务”做法');
    const wang = await reviewLink('wang', piece.receipt);
    const li = await reviewLink('li', piece.receipt);

    const accepted = await fetch(wang, jsonPost({ decision: 'accept', issue: '8', comment: '数据翔实。' }));
    expect(accepted.status).toBe(200);
    expect(accepted.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await accepted.json()).toEqual({ receipt: piece.receipt, revision: 1, decision: 'accepted' });

    for (const link of [wang, li]) {
      const again = await fetch(link, jsonPost({ decision: 'reject' }));
      expect(again.status).toBe(409);
      expect(await again.json()).toMatchObject({ error: 'already_decided', decision: 'accepted', editor: '王编辑' });
    }
    const opened = await fetch(li);
    expect(opened.status).toBe(409);
    expect(await opened.text()).toContain('已由 王编辑 于');
    expect((await statusOf(piece)).events).toHaveLength(2);
    const [mail] = await decisionMails(piece);
    expect(mail?.subject).toBe(`您的稿件已采用（《组工专报》第 8 期）：${piece.title}`);
    expect(mail?.body.text).toContain('第 8 期');
    expect(mail?.body.text).toContain('编辑点评：数据翔实。');
  });

  it('tells the informant the reason for a rejection, and the other editors, but not the deciding one, who handled it', async () => {
    const piece = await submit('某村民小组环境整治情况');
    const link = await reviewLink('wang', piece.receipt);
    const reason = '内容属于日常工作，与党建关联不大，建议改投县融媒体中心。';

    const rejected = await fetch(link, form({ decision: 'reject', comment: reason, confirm: '1' }));
    expect(rejected.status).toBe(200);
    expect(await rejected.text()).toContain('已处理：不予采用');

    const [told] = await decisionMails(piece);
    expect(told?.subject).toBe(`您的稿件未予采用：${piece.title}`);
    expect(told?.body.text).toContain(`原因：${reason}`);
    expect(told?.body.html).toContain(reason);
    for (const editor of ['li', 'liu'] as const) {
      const notices = await handledNotices(editor, piece);
      expect(notices).toHaveLength(1);
      expect(notices[0]?.subject).toBe(`已由 王编辑 处理（不予采用）：${piece.title}`);
      expect(notices[0]?.body.text).toContain('处理：不予采用');
    }
    expect(await handledNotices('wang', piece)).toHaveLength(0);
    expect((await statusOf(piece)).status).toBe('rejected');
  });

  it('refuses a return without feedback with the form again, keeping what the editor typed, and records nothing', async () => {
    const piece = await submit('党员志愿服务队走进社区');
    const link = await reviewLink('liu', piece.receipt);
    const before = await mailCount();

    const noFeedback = await fetch(link, form({ decision: 'return', issue: '7', comment: '  ' }));
    expect(noFeedback.status).toBe(400);
    const again = await noFeedback.text();
    expect(again).toContain('退回修改时请填写修改意见');
    expect(again).toContain('value="7"');
    expect(again).toContain(piece.title);
    expect(again).toContain('<button type="submit" name="decision" value="return" class="return">退回修改</button>');

    const unknown = await fetch(link, form({ decision: 'approve', issue: '12', comment: '很好的稿件，建议采用。' }));
    expect(unknown.status).toBe(400);
    const unknownPage = await unknown.text();
    expect(unknownPage).toContain('请选择处理结果');
    expect(unknownPage).toContain('value="12"');
    expect(unknownPage).toContain('>很好的稿件，建议采用。</textarea>');

    expect((await fetch(link, form({}))).status).toBe(400);
    expect((await fetch(link, form({ decision: 'accept', issue: '十二' }))).status).toBe(400);
    expect(await mailCount()).toBe(before);
    expect((await statusOf(piece)).status).toBe('submitted');

    const returned = await fetch(link, form({ decision: 'return', comment: '请补充服务人次。' }));
    expect(returned.status).toBe(200);
  });

  it('asks once more before 不予采用: the first press records nothing, 返回修改 keeps the reason, 确认 records it', async () => {
    const piece = await submit('需要确认才能不予采用的稿件');
    const link = await reviewLink('wang', piece.receipt);
    const reason = '与本县工作关联不大。';
    const before = await mailCount();

    const asked = await fetch(link, form({ decision: 'reject', comment: reason }));
    expect(asked.status).toBe(200);
    const confirmPage = await asked.text();
    expect(confirmPage).toContain('确认不予采用');
    expect(confirmPage).toContain('决定后无法撤销');
    expect(confirmPage).toContain(`原因：${reason}`);
    expect(confirmPage).toContain('name="confirm" value="1"');
    expect((await statusOf(piece)).events).toHaveLength(1);
    const asJson = await fetch(link, jsonPost({ decision: 'reject' }));
    expect(asJson.status).toBe(428);
    expect(await asJson.json()).toMatchObject({ error: 'confirmation_required' });

    const back = await fetch(link, form({ decision: 'reject', comment: reason, back: '1' }));
    expect(back.status).toBe(200);
    const again = await back.text();
    expect(again).toContain('name="decision" value="accept"');
    expect(again).toContain(reason);
    expect((await statusOf(piece)).events).toHaveLength(1);
    expect(await mailCount()).toBe(before);

    const confirmed = await fetch(link, form({ decision: 'reject', comment: reason, confirm: '1' }));
    expect(confirmed.status).toBe(200);
    expect(await confirmed.text()).toContain('已处理：不予采用');
    expect((await statusOf(piece)).status).toBe('rejected');
  });

  it('ends at 处理完成 with the piece and one click to the next waiting piece; a refresh decides nothing again', async () => {
    await submit('等待审核的下一篇');
    const piece = await submit('先审核的这一篇');
    const link = await reviewLink('li', piece.receipt);
    const fields = { decision: 'accept', issue: '3' };

    const done = await fetch(link, form(fields));
    expect(done.status).toBe(200);
    const page = await done.text();
    expect(page).toContain('处理完成');
    expect(page).toContain('已处理：采用，编入《组工专报》第 3 期');
    expect(page).toContain(piece.title);
    const next = page.match(/<a class="button" href="([^"]+)">审核下一篇<\/a>/)?.[1];
    expect(next).toBe(`${new URL(link).pathname}/next`);
    // Found when clicked (opening it changes nothing): the oldest other piece waiting, with a link of this editor's.
    const redirect = await fetch(url(next!), { redirect: 'manual' });
    expect(redirect.status).toBe(303);
    expect(redirect.headers.get('location')).toMatch(/^\/review\/[\w.-]+$/);
    const opened = await fetch(url(redirect.headers.get('location')!));
    expect(opened.status).toBe(200);
    expect(await opened.text()).toContain('审核人：李编辑');

    const refreshed = await fetch(link, form(fields));
    expect(refreshed.status).toBe(200);
    expect(await refreshed.text()).toContain('处理完成');
    expect((await statusOf(piece)).events).toHaveLength(2);
    await new Promise((r) => setTimeout(r, 200));
    expect(await decisionMails(piece)).toHaveLength(1);
    // Reopened by the same editor later: done, not a conflict.
    expect((await fetch(link)).status).toBe(200);
  });

  it('answers a JSON client with the field errors of a missing feedback or an unknown decision', async () => {
    const piece = await submit('“红色物业”破解小区治理难题');
    const link = await reviewLink('wang', piece.receipt);

    const noFeedback = await fetch(link, jsonPost({ decision: 'return' }));
    expect(noFeedback.status).toBe(400);
    expect(await noFeedback.json()).toEqual({ errors: [{ field: 'comment', message: expect.any(String) }] });
    const unknown = await fetch(link, jsonPost({ decision: 'publish' }));
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toEqual({ errors: [{ field: 'decision', message: expect.any(String) }] });

    expect((await statusOf(piece)).status).toBe('submitted');
    expect((await fetch(link)).status).toBe(200);
  });
});

describe('a review link that cannot be used', () => {
  it('answers 410 once expired, with a button that emails that editor a fresh link which works', async () => {
    setClock(new Date(T));
    const piece = await submit('组织生活会质量提升做法');
    const [request] = await reviewRequests('li', piece.receipt);
    expect(request?.body.text).toContain('有效期至 2026年6月29日');
    const expired = linkIn(request, '/review/');

    setClock(new Date(T + 15 * DAY_MS));
    const opened = await fetch(expired);
    expect(opened.status).toBe(410);
    const page = await opened.text();
    const action = page.match(/<form method="post" action="([^"]+)">/)?.[1];
    expect(action).toBe(`/review/${tokenOf(expired)}/renew`);
    expect(page).toContain('<button type="submit">');
    expect((await fetch(expired, form({ decision: 'accept' }))).status).toBe(410);
    expect((await statusOf(piece)).status).toBe('submitted');

    const renewed = await fetch(url(action!), form());
    expect(renewed.status).toBe(200);
    expect(await renewed.text()).toContain('新的链接已发到您登记的邮箱');

    const requests = await reviewRequests('li', piece.receipt, 1, 2);
    expect(requests).toHaveLength(2);
    expect((await reviewRequests('wang', piece.receipt)).length).toBe(1);
    expect((await reviewRequests('liu', piece.receipt)).length).toBe(1);
    expect(requests[1]?.body.text).toContain('有效期至 2026年7月14日');
    const fresh = linkIn(requests[1], '/review/');
    expect(fresh).not.toBe(expired);
    expect((await fetch(fresh)).status).toBe(200);
    const decided = await fetch(fresh, form({ decision: 'accept', issue: '3' }));
    expect(decided.status).toBe(200);
    expect((await statusOf(piece)).status).toBe('accepted');
  });

  it('tells who decided while a link is current, and once it has expired answers 410 and nothing of the piece', async () => {
    setClock(new Date(T));
    const piece = await submit('过期链接打开已处理的稿件');
    const oldLink = await reviewLink('liu', piece.receipt);
    expect((await fetch(await reviewLink('wang', piece.receipt), form({ decision: 'accept' }))).status).toBe(200);
    const current = await fetch(oldLink);
    expect(current.status).toBe(409);
    expect(await current.text()).toContain('王编辑');

    // An expired link is answered before the piece's state (see expiredLink.test.ts for every route under it).
    setClock(new Date(T + 20 * DAY_MS));
    const opened = await fetch(oldLink);
    expect(opened.status).toBe(410);
    const page = await opened.text();
    expect(page).not.toContain('王编辑');
    expect(page).not.toContain(piece.title);
  });

  it('refuses forged, malformed and cross-purpose tokens with 403 and changes nothing', async () => {
    const piece = await submit('基层党组织书记擂台比武');
    const link = await reviewLink('wang', piece.receipt);
    const token = tokenOf(link);
    const [payload = '', signature = ''] = token.split('.');
    // A piece returned to the informant, for a genuine revise link.
    const other = await submit('发展党员“双推双评”工作法');
    expect(
      (await fetch(await reviewLink('wang', other.receipt), form({ decision: 'return', comment: '请精简。' }))).status,
    ).toBe(200);
    const reviseToken = tokenOf(linkIn((await decisionMails(other))[0], '/revise/'));

    const flip = (c: string) => (c === 'A' ? 'B' : 'A');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, string | number>;
    const tampered = Buffer.from(JSON.stringify({ ...claims, r: 2 })).toString('base64url');
    const { p: _purpose, ...unsigned } = claims;
    const refused = {
      'signature with one character changed': `${payload}.${flip(signature[0]!)}${signature.slice(1)}`,
      'payload changed under the old signature': `${tampered}.${signature}`,
      'signed with another key': signToken(randomBytes(32), 'review', unsigned),
      malformed: 'abc',
      "the informant's personal key": k,
      'a revise token': reviseToken,
    };
    const before = await mailCount();
    for (const [what, bad] of Object.entries(refused)) {
      const path = `/review/${encodeURIComponent(bad)}`;
      expect([what, (await fetch(url(path))).status]).toEqual([what, 403]);
      expect([what, (await fetch(url(path), { method: 'HEAD' })).status]).toEqual([what, 403]);
      expect([what, (await fetch(url(path), form({ decision: 'accept' }))).status]).toEqual([what, 403]);
      const asJson = await fetch(url(path), jsonPost({ decision: 'reject' }));
      expect([what, asJson.status]).toEqual([what, 403]);
      expect(await asJson.json()).toMatchObject({ error: 'invalid_link' });
      expect([what, (await fetch(url(`${path}/renew`), form())).status]).toEqual([what, 403]);
      expect([what, (await fetch(url(`${path}/next`), { redirect: 'manual' })).status]).toEqual([what, 403]);
    }
    for (const bad of [token, k, 'abc']) {
      const path = `/revise/${encodeURIComponent(bad)}`;
      expect((await fetch(url(path))).status).toBe(403);
      expect((await fetch(url(path), form({ kind: 'info', title: '冒用', body: LONG_BODY }))).status).toBe(403);
      expect((await fetch(url(`${path}/renew`), form())).status).toBe(403);
    }

    expect(await mailCount()).toBe(before);
    expect((await statusOf(piece)).status).toBe('submitted');
    expect((await statusOf(other)).status).toBe('returned');
    expect((await fetch(link)).status).toBe(200);
    expect((await fetch(url(`/revise/${reviseToken}`))).status).toBe(200);
  });

  it('answers 409 已有新版本 for the links of a revision that was revised, and for a revise link used twice', async () => {
    const piece = await submit('党员教育“微课堂”');
    const wang = await reviewLink('wang', piece.receipt);
    const li = await reviewLink('li', piece.receipt);
    expect((await fetch(wang, form({ decision: 'return', comment: '标题再凝练些。' }))).status).toBe(200);
    const revise = linkIn((await decisionMails(piece))[0], '/revise/');
    const revision = { kind: 'info', title: '党员教育“微课堂”见实效', body: `${LONG_BODY}（修改稿）` };
    expect((await fetch(revise, form(revision))).status).toBe(303);
    const before = await mailCount();

    for (const link of [wang, li]) {
      const opened = await fetch(link);
      expect(opened.status).toBe(409);
      expect(await opened.text()).toContain('已有新版本');
      const decided = await fetch(link, form({ decision: 'accept' }));
      expect(decided.status).toBe(409);
      expect(await decided.text()).toContain('已有新版本');
    }
    const asJson = await fetch(li, jsonPost({ decision: 'accept' }));
    expect(asJson.status).toBe(409);
    expect(await asJson.json()).toMatchObject({ error: 'superseded' });

    expect((await fetch(revise)).status).toBe(409);
    const twice = await fetch(revise, form({ ...revision, title: '另一个标题' }));
    expect(twice.status).toBe(409);
    expect(await twice.text()).toContain('已有新版本');

    expect(await mailCount()).toBe(before);
    const { status, events } = await statusOf(piece);
    expect(status).toBe('revised');
    expect(events).toHaveLength(3);
    expect((await fetch(await reviewLink('li', piece.receipt, 2))).status).toBe(200);
    // The revise link, once used, says what became of the draft it sent; the old review page offers the new link.
    expect(await (await fetch(revise)).text()).toContain('修改稿（第 2 稿）已经提交，正在等待审核');
    const stale = await (await fetch(wang)).text();
    expect(stale).toContain('把新稿的审核链接发到我的邮箱');
    const renewed = await fetch(url(new URL(`${wang}/renew`).pathname), form());
    expect(renewed.status).toBe(200);
    const fresh = linkIn((await reviewRequests('wang', piece.receipt, 2, 2)).at(-1), '/review/');
    const freshPage = await fetch(fresh);
    expect(freshPage.status).toBe(200);
    expect(await freshPage.text()).toContain('党员教育“微课堂”见实效');
  });
});

describe('revision rounds', () => {
  it('keeps the receipt number through two returns and revisions, and the receipt page shows every round', async () => {
    const piece = await submit('城关镇“党建+网格”治理');
    const firstFeedback = '请补充网格员数量和群众满意度数据。';
    const secondFeedback = '第三部分与第一部分重复，请合并。';

    expect(
      (await fetch(await reviewLink('wang', piece.receipt), form({ decision: 'return', comment: firstFeedback })))
        .status,
    ).toBe(200);
    const [firstReturn] = await mailsTo(address('zhang'), (m) => m.subject === `您的稿件需要修改：${piece.title}`);
    expect(firstReturn?.body.text).toContain(firstFeedback);
    const firstRevise = linkIn(firstReturn, '/revise/');
    const reviseForm = await fetch(firstRevise);
    expect(reviseForm.status).toBe(200);
    const reviseFormPage = await reviseForm.text();
    for (const shown of [firstFeedback, piece.title, LONG_BODY, piece.receipt]) expect(reviseFormPage).toContain(shown);
    const tooShort = await fetch(firstRevise, form({ kind: 'info', title: piece.title, body: '太短了。' }));
    expect(tooShort.status).toBe(400);
    expect(await tooShort.text()).toContain('正文至少 20 字');

    const second = { kind: 'info', title: '城关镇“党建+网格”治理（二稿）', body: `${LONG_BODY}全镇划分网格四十个。` };
    const revised = await fetch(firstRevise, form(second));
    expect(revised.status).toBe(303);
    expect(revised.headers.get('location')).toContain(`/submissions/${piece.receipt}?r=`);
    for (const editor of EDITOR_IDS) {
      const [request] = await reviewRequests(editor, piece.receipt, 2);
      expect(request?.subject).toBe(`【待审核】信息｜城关镇党委：${second.title}（第 2 稿）`);
      expect(request?.body.text).toContain(`第 1 稿退回意见：${firstFeedback}`);
      // What changed is marked: the sentence added, the title changed.
      expect(request?.body.text).toContain('修改之处（与第 1 稿相比：新增 10 字，删除 0 字。');
      expect(request?.body.text).toContain('〔+全镇划分网格四十个。〕');
      expect(request?.body.html).toContain('全镇划分网格四十个。</ins>');
      expect(request?.body.html).toContain(`<del style="color:#8a1c1c">${piece.title}</del>`);
    }
    const secondPage = await (await fetch(await reviewLink('wang', piece.receipt, 2))).text();
    expect(secondPage).toContain('<h2>修改之处</h2>');
    expect(secondPage).toContain('<ins>全镇划分网格四十个。</ins>');
    const [secondAck] = await mailsTo(address('zhang'), (m) =>
      m.subject.startsWith(`已收到您的修改稿（回执号 ${piece.receipt}，第 2 稿）`),
    );
    expect(secondAck).toBeDefined();

    expect(
      (await fetch(await reviewLink('li', piece.receipt, 2), form({ decision: 'return', comment: secondFeedback })))
        .status,
    ).toBe(200);
    const [secondReturn] = await mailsTo(address('zhang'), (m) => m.subject === `您的稿件需要修改：${second.title}`);
    const third = {
      kind: 'info',
      title: '城关镇“党建+网格”治理（三稿）',
      body: `${LONG_BODY}群众满意度达百分之九十六。`,
    };
    const revisedAgain = await fetch(linkIn(secondReturn, '/revise/'), jsonPost(third));
    expect(revisedAgain.status).toBe(201);
    expect(await revisedAgain.json()).toMatchObject({ receipt: piece.receipt, revision: 3, status: 'revised' });

    const accepted = await fetch(
      await reviewLink('liu', piece.receipt, 3),
      form({ decision: 'accept', issue: '12', comment: '修改到位。' }),
    );
    expect(accepted.status).toBe(200);
    expect(await accepted.text()).toContain('编入《组工专报》第 12 期');
    const [acceptMail] = await mailsTo(
      address('zhang'),
      (m) => m.subject === `您的稿件已采用（《组工专报》第 12 期）：${third.title}`,
    );
    expect(acceptMail?.body.text).toContain('第 12 期');
    expect(acceptMail?.body.text).toContain('编辑点评：修改到位。');

    // An old revise link after the acceptance says the piece was accepted, not just that a draft was sent.
    expect(await (await fetch(firstRevise)).text()).toContain(
      '修改稿（第 3 稿）已经提交，并已采用（编入《组工专报》第 12 期）',
    );
    const receipt = await (await fetch(piece.receiptUrl)).text();
    for (const shown of [
      piece.receipt,
      '已采用',
      third.title,
      '提交（第 1 稿）',
      '王编辑：退回修改',
      firstFeedback,
      '提交修改稿（第 2 稿）',
      '李编辑：退回修改',
      secondFeedback,
      '提交修改稿（第 3 稿）',
      '刘编辑：采用，编入《组工专报》第 12 期',
      '修改到位。',
    ]) {
      expect(receipt).toContain(shown);
    }
    const { events } = await statusOf(piece);
    expect(events.map((e) => e.type)).toEqual(['submitted', 'returned', 'revised', 'returned', 'revised', 'accepted']);
  });
});

describe('untrusted text', () => {
  it('shows script and markup in a title, body and feedback as text in pages and emails', async () => {
    const title = `<script>alert('t')</script>《夜校》`;
    const body = `<img src=x onerror=alert(1)>${LONG_BODY}</textarea><script>alert(2)</script>`;
    const comment = '<script>alert(3)</script>请修改。';
    const piece = await submit(title, body);
    const [request] = await reviewRequests('wang', piece.receipt);
    const link = linkIn(request, '/review/');
    const reviewPage = await (await fetch(link)).text();

    expect(request?.subject).toContain(title);
    expect(request?.body.html).toContain('&lt;script&gt;alert(&#39;t&#39;)&lt;/script&gt;');
    for (const shown of [request?.body.html ?? '', reviewPage]) {
      expect(shown).toContain('&lt;img src=x onerror=alert(1)&gt;');
      expect(shown).toContain('&lt;/textarea&gt;&lt;script&gt;alert(2)&lt;/script&gt;');
      expect(shown).not.toMatch(/<script|<img/i);
    }

    expect((await fetch(link, form({ decision: 'return', comment }))).status).toBe(200);
    const [returned] = await decisionMails(piece);
    expect(returned?.body.html).toContain('&lt;script&gt;alert(3)&lt;/script&gt;');
    const [notice] = await handledNotices('li', piece);
    const revisePage = await (await fetch(linkIn(returned, '/revise/'))).text();
    const receiptPage = await (await fetch(piece.receiptUrl)).text();
    for (const shown of [returned?.body.html ?? '', notice?.body.html ?? '', revisePage, receiptPage]) {
      expect(shown).toContain('&lt;script&gt;');
      expect(shown).not.toMatch(/<script|<img/i);
    }
  });

  it('never lets a line break in a title reach an email subject', async () => {
    const evil = address('evil');
    const title = `第一行\r\n第二行\nBcc: ${evil}\r\n\r\n注入的正文`;
    const piece = await submit(title);
    expect((await statusOf(piece)).title).toBe(`第一行 第二行 Bcc: ${evil} 注入的正文`);
    const link = await reviewLink('wang', piece.receipt);
    expect((await fetch(link, jsonPost({ decision: 'return', comment: '标题\r\n太长。' }))).status).toBe(200);
    const revise = linkIn((await decisionMails(piece))[0], '/revise/');
    const revised = await fetch(revise, jsonPost({ kind: 'info', title: `修改稿\r\nCc: ${evil}`, body: LONG_BODY }));
    expect(revised.status).toBe(201);
    expect((await fetch(await reviewLink('li', piece.receipt, 2), form({ decision: 'accept' }))).status).toBe(200);

    const mails = (await county.mails()).filter(about(piece.receipt));
    // ack, 3 review requests, return, 2 notices, ack, 3 review requests, acceptance, 2 notices
    expect(mails.length).toBeGreaterThanOrEqual(14);
    for (const mail of await county.mails()) expect(mail.subject).not.toMatch(/[\r\n]/);
    expect(await county.mails(evil)).toHaveLength(0);
  });
});

describe('《组工专报》 in numbers', () => {
  it('counts the distinct issues and the accepted pieces of a year', async () => {
    setClock(new Date('2031-03-10T02:00:00Z'));
    const accept = async (title: string, fields: Record<string, string>) => {
      const piece = await submit(title);
      expect((await fetch(await reviewLink('wang', piece.receipt), form(fields))).status).toBe(200);
      return piece.receipt;
    };
    const first = await accept('第十二期头条', { decision: 'accept', issue: '12' });
    const second = await accept('第十二期二条', { decision: 'accept', issue: '第12期' });
    const third = await accept('第十三期头条', { decision: 'accept', issue: '13' });
    await accept('未采用的一篇', { decision: 'reject', confirm: '1' });

    expect(await issueStats(2031)).toEqual({
      year: 2031,
      accepted: 3,
      issues: [
        { issueNo: 12, receipts: [first, second].sort() },
        { issueNo: 13, receipts: [third] },
      ],
      acceptedWithoutIssue: 0,
    });
    expect((await issueStats(2030)).accepted).toBe(0);
  });
});
