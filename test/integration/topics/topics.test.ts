// Topics (点题) over real HTTP: an editor issues one on the desk (the informants of its units get an email), the
// submission form offers it to those units only, a piece answers it, the desk's topic page shows the responses by
// unit, bad input writes nothing, the same topic twice is one, a closed or overdue topic is refused, and the CLI.
import { setClock } from '../../../shared/core/clock';
import { importRoster } from '../../../shared/roster/importRoster';
import { unitIdOf } from '../../../shared/store/keys';
import { admin } from '../../support/cli';
import { LONG_BODY, startTestCounty, type TestCounty } from '../../support/harness';
import { type DeskSession, form, jsonPost, signIn, submitKeyOf, tableSnapshot, wantsJson } from '../desk/deskSupport';

let county: TestCounty;
let desk: DeskSession;
let leaderDesk: DeskSession;
const k = { zhang: '', liu: '', chen: '' };
/** 2026-11-10 10:00 Asia/Shanghai. */
const T0 = new Date('2026-11-10T02:00:00Z');

const address = (name: string) => `${name}@${county.domain}`;
const url = (path: string) => `${county.baseUrl}${path}`;
const unit = (name: string) => unitIdOf(process.env.COUNTY_ID!, name);

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
      `县委组织部,赵部长,leader@${d},,领导`,
    ].join('\n'),
  );
  expect(imported.ok).toBe(true);
  desk = await signIn(county, address('wang'));
  leaderDesk = await signIn(county, address('leader'));
  k.zhang = await submitKeyOf(county, address('zhang'));
  k.liu = await submitKeyOf(county, address('liu'));
  k.chen = await submitKeyOf(county, address('chen'));
});
afterAll(async () => {
  setClock(undefined);
  await county.close();
});

const topicItems = async () => (await tableSnapshot()).filter((i) => String(i.pk).endsWith('#TOPIC'));

async function formTopics(key: string): Promise<{ id: string; title: string }[]> {
  const res = await fetch(url(`/submit?k=${key}`), wantsJson);
  expect(res.status).toBe(200);
  return ((await res.json()) as { topics: { id: string; title: string }[] }).topics;
}

