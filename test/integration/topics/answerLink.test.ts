// The 点题 email's answer link over real HTTP, through the mailbox, on a fixed clock: the email carries a link scoped
// to answering its topic and the read-only 我的报送 link, never the personal key; the link opens the form with that
// topic alone, chosen; it submits a piece answering the topic (which shows in the topic's responses) and lands on a
// page with no personal key; it refuses another topic, no topic, or a research task, writing nothing; it ends with
// the topic's due day (410, pointing to the front page), with the topic closed early (410), and with a revoke (403).
import { setClock } from '../../../shared/core/clock';
import { config } from '../../../shared/core/config';
import { importRoster } from '../../../shared/roster/importRoster';
import { personIdOf, unitIdOf } from '../../../shared/store/keys';
import { LONG_BODY, linkIn, startTestCounty, type TestCounty } from '../../support/harness';
import { type FoundToken, mailTokens, purposesOf, tokensIn } from '../../support/linkTokens';
import { type DeskSession, form, jsonPost, signIn, submitKeyOf, tableSnapshot, wantsJson } from '../desk/deskSupport';

let county: TestCounty;
let desk: DeskSession;
/** 2026-11-10 10:00 Asia/Shanghai. */
const T0 = new Date('2026-11-10T02:00:00Z');
const DUE = '2026-11-30';
/** 2026-12-01 00:00 Asia/Shanghai: the end of the due day. */
const END_OF_DUE = new Date('2026-11-30T16:00:00Z');
const topics = { main: '', other: '', early: '' };
const links = { zhang: '', early: '' };

const address = (name: string) => `${name}@${county.domain}`;
const url = (path: string) => `${county.baseUrl}${path}`;
const unit = (name: string) => unitIdOf(process.env.COUNTY_ID!, name);
const personOf = (name: string) => personIdOf(config().countyId, address(name));
/** The address's answer token (`a`), as a client would post it. */
const tokenOf = (link: string) => new URL(link).searchParams.get('a')!;

async function issue(fields: Record<string, unknown>): Promise<string> {
  const res = await desk.fetch(`${desk}/topics`, jsonPost(fields));
  expect(res.status).toBe(201);
  return ((await res.json()) as { topic: { topicId: string } }).topic.topicId;
}

async function topicMail(name: string, title: string) {
  const [mail] = await county.waitForMails(address(name), 1, new RegExp(`^点题：${title}`));
  expect(mail).toBeDefined();
  return mail!;
}

/** A page's source gives no personal key away: no `k` parameter, no field named k, no token of the submit purpose. */
function expectNoPersonalKey(page: string, tokens: FoundToken[] = tokensIn(page)) {
  expect(page).not.toMatch(/[?&](amp;)?k=/);
  expect(page).not.toContain('name="k"');
  expect(tokens.filter((t) => t.claims.p === 'submit')).toEqual([]);
}

beforeAll(async () => {
  setClock(T0);
  county = await startTestCounty();
  const d = county.domain;
  const imported = await importRoster(
    [
      '单位,姓名,邮箱,手机,角色',
      `城关镇党委,张伟,zhang@${d},,信息员`,
      `红旗乡党委,刘芳,liu@${d},,信息员`,
      `县教育局,陈静,chen@${d},,信息员`,
      `县委组织部信息科,王编辑,wang@${d},,编辑`,
    ].join('\n'),
  );
  expect(imported.ok).toBe(true);
  desk = await signIn(county, address('wang'));
  const units = [unit('城关镇党委'), unit('红旗乡党委')];
  topics.main = await issue({ title: '基层党建“三抓三促”行动', description: '写实践做法。', due: DUE, units });
  topics.other = await issue({ title: '乡村振兴中的党建引领', due: '2026-11-25', units });
  topics.early = await issue({ title: '年终总结中的亮点', due: '2026-12-10', units });
  links.zhang = linkIn(await topicMail('zhang', '基层党建'), '/submit');
  links.early = linkIn(await topicMail('liu', '年终总结'), '/submit');
});
afterAll(async () => {
  setClock(undefined);
  await county.close();
});

