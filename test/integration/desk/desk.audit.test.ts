// The desk's 操作记录 over real HTTP: after editors and a leader sign in, editors decide, record an adoption, revoke
// someone's links and issue a topic in June, and an editor signs in again and withdraws the adoption, the topic is
// closed (as the command line does) and a leader signs in a quarter of an hour later in July, and an editor presses
// 退出 in December, each month's page lists each action once with who did it and when, the desk's words and the object
// by name; the person and month filters narrow it; the .xlsx holds the same rows; a leader may read it; without a
// live session it answers 401; nothing on the page is an id; text typed by people stays text; opening it writes
// nothing.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { handler as sweep } from '../../../functions/sweeper';
import { setClock } from '../../../shared/core/clock';
import { config } from '../../../shared/core/config';
import { OPERATOR_NAME } from '../../../shared/desk/auditLog';
import { importRoster } from '../../../shared/roster/importRoster';
import { rescore } from '../../../shared/scores/rescore';
import { readTable } from '../../../shared/sheets/read';
import { personIdOf } from '../../../shared/store/keys';
import { closeTopic } from '../../../shared/topics/closeTopic';
import { SESSION_COOKIE } from '../../support/deskSession';
import { startTestCounty, type TestCounty } from '../../support/harness';
import {
  type DeskSession,
  form,
  jsonPost,
  signIn,
  submitKeyOf,
  submitOver,
  tableSnapshot,
  wantsJson,
} from './deskSupport';

let county: TestCounty;
const desk = {} as Record<'wang' | 'li' | 'leader', DeskSession>;
const receipts = { accepted: '', returned: '', rejected: '' };
let adoptionId = '';
let topicId = '';
/** 2026-06-15 10:00, 2026-07-10 10:00 and 10:15, Asia/Shanghai. */
const JUNE = new Date('2026-06-15T02:00:00Z');
const JULY = new Date('2026-07-10T02:00:00Z');
const JULY_LATER = new Date('2026-07-10T02:15:00Z');
/** 2026-12-05 10:00 (the 信息奖 may be sent) and 10:30, Asia/Shanghai. */
const DECEMBER = new Date('2026-12-05T02:00:00Z');
const DECEMBER_LATER = new Date('2026-12-05T02:30:00Z');
/** The subject of the sign-in link the front page sends an editor or a leader who asks for one. */
const DESK_REQUESTED = /^您的信息科工作台登录链接$/;
const TITLES = {
  accepted: '城关镇“夜校课堂”培训党员',
  returned: '县委办公室数字化档案',
  rejected: '<script>alert(1)</script>',
};
const TOPIC = '乡村振兴中的党建引领';
const REGION = { level: 'region', outlet: '《新疆组工信息》', issue: '12', date: '2026-06-15', instruction: 'none' };

const address = (name: string) => `${name}@${county.domain}`;
const url = (path: string) => `${county.baseUrl}${path}`;
const idOf = (name: string) => personIdOf(config().countyId, address(name));

/** Signs `name` in weeks after their last link (expired by now): a fresh one asked for on the front page. */
async function signInAfresh(name: string): Promise<DeskSession> {
  const earlier = (await county.mails(address(name))).filter((m) => DESK_REQUESTED.test(m.subject)).length;
  expect((await fetch(url('/link'), form({ email: address(name) }))).status).toBe(200);
  await sweep();
  return signIn(county, address(name), DESK_REQUESTED, earlier + 1);
}