describe('issuing a topic', () => {
  let topicId = '';

  it('refuses an empty title, a past due day and an unknown unit, naming each, and writes nothing', async () => {
    const before = await topicItems();
    const res = await desk.fetch(`${desk}/topics`, jsonPost({ title: '  ', due: '2026-11-09', units: ['u-nobody'] }));
    expect(res.status).toBe(400);
    const body = (await res.json()) as { errors: { field: string; message: string }[] };
    expect(body.errors.map((e) => e.field).sort()).toEqual(['due', 'title', 'units']);
    expect(body.errors.find((e) => e.field === 'due')?.message).toContain('已过');
    const page = await desk.fetch(`${desk}/topics`, form({ title: '<b>x</b>', due: '2026-13-01' }));
    expect(page.status).toBe(400);
    const text = await page.text();
    expect(text).toContain('请填写截止日期');
    expect(text).toContain('value="&lt;b&gt;x&lt;/b&gt;"');
    expect(await topicItems()).toEqual(before);
  });

  it('is issued from the desk to chosen units: their informants get an email, others none', async () => {
    const res = await desk.fetch(
      `${desk}/topics`,
      jsonPost({
        title: '基层党建“三抓三促”行动',
        description: '围绕抓学习促提升、抓执行促落实写实践做法。',
        due: '2026-11-30',
        units: [unit('城关镇党委'), unit('红旗乡党委')],
      }),
    );
    expect(res.status).toBe(201);
    const body = (await res.json()) as { added: boolean; topic: { topicId: string }; recipients: number };
    expect(body).toMatchObject({ added: true, recipients: 2 });
    topicId = body.topic.topicId;
    const [mail] = await county.waitForMails(address('zhang'), 1, /^点题：/);
    expect(mail?.subject).toBe('点题：基层党建“三抓三促”行动（2026年11月30日截止）');
    expect(mail?.body.text).toContain('抓学习促提升');
    // The answer link for this topic, never the personal key (test/integration/topics/answerLink.test.ts).
    expect(mail?.body.text).toContain('/submit?a=');
    expect(mail?.body.text).not.toContain('/submit?k=');
    await county.waitForMails(address('liu'), 1, /^点题：/);
    await new Promise((r) => setTimeout(r, 300));
    expect((await county.mails(address('chen'))).filter((m) => m.subject.startsWith('点题：'))).toHaveLength(0);
  });

  it('issued again (a second press) is the same topic, with no second email', async () => {
    const res = await desk.fetch(
      `${desk}/topics`,
      jsonPost({ title: '基层党建“三抓三促”行动', due: '2026-11-30', units: [unit('城关镇党委')] }),
    );
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ added: false, topic: { topicId } });
    await new Promise((r) => setTimeout(r, 300));
    expect((await county.mails(address('zhang'))).filter((m) => m.subject.startsWith('点题：'))).toHaveLength(1);
  });

  it('is offered on the form of its units only, and a piece answers it', async () => {
    expect((await formTopics(k.zhang)).map((t) => t.id)).toEqual([topicId]);
    expect(await formTopics(k.chen)).toEqual([]);
    const page = await (await fetch(url(`/submit?k=${k.zhang}`))).text();
    expect(page).toContain(`<option value="${topicId}">`);
    const sent = await fetch(
      url('/submissions'),
      jsonPost({ k: k.zhang, kind: 'info', title: '城关镇“三抓三促”见实效', body: LONG_BODY, topic: topicId }),
    );
    expect(sent.status).toBe(201);
    // Another unit's informant cannot answer a topic not meant for their unit: refused, nothing written.
    const before = (await tableSnapshot()).length;
    const refused = await fetch(
      url('/submissions'),
      jsonPost({ k: k.chen, kind: 'info', title: '教育局的稿件', body: LONG_BODY, topic: topicId }),
    );
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { errors: { field: string }[] }).errors[0]?.field).toBe('topic');
    expect((await tableSnapshot()).length).toBe(before);
  });

  it('shows its responses by unit on the desk, and the units that have not answered', async () => {
    const res = await desk.fetch(`${desk}/topics/${topicId}`, wantsJson);
    expect(res.status).toBe(200);
    const { responses } = (await res.json()) as {
      responses: { answered: { name: string; receipts: string[] }[]; unanswered: { name: string }[] };
    };
    expect(responses.answered).toEqual([{ unitId: unit('城关镇党委'), name: '城关镇党委', receipts: ['2026-0001'] }]);
    expect(responses.unanswered.map((u) => u.name)).toEqual(['红旗乡党委']);
    const page = await (await leaderDesk.fetch(`${leaderDesk}/topics/${topicId}`)).text();
    expect(page).toContain('回应情况：1 个单位，1 篇稿件');
    expect(page).not.toContain('结束征集</button>');
    const list = await (await desk.fetch(`${desk}/topics`)).text();
    expect(list).toContain('基层党建“三抓三促”行动');
  });

  it('shows on 我的报送 of its units while open', async () => {
    const mine = await (await fetch(url(`/mine?k=${k.liu}`))).text();
    expect(mine).toContain('正在征集的点题');
    expect(mine).toContain('基层党建“三抓三促”行动（2026-11-30 截止）');
  });

  it('once closed, is no longer offered and an answer to it is refused', async () => {
    const head = await desk.fetch(`${desk}/topics/${topicId}/close`, { method: 'HEAD' });
    expect(head.status).toBe(405);
    const res = await desk.fetch(`${desk}/topics/${topicId}/close`, jsonPost({}));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ closed: true });
    const again = await desk.fetch(`${desk}/topics/${topicId}/close`, jsonPost({}));
    expect(await again.json()).toMatchObject({ closed: false });
    expect(await formTopics(k.liu)).toEqual([]);
    const refused = await fetch(
      url('/submissions'),
      jsonPost({ k: k.liu, kind: 'info', title: '红旗乡的稿件', body: LONG_BODY, topic: topicId }),
    );
    expect(refused.status).toBe(400);
  });

  it('is past due after its due day (Asia/Shanghai), without anyone closing it', async () => {
    const res = await desk.fetch(`${desk}/topics`, jsonPost({ title: '乡村振兴中的党建引领', due: '2026-11-10' }));
    expect(res.status).toBe(201);
    expect((await formTopics(k.chen)).map((t) => t.title)).toEqual(['乡村振兴中的党建引领（2026-11-10 截止）']);
    setClock(new Date('2026-11-10T16:00:00Z')); // 2026-11-11 00:00 in Shanghai
    try {
      expect(await formTopics(k.chen)).toEqual([]);
    } finally {
      setClock(T0);
    }
  });

  it('a leader may read the topics but not issue one', async () => {
    const before = await topicItems();
    const res = await leaderDesk.fetch(`${leaderDesk}/topics`, jsonPost({ title: '领导的点题', due: '2026-12-01' }));
    expect(res.status).toBe(403);
    // Refused as a leader's (the session's form token went with it), and nothing written.
    expect(await res.json()).toMatchObject({ error: 'invalid_link', message: expect.stringContaining('只能查看') });
    expect(await topicItems()).toEqual(before);
  });
});

describe('topics on the command line', () => {
  it('adds, lists and closes a topic; a bad due day is a usage error with nothing written', async () => {
    // The CLI runs on the real clock: a due day ten days from today.
    const due = new Date(Date.now() + 10 * 86_400_000 + 8 * 3600_000).toISOString().slice(0, 10);
    const bad = await admin('--aws', 'topic', 'add', '--title', '错误的点题', '--due', '2020-01-01');
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('已过');
    const added = await admin(
      '--aws',
      'topic',
      'add',
      '--title',
      '年终总结中的亮点',
      '--due',
      due,
      '--units',
      '县教育局',
    );
    expect(added.code).toBe(0);
    expect(added.stdout).toContain('通知 1 位信息员');
    const id = /编号 (T\d{4}[0-9a-f]{6})/.exec(added.stdout)?.[1] ?? '';
    expect(id).not.toBe('');
    const list = await admin('--aws', 'topic', 'list');
    expect(list.stdout).toContain('年终总结中的亮点');
    expect(list.stdout).toContain('征集中');
    const closed = await admin('--aws', 'topic', 'close', id);
    expect(closed.stdout).toContain('已结束征集');
    const unknown = await admin('--aws', 'topic', 'close', 'T2612000000');
    expect(unknown.code).toBe(1);
  });
});