describe('the 点题 email', () => {
  it('carries the answer link for its topic and the read-only 我的报送 link, and no personal key', async () => {
    for (const name of ['zhang', 'liu']) {
      const mail = await topicMail(name, '基层党建');
      const tokens = mailTokens(mail);
      expect(purposesOf(tokens)).toEqual(['answer', 'mine']);
      expect(mail.body.text).not.toMatch(/[?&]k=/);
      expect(mail.body.html).not.toMatch(/[?&](amp;)?k=/);
      const answers = tokens.filter((t) => t.claims.p === 'answer');
      for (const t of answers) {
        expect(t.claims).toMatchObject({ i: personOf(name), v: 1, tp: topics.main, exp: END_OF_DUE.getTime() / 1000 });
        expect(t.claims).not.toHaveProperty('tk');
      }
    }
    // The informants of other units get no email for it.
    expect((await county.mails(address('chen'))).filter((m) => m.subject.startsWith('点题：'))).toEqual([]);
  });
});

describe('the answer link', () => {
  it('opens the form with its topic alone, chosen, and nothing on the page carries the personal key', async () => {
    const res = await fetch(links.zhang);
    expect(res.status).toBe(200);
    const page = await res.text();
    expect(page).toContain('回应点题：基层党建“三抓三促”行动');
    expect(page).toContain(
      `<option value="${topics.main}" selected>基层党建“三抓三促”行动（2026-11-30 截止）</option>`,
    );
    expect(page).not.toContain(topics.other);
    expect(page).not.toContain(topics.early);
    expect(page).toContain(`action="/submissions?a=${tokenOf(links.zhang)}"`);
    const tokens = tokensIn(page);
    expect(purposesOf(tokens)).toEqual(['answer', 'mine']);
    expectNoPersonalKey(page, tokens);
    // The 我的报送 it leads to is the read-only one.
    const mine = tokens.find((t) => t.claims.p === 'mine')!;
    const minePage = await fetch(url(mine.url));
    expect(minePage.status).toBe(200);
    expectNoPersonalKey(await minePage.text());

    const json = (await (await fetch(links.zhang, wantsJson)).json()) as {
      topics: { id: string }[];
      answer: { call: string; id: string; title: string; due: string };
    };
    expect(json.topics.map((t) => t.id)).toEqual([topics.main]);
    expect(json.answer).toEqual({ call: 'topic', id: topics.main, title: '基层党建“三抓三促”行动', due: DUE });
  });

  it('submits a piece answering the topic from the form, lands on a page without the personal key, and the piece shows in the topic’s responses', async () => {
    const body = new FormData();
    for (const [name, value] of Object.entries({
      kind: 'info',
      title: '城关镇“三抓三促”见实效',
      body: LONG_BODY,
      topic: topics.main,
      signer: '',
    })) {
      body.append(name, value);
    }
    const res = await fetch(url(`/submissions?a=${tokenOf(links.zhang)}`), {
      method: 'POST',
      body,
      redirect: 'manual',
    });
    expect(res.status).toBe(303);
    const location = res.headers.get('location')!;
    expect(location).toMatch(/^\/submit\?a=[^&]+&sent=2026-0001$/);
    expectNoPersonalKey(location);
    const landed = await fetch(url(location));
    expect(landed.status).toBe(200);
    const page = await landed.text();
    expect(page).toContain('报送成功');
    expect(page).toContain('2026-0001');
    expectNoPersonalKey(page);
    // Its receipt link is the read-only one, bound to the piece.
    expect(purposesOf(tokensIn(page))).toEqual(['answer', 'mine', 'receipt']);

    const topic = await desk.fetch(`${desk}/topics/${topics.main}`, wantsJson);
    const { responses } = (await topic.json()) as { responses: { answered: { name: string; receipts: string[] }[] } };
    expect(responses.answered).toEqual([expect.objectContaining({ name: '城关镇党委', receipts: ['2026-0001'] })]);
  });

  it('refuses another topic, no topic, or a research task, saying what the link is for, and writes nothing', async () => {
    const before = await tableSnapshot();
    const a = tokenOf(links.zhang);
    const piece = { a, kind: 'info', title: '另一篇稿件', body: `${LONG_BODY}（另一篇）` };
    const cases: [Record<string, unknown>, string, string][] = [
      [{ ...piece, topic: topics.other }, 'topic', '不能回应其他点题'],
      [{ ...piece, topic: '' }, 'topic', '请在“点题”一栏选择这一点题'],
      [piece, 'topic', '请在“点题”一栏选择这一点题'],
      [{ ...piece, topic: topics.main, kind: 'research', task: 'R26Q4000000' }, 'task', '不能对应重点调研任务'],
    ];
    for (const [fields, field, message] of cases) {
      const res = await fetch(url('/submissions'), jsonPost(fields));
      expect([JSON.stringify(fields), res.status]).toEqual([JSON.stringify(fields), 400]);
      const { errors } = (await res.json()) as { errors: { field: string; message: string }[] };
      const error = errors.find((e) => e.field === field);
      expect(error?.message).toContain('这个链接只能报送回应点题“基层党建“三抓三促”行动”的稿件');
      expect(error?.message).toContain(message);
      expect(error?.message).toContain('首页');
    }
    // In a browser the form comes back with what was typed and the message, still without the personal key.
    const again = await fetch(
      url(`/submissions?a=${a}`),
      form({ kind: 'info', title: '不针对点题的稿件', body: LONG_BODY, topic: '' }),
    );
    expect(again.status).toBe(400);
    const page = await again.text();
    expect(page).toContain('请在“点题”一栏选择这一点题');
    expect(page).toContain('value="不针对点题的稿件"');
    expectNoPersonalKey(page);
    expect(await tableSnapshot()).toEqual(before);
  });

  it('does not open the personal form or anything else: it is no personal key', async () => {
    const a = tokenOf(links.zhang);
    expect((await fetch(url(`/submit?k=${a}`))).status).toBe(403);
    expect((await fetch(url(`/mine?k=${a}`))).status).toBe(403);
    expect((await fetch(url(`/mine?m=${a}`))).status).toBe(403);
    const asKey = await fetch(url('/submissions'), jsonPost({ k: a, kind: 'info', title: '冒用', body: LONG_BODY }));
    expect(asKey.status).toBe(403);
  });

  it('ends with a topic closed before its due day: 410', async () => {
    expect((await fetch(links.early)).status).toBe(200);
    expect((await desk.fetch(`${desk}/topics/${topics.early}/close`, jsonPost({}))).status).toBe(200);
    const res = await fetch(links.early);
    expect(res.status).toBe(410);
    expect(await res.text()).toContain('已结束征集');
  });

  it('ends with the topic’s due day (Asia/Shanghai): 410, pointing to the front page for the personal link', async () => {
    setClock(new Date(END_OF_DUE.getTime() - 60_000)); // 23:59 on the due day: still good
    try {
      expect((await fetch(links.zhang)).status).toBe(200);
      setClock(END_OF_DUE);
      const res = await fetch(links.zhang);
      expect(res.status).toBe(410);
      const page = await res.text();
      expect(page).toContain('已过截止日期');
      expect(page).toContain('<a href="/">返回首页</a>');
      const before = await tableSnapshot();
      const sent = await fetch(
        url('/submissions'),
        jsonPost({ a: tokenOf(links.zhang), kind: 'info', title: '迟到的稿件', body: LONG_BODY, topic: topics.main }),
      );
      expect(sent.status).toBe(410);
      expect(await sent.json()).toMatchObject({ error: 'link_expired', message: expect.stringContaining('首页') });
      // In a browser the text stays on the page, to be sent with the personal link.
      const again = await fetch(
        url(`/submissions?a=${tokenOf(links.zhang)}`),
        form({ kind: 'info', title: '迟到的稿件', body: LONG_BODY, topic: topics.main }),
      );
      expect(again.status).toBe(410);
      const kept = await again.text();
      expect(kept).toContain('value="迟到的稿件"');
      expect(kept).toContain('请先复制保存');
      expectNoPersonalKey(kept);
      expect(await tableSnapshot()).toEqual(before);
    } finally {
      setClock(T0);
    }
  });

  it('stops working once the informant’s links are revoked: 403, while their new personal key works', async () => {
    const liu = linkIn(await topicMail('liu', '基层党建'), '/submit');
    expect((await fetch(liu)).status).toBe(200);
    const revoked = await desk.fetch(`${desk}/roster/people/${personOf('liu')}`, form({ action: 'revoke' }));
    expect(revoked.status).toBe(200);
    expect((await fetch(liu)).status).toBe(403);
    const sent = await fetch(
      url('/submissions'),
      jsonPost({ a: tokenOf(liu), kind: 'info', title: '作废后的稿件', body: LONG_BODY, topic: topics.main }),
    );
    expect(sent.status).toBe(403);
    expect((await fetch(url(`/submit?k=${await submitKeyOf(county, address('zhang'))}`))).status).toBe(200);
  });
});