beforeAll(async () => {
  setClock(JUNE);
  county = await startTestCounty();
  const d = county.domain;
  const imported = await importRoster(
    [
      '单位,姓名,邮箱,手机,角色',
      `县委办公室,陈晓明,chen@${d},,信息员`,
      `城关镇党委,张伟,zhang@${d},,信息员`,
      `红旗乡党委,周强,zhou@${d},,信息员`,
      `县委组织部信息科,王编辑,wang@${d},,编辑`,
      `县委组织部信息科,李编辑,li@${d},,编辑`,
      `县委组织部,赵部长,leader@${d},,领导`,
    ].join('\n'),
  );
  expect(imported.ok).toBe(true);
  for (const name of ['wang', 'li', 'leader'] as const) {
    desk[name] = await signIn(county, address(name));
  }
  const [chen, zhang, zhou] = await Promise.all(['chen', 'zhang', 'zhou'].map((n) => submitKeyOf(county, address(n))));
  receipts.accepted = await submitOver(county, chen!, TITLES.accepted);
  receipts.returned = await submitOver(county, zhang!, TITLES.returned);
  receipts.rejected = await submitOver(county, zhou!, TITLES.rejected);

  // June: 王编辑 accepts and records an adoption upstream; 李编辑 returns one and rejects one; 王编辑 revokes 周强's
  // links; 李编辑 issues a topic.
  const decide = (who: DeskSession, receipt: string, fields: Record<string, string>) =>
    who.fetch(`${who}/pieces/${receipt}`, form({ revision: '1', ...fields }));
  expect((await decide(desk.wang, receipts.accepted, { decision: 'accept', issue: '3' })).status).toBe(200);
  expect((await decide(desk.li, receipts.returned, { decision: 'return', comment: '请补充<b>数据</b>' })).status).toBe(
    200,
  );
  expect((await decide(desk.li, receipts.rejected, { decision: 'reject', confirm: '1' })).status).toBe(200);
  const recorded = await desk.wang.fetch(`${desk.wang}/pieces/${receipts.accepted}/adoptions`, jsonPost(REGION));
  expect(recorded.status).toBe(200);
  adoptionId = ((await recorded.json()) as { adoptionId: string }).adoptionId;
  expect((await desk.wang.fetch(`${desk.wang}/roster/people/${idOf('zhou')}`, form({ action: 'revoke' }))).status).toBe(
    200,
  );
  for (const action of ['deactivate', 'activate']) {
    expect((await desk.li.fetch(`${desk.li}/roster/people/${idOf('zhang')}`, form({ action }))).status).toBe(200);
  }
  expect((await desk.li.fetch(`${desk.li}/topics`, form({ title: TOPIC, due: '2026-06-30' }))).status).toBe(201);
  const topics = (await (await desk.li.fetch(`${desk.li}/topics`, wantsJson)).json()) as {
    topics: { topicId: string }[];
  };
  topicId = topics.topics[0]!.topicId;

  // July: 王编辑 signs in again and withdraws June's adoption; the operator closes the topic (what `topic close`
  // does); a quarter of an hour later 赵部长 signs in.
  setClock(JULY);
  desk.wang = await signInAfresh('wang');
  const withdraw = `${desk.wang}/pieces/${receipts.accepted}/adoptions/${adoptionId}/withdraw`;
  expect((await desk.wang.fetch(withdraw, form({ reason: '期号登记错误' }))).status).toBe(200);
  await closeTopic(topicId, { name: OPERATOR_NAME });
  setClock(JULY_LATER);
  desk.leader = await signInAfresh('leader');
});
afterAll(async () => {
  setClock(undefined);
  await county.close();
});

const decoded = (text: string) =>
  text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');

/** The table of an 操作记录 page as rows of cell text: 时间, 人员, 操作, 对象, 详情. */
function rowsOf(page: string): string[][] {
  const body = page.match(/<tbody>([\s\S]*?)<\/tbody>/)?.[1] ?? '';
  return [...body.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((tr) =>
    [...tr[1]!.matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((td) => decoded(td[1]!)),
  );
}

async function auditPage(who: DeskSession, query: string): Promise<{ status: number; page: string; rows: string[][] }> {
  const res = await who.fetch(`${who}/audit?${query}`);
  const page = await res.text();
  return { status: res.status, page, rows: rowsOf(page) };
}

/** What a row says, without its time: person, action, object, details. */
const said = (rows: string[][]) => rows.map(([, ...rest]) => rest);

/** How the 操作记录 names a person as the object of an action (a sign-in's, a 退出's: their own). */
const SUBJECTS = {
  wang: '王编辑（编辑，县委组织部信息科）',
  li: '李编辑（编辑，县委组织部信息科）',
  leader: '赵部长（领导，县委组织部）',
};

describe('the 操作记录 of June', () => {
  it('lists the sign-ins, every decision, the adoption, the revoke, the 停用 and 启用 and the topic, each with who, the words and the object', async () => {
    const { status, page, rows } = await auditPage(desk.wang, 'month=2026-06');

    expect(status).toBe(200);
    expect(page).toContain('2026 年 06 月操作记录');
    expect(page).toContain('>操作记录</a>');
    expect(said(rows)).toEqual(
      expect.arrayContaining([
        ['王编辑（编辑）', '采用', `${receipts.accepted} ${TITLES.accepted}`, '第 1 稿；编入《组工专报》第 3 期'],
        [
          '李编辑（编辑）',
          '退回修改',
          `${receipts.returned} ${TITLES.returned}`,
          '第 1 稿；修改意见：请补充<b>数据</b>',
        ],
        ['李编辑（编辑）', '不予采用', `${receipts.rejected} ${TITLES.rejected}`, '第 1 稿'],
        [
          '王编辑（编辑）',
          '登记上级采用',
          `${receipts.accepted} ${TITLES.accepted}`,
          '自治区：《新疆组工信息》第 12 期；采用日期 2026-06-15',
        ],
        // Who revoked is not recorded yet: the revoke's item names only whose links it was.
        ['王编辑（编辑）', '作废链接', '周强（信息员，红旗乡党委）', '新链接已发往其邮箱'],
        ['李编辑（编辑）', '停用', '张伟（信息员，城关镇党委）', ''],
        ['李编辑（编辑）', '启用', '张伟（信息员，城关镇党委）', ''],
        ['李编辑（编辑）', '发布点题', TOPIC, '截止 2026-06-30；面向全部单位'],
        ['王编辑（编辑）', '登录工作台', SUBJECTS.wang, ''],
        ['李编辑（编辑）', '登录工作台', SUBJECTS.li, ''],
        ['赵部长（领导）', '登录工作台', SUBJECTS.leader, ''],
      ]),
    );
    // Nothing else: not the informants' submissions, nor July's withdrawal of the adoption (filed under June).
    expect(rows).toHaveLength(11);
    expect(rows.every(([at]) => at!.startsWith('2026-06-15 10:00'))).toBe(true);
  });

  it('shows text people typed as text, and no id of a person, topic or adoption anywhere on screen', async () => {
    const { page } = await auditPage(desk.wang, 'month=2026-06');

    expect(page).not.toMatch(/<script/i);
    expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page).toContain('请补充&lt;b&gt;数据&lt;/b&gt;');
    const onScreen = decoded(page.replace(/<[^>]*>/g, ' '));
    for (const id of [...['wang', 'li', 'leader', 'zhou', 'chen'].map(idOf), topicId, adoptionId]) {
      expect(onScreen).not.toContain(id);
    }
    expect(onScreen).not.toMatch(/\b[0-9a-f]{12,}\b|\bT\d{4}[0-9a-f]{6}\b|\bu[0-9a-f]{10}\b/);
  });

  it('narrows to one person: 李编辑 signed in, did two decisions, 停用 and 启用 and the topic', async () => {
    const { status, page, rows } = await auditPage(desk.wang, `month=2026-06&person=${idOf('li')}`);

    expect(status).toBe(200);
    expect(said(rows).map(([who, action]) => `${who} ${action}`)).toEqual(
      expect.arrayContaining([
        '李编辑（编辑） 退回修改',
        '李编辑（编辑） 不予采用',
        '李编辑（编辑） 发布点题',
        '李编辑（编辑） 停用',
        '李编辑（编辑） 启用',
        '李编辑（编辑） 登录工作台',
      ]),
    );
    expect(rows).toHaveLength(6);
    expect(page).toContain(`<option value="${idOf('li')}" selected>李编辑（编辑）</option>`);
    expect(page).toContain(`<option value="admin">${OPERATOR_NAME}</option>`);
  });

  it('downloads the same rows as an .xlsx, with the same filter', async () => {
    const { rows } = await auditPage(desk.wang, `month=2026-06&person=${idOf('wang')}`);
    const res = await desk.wang.fetch(`${desk.wang}/audit/download?month=2026-06&person=${idOf('wang')}&format=xlsx`);

    expect(res.status).toBe(200);
    expect(decodeURIComponent(res.headers.get('content-disposition') ?? '')).toContain('操作记录-2026-06.xlsx');
    const bytes = Buffer.from(await res.arrayBuffer());
    expect(bytes.subarray(0, 2).toString()).toBe('PK');
    const table = await readTable(bytes);
    if (!table.ok) throw new Error(table.message);
    const [header, ...lines] = table.rows.map((r) => r.fields);
    expect(header).toEqual(['时间', '人员', '操作', '对象', '详情']);
    expect(lines.map((cells) => [...cells, ...Array(5 - cells.length).fill('')])).toEqual(rows);
    expect(rows.map((r) => r[2])).toEqual(expect.arrayContaining(['采用', '登记上级采用']));
  });
});

describe('the 操作记录 of July', () => {
  it('lists the withdrawal in the month it was made, the operator as 管理员（命令行）, and each sign-in with who and when', async () => {
    const { rows } = await auditPage(desk.wang, 'month=2026-07');

    const at = (row: string[] | undefined) => row?.[0]?.slice(0, 16);
    const withTime = rows.map((row) => [at(row), ...row.slice(1)]);
    expect(withTime).toEqual(
      expect.arrayContaining([
        ['2026-07-10 10:00', '王编辑（编辑）', '登录工作台', SUBJECTS.wang, ''],
        [
          '2026-07-10 10:00',
          '王编辑（编辑）',
          '撤销上级采用',
          `${receipts.accepted} ${TITLES.accepted}`,
          '自治区：《新疆组工信息》第 12 期；原因：期号登记错误',
        ],
        ['2026-07-10 10:00', OPERATOR_NAME, '结束点题', TOPIC, ''],
        ['2026-07-10 10:15', '赵部长（领导）', '登录工作台', SUBJECTS.leader, ''],
      ]),
    );
    expect(rows).toHaveLength(4);
    // Newest first: 赵部长's sign-in a quarter of an hour after the rest.
    expect(at(rows[0])).toBe('2026-07-10 10:15');
  });

  it('narrows to the operator, and to a leader', async () => {
    expect(said((await auditPage(desk.wang, 'month=2026-07&person=admin')).rows)).toEqual([
      [OPERATOR_NAME, '结束点题', TOPIC, ''],
    ]);
    expect(said((await auditPage(desk.wang, `month=2026-07&person=${idOf('leader')}`)).rows)).toEqual([
      ['赵部长（领导）', '登录工作台', SUBJECTS.leader, ''],
    ]);
  });

  it('is the month shown when none is asked for (this month)', async () => {
    const { page, rows } = await auditPage(desk.wang, '');

    expect(page).toContain('value="2026-07"');
    expect(rows).toHaveLength(4);
  });
});

describe('who may read it', () => {
  it('shows a leader the same page, read-only', async () => {
    const editor = await auditPage(desk.wang, 'month=2026-06');
    const leader = await auditPage(desk.leader, 'month=2026-06');

    expect(leader.status).toBe(200);
    expect(leader.page).toContain('信息科工作台 · 赵部长（领导，只能查看）');
    expect(leader.rows).toEqual(editor.rows);
    // No form that posts but 退出.
    expect(leader.page.match(/<form[^>]*method="post"[^>]*>/gi)).toEqual([
      '<form class="inline" method="post" action="/desk/signout">',
    ]);
  });

  it.each([
    ['the page', 'audit?month=2026-06'],
    ['the download', 'audit/download?month=2026-06&format=xlsx'],
    ['a download in a format it does not make', 'audit/download?month=2026-06&format=pdf'],
  ])(
    'answers %s without a session, or with a forged cookie, with 401 and nothing about anyone',
    async (_what, path) => {
      const forged = `${desk.wang.cookie.slice(0, -6)}AAAAAA`;
      for (const headers of [{}, { cookie: `${SESSION_COOKIE}=${forged}` }]) {
        const res = await fetch(url(`/desk/${path}`), { headers });

        expect(res.status).toBe(401);
        const body = await res.text();
        expect(body).not.toContain('王编辑');
        expect(body).not.toContain(TITLES.accepted);
      }
    },
  );

  it('changes nothing when opened or downloaded', async () => {
    const before = await tableSnapshot();

    await desk.wang.fetch(`${desk.wang}/audit?month=2026-06`);
    await desk.leader.fetch(`${desk.leader}/audit/download?month=2026-07&format=csv`);
    await desk.wang.fetch(`${desk.wang}/audit?month=2026-07`, { method: 'HEAD' });

    expect(await tableSnapshot()).toEqual(before);
  });
});

describe('a wrong filter', () => {
  it.each([
    ['a month that is not one', 'month=2026-13', '月份格式'],
    ['a month to come', 'month=2026-08', '月份格式'],
    ['someone who is not an editor, a leader or the operator', 'month=2026-06&person=nobody', '人员无法识别'],
  ])('answers %s with a Chinese 400', async (_what, query, message) => {
    const { status, page } = await auditPage(desk.wang, query);

    expect(status).toBe(400);
    expect(page).toContain(message);
  });

  it('answers a download format it does not make with 400', async () => {
    const res = await desk.wang.fetch(`${desk.wang}/audit/download?month=2026-06&format=pdf`);

    expect(res.status).toBe(400);
    expect(await res.text()).toContain('下载格式只能是 xlsx 或 csv');
  });
});

describe('the 操作记录 of December', () => {
  const TASK = '基层党组织标准化建设调研';

  beforeAll(async () => {
    // 王编辑 and 李编辑 sign in; 王编辑 assigns a research task, closes it, sets new rules and sends the 信息奖; the
    // operator re-scores (what `rules rescore` does); 李编辑 sends November's 通报 from the desk's button, and half an
    // hour later presses 退出.
    setClock(DECEMBER);
    desk.wang = await signInAfresh('wang');
    desk.li = await signInAfresh('li');
    const assigned = await desk.wang.fetch(`${desk.wang}/tasks`, {
      ...form({ quarter: '2026Q4', title: TASK, due: '2026-12-20', lead: '李编辑' }),
      headers: { ...form().headers, accept: 'application/json' },
    });
    const { task } = (await assigned.json()) as { task: { taskId: string } };
    expect((await desk.wang.fetch(`${desk.wang}/tasks/${task.taskId}/close`, form())).status).toBe(200);
    const rules = new FormData();
    rules.append(
      'file',
      new Blob([readFileSync(join(__dirname, '../../../shared/scoring/defaultRules.json'))]),
      'r.json',
    );
    rules.append('from', '2026-12-01');
    expect((await desk.wang.fetch(`${desk.wang}/scores/rules`, { method: 'POST', body: rules })).status).toBe(200);
    expect((await desk.wang.fetch(`${desk.wang}/scores/award`, form({ year: '2026' }))).status).toBe(200);
    await rescore('2026-06-01', { name: OPERATOR_NAME });
    expect((await desk.li.fetch(`${desk.li}/bulletin/send`, form({ month: '2026-11' }))).status).toBe(202);
    setClock(DECEMBER_LATER);
    const out = await desk.li.fetch('/desk/signout', form());
    expect(out.status).toBe(303);
    expect(out.headers.get('location')).toBe('/desk/signedout');
    expect((await desk.li.fetch('/desk')).status).toBe(401);
  });

  it('lists the sign-ins, the task, the rules, the re-scoring, the 信息奖, the 通报 and the 退出, each by who did it', async () => {
    const { rows } = await auditPage(desk.wang, 'month=2026-12');

    expect(said(rows)).toEqual(
      expect.arrayContaining([
        ['王编辑（编辑）', '布置重点调研任务', TASK, '2026年第四季度，截止 2026-12-20；牵头人 李编辑'],
        ['王编辑（编辑）', '结束重点调研任务', TASK, ''],
        ['王编辑（编辑）', '登记积分规则', '第 2 版积分规则', '2026-12-01 起生效'],
        ['王编辑（编辑）', '发送信息奖', '2026 年度信息奖', '收件人 3 位'],
        ['李编辑（编辑）', '发送通报', '2026年11月组工信息工作通报', ''],
        ['王编辑（编辑）', '登录工作台', SUBJECTS.wang, ''],
        ['李编辑（编辑）', '登录工作台', SUBJECTS.li, ''],
      ]),
    );
    // The 退出, newest of all, at the time it was pressed.
    expect([rows[0]![0]!.slice(0, 16), ...rows[0]!.slice(1)]).toEqual([
      '2026-12-05 10:30',
      '李编辑（编辑）',
      '退出工作台',
      SUBJECTS.li,
      '',
    ]);
    const rescored = said(rows).find(([, action]) => action === '重新计分');
    expect(rescored?.slice(0, 3)).toEqual([OPERATOR_NAME, '重新计分', '积分']);
    expect(rescored?.[3]).toMatch(/^2026-06-01 起的采用：核对 \d+ 条，调整 0 条，合计 0 分$/);
    // One row per action: two sign-ins, the task twice (assigned, closed), the rules, the 信息奖, the re-scoring, the
    // 通报, the 退出.
    expect(rows).toHaveLength(9);
    expect(rows.filter(([at]) => at!.startsWith('2026-12-05 10:00'))).toHaveLength(8);
  });
});
