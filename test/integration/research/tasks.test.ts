// 重点调研 research tasks over real HTTP and the CLI, on a fixed clock: an editor assigns a task to three units on the
// desk (their informants are emailed, nobody else), the form offers it to research papers of those units only, bad
// input writes nothing, each status comes about from the events (未提交 → 已提交 → 已退回 → 已提交 → 已采用; 逾期 once
// the due day has passed with nothing sent; 未予采用), the matrix equals a recount of the raw events, its .xlsx and CSV
// read back, 我的报送 shows the unit's tasks; the CLI adds, imports (all or nothing), lists, closes and prints them.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dayOf, setClock } from '../../../shared/core/clock';
import { config } from '../../../shared/core/config';
import { quarterOf } from '../../../shared/research/quarters';
import { importRoster } from '../../../shared/roster/importRoster';
import { getPerson } from '../../../shared/roster/people';
import { deskUrl } from '../../../shared/roster/personalLinks';
import { readTable } from '../../../shared/sheets/read';
import { personIdOf, unitIdOf } from '../../../shared/store/keys';
import { admin } from '../../support/cli';
import { LONG_BODY, linkIn, startTestCounty, type TestCounty } from '../../support/harness';
import {
  type DeskSession,
  form,
  jsonPost,
  signIn,
  signInWith,
  submitKeyOf,
  tableSnapshot,
  wantsJson,
} from '../desk/deskSupport';

let county: TestCounty;
let desk: DeskSession;
let leaderDesk: DeskSession;
const k = { zhang: '', liu: '', chen: '', he: '' };
/** 2026-11-10 10:00 Asia/Shanghai, in 2026Q4. */
const T0 = new Date('2026-11-10T02:00:00Z');
const DUE = '2026-11-30';

const address = (name: string) => `${name}@${county.domain}`;
const url = (path: string) => `${county.baseUrl}${path}`;
const unit = (name: string) => unitIdOf(process.env.COUNTY_ID!, name);
const UNITS = ['城关镇党委', '红旗乡党委', '县教育局'];

/**
 * Moves the clock and signs 王编辑 and 赵部长 in again then, each from a sign-in link as the desk's emails carry one
 * at that moment: the clock moves by days (back, too), while a session lasts hours and a sign-in link a week.
 */
async function at(time: Date) {
  setClock(time);
  const signInNow = async (name: string) => {
    const person = await getPerson(config().countyId, personIdOf(config().countyId, address(name)));
    return signInWith(county.baseUrl, await deskUrl(person!.personId, person!.keyVersion));
  };
  desk = await signInNow('wang');
  leaderDesk = await signInNow('leader');
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
      `县卫健委,何平,he@${d},,信息员`,
      `县委组织部信息科,王编辑,wang@${d},,编辑`,
      `县委组织部,赵部长,leader@${d},,领导`,
    ].join('\n'),
  );
  expect(imported.ok).toBe(true);
  desk = await signIn(county, address('wang'));
  leaderDesk = await signIn(county, address('leader'));
  for (const name of Object.keys(k) as (keyof typeof k)[]) k[name] = await submitKeyOf(county, address(name));
});
afterAll(async () => {
  setClock(undefined);
  await county.close();
});

const taskItems = async () => (await tableSnapshot()).filter((i) => String(i.pk).endsWith('#TASK'));

async function formTasks(key: string): Promise<{ id: string; title: string }[]> {
  const res = await fetch(url(`/submit?k=${key}`), wantsJson);
  expect(res.status).toBe(200);
  return ((await res.json()) as { tasks: { id: string; title: string }[] }).tasks;
}

const submit = (key: string, fields: Record<string, unknown>) =>
  fetch(url('/submissions'), jsonPost({ k: key, body: LONG_BODY, ...fields }));

const decide = (receipt: string, decision: Record<string, unknown>, revision = 1) =>
  desk.fetch(`${desk}/pieces/${receipt}`, jsonPost({ ...decision, revision }));

interface Cell {
  state: string;
  on?: string;
  receipts: string[];
}
async function matrix(): Promise<{ tasks: { taskId: string }[]; cells: Record<string, Record<string, Cell>> }> {
  const res = await desk.fetch(`${desk}/tasks?quarter=2026Q4`, wantsJson);
  expect(res.status).toBe(200);
  return res.json() as never;
}

describe('a research task from the desk', () => {
  let taskId = '';
  const receipts = { zhang: '', liu: '' };

  it('refuses a bad quarter, a due day outside the quarter or past, an unknown unit, and writes nothing', async () => {
    const before = await taskItems();
    const cases: [Record<string, unknown>, string][] = [
      [{ quarter: '2026Q9', title: '题', due: DUE }, '季度格式应为 2026Q4'],
      [{ quarter: '2026Q4', title: '题', due: '2027-01-05' }, '不在2026年第四季度'],
      [{ quarter: '2026Q4', title: '题', due: '2026-11-01' }, '已过'],
      [{ quarter: '2026Q4', title: '题', due: DUE, units: ['u0000000000'] }, '名单中没有这些单位'],
      [{ quarter: '2026Q4', title: '', due: DUE }, '请填写调研任务的标题'],
    ];
    for (const [fields, message] of cases) {
      const res = await desk.fetch(`${desk}/tasks`, jsonPost(fields));
      expect([JSON.stringify(fields), res.status]).toEqual([JSON.stringify(fields), 400]);
      expect(JSON.stringify(await res.json())).toContain(message);
    }
    const page = await desk.fetch(`${desk}/tasks`, form({ quarter: '2026Q4', title: '保留的标题', due: '2027-01-05' }));
    expect(page.status).toBe(400);
    expect(await page.text()).toContain('value="保留的标题"');
    // A leader's session reads only: refused as such (its form token went with the request).
    const leader = await leaderDesk.fetch(
      `${leaderDesk}/tasks`,
      jsonPost({ quarter: '2026Q4', title: '题', due: DUE }),
    );
    expect(leader.status).toBe(403);
    expect(await leader.json()).toMatchObject({ error: 'invalid_link', message: expect.stringContaining('只能查看') });
    expect(await taskItems()).toEqual(before);
  });

  it('assigns it to three units: their informants are emailed, the form offers it to their research papers only', async () => {
    const res = await desk.fetch(
      `${desk}/tasks`,
      jsonPost({
        quarter: '2026Q4',
        title: '关于村级组织运转经费保障的调研',
        description: '摸清底数，提出对策。',
        due: DUE,
        lead: '李副部长',
        units: UNITS.map(unit),
      }),
    );
    expect(res.status).toBe(201);
    const body = (await res.json()) as { added: boolean; task: { taskId: string }; recipients: number };
    expect(body).toMatchObject({ added: true, recipients: 3 });
    taskId = body.task.taskId;
    for (const name of ['zhang', 'liu', 'chen']) {
      const [mail] = await county.waitForMails(address(name), 1, /^重点调研任务：/);
      expect(mail?.body.text).toContain('关于村级组织运转经费保障的调研');
      expect(mail?.body.text).toContain('牵头人：李副部长');
      // The answer link for this task, never the personal key (test/integration/research/answerLink.test.ts).
      expect(linkIn(mail)).toContain('/submit?a=');
      expect(mail?.body.text).not.toContain('/submit?k=');
    }
    expect((await county.mails(address('he'))).filter((m) => m.subject.startsWith('重点调研任务'))).toHaveLength(0);
    // The same task again is the same task: no second item, no second email.
    const again = await desk.fetch(
      `${desk}/tasks`,
      jsonPost({ quarter: '2026Q4', title: '关于村级组织运转经费保障的调研', due: DUE, units: UNITS.map(unit) }),
    );
    expect(again.status).toBe(200);
    expect(((await again.json()) as { added: boolean }).added).toBe(false);
    expect((await county.mails(address('zhang'))).filter((m) => m.subject.startsWith('重点调研任务'))).toHaveLength(1);

    expect((await formTasks(k.zhang)).map((t) => t.id)).toEqual([taskId]);
    expect(await formTasks(k.he)).toEqual([]);
    const formPage = await (await fetch(url(`/submit?k=${k.zhang}`))).text();
    expect(formPage).toContain('重点调研任务（调研文稿可选）');
  });

  it('takes a research paper of an assigned unit naming it, and refuses an 信息, another unit and a made-up task', async () => {
    const info = await submit(k.zhang, { kind: 'info', title: '一条信息', task: taskId });
    expect(info.status).toBe(400);
    expect(JSON.stringify(await info.json())).toContain('重点调研任务只能由调研文稿对应');
    const other = await submit(k.he, { kind: 'research', title: '别的单位的调研', task: taskId });
    expect(other.status).toBe(400);
    expect(JSON.stringify(await other.json())).toContain('不属于本单位');
    expect((await submit(k.zhang, { kind: 'research', title: '编的任务', task: 'R26Q4000000' })).status).toBe(400);

    const zhang = await submit(k.zhang, { kind: 'research', title: '城关镇村级经费调研', task: taskId });
    expect(zhang.status).toBe(201);
    receipts.zhang = ((await zhang.json()) as { receipt: string }).receipt;
    setClock(new Date(T0.getTime() + 3600_000));
    const liu = await submit(k.liu, { kind: 'research', title: '红旗乡村级经费调研', task: taskId });
    expect(liu.status).toBe(201);
    receipts.liu = ((await liu.json()) as { receipt: string }).receipt;
    const m = await matrix();
    expect(m.cells[taskId]).toEqual({
      [unit('城关镇党委')]: expect.objectContaining({
        state: 'submitted',
        on: '2026-11-10',
        receipts: [receipts.zhang],
      }),
      [unit('红旗乡党委')]: expect.objectContaining({ state: 'submitted', receipts: [receipts.liu] }),
      [unit('县教育局')]: expect.objectContaining({ state: 'none', receipts: [] }),
    });
  });

  it('moves through 已退回, 已提交 again and 已采用; 逾期 once the due day has passed with nothing sent', async () => {
    await at(new Date('2026-11-12T02:00:00Z'));
    expect((await decide(receipts.liu, { decision: 'return', comment: '请补充数据。' })).status).toBe(200);
    expect((await decide(receipts.zhang, { decision: 'accept', issue: '9' })).status).toBe(200);
    let m = await matrix();
    expect(m.cells[taskId]?.[unit('红旗乡党委')]).toMatchObject({ state: 'returned', on: '2026-11-12' });
    expect(m.cells[taskId]?.[unit('城关镇党委')]).toMatchObject({ state: 'accepted', on: '2026-11-12' });

    // 刘芳 revises from the return email: the paper waits again, still on the task.
    await at(new Date('2026-11-14T02:00:00Z'));
    const [returned] = await county.waitForMails(address('liu'), 1, /^您的稿件需要修改/);
    const revise = new URL(linkIn(returned, '/revise/')).pathname;
    const revised = await fetch(
      url(revise),
      jsonPost({ kind: 'research', title: '红旗乡村级经费调研（修改稿）', body: `${LONG_BODY}补充了数据。` }),
    );
    expect(revised.status).toBe(201);
    m = await matrix();
    expect(m.cells[taskId]?.[unit('红旗乡党委')]).toMatchObject({ state: 'submitted', on: '2026-11-14' });
    expect(m.cells[taskId]?.[unit('县教育局')]?.state).toBe('none');

    await at(new Date('2026-12-01T02:00:00Z')); // the day after the due day
    m = await matrix();
    expect(m.cells[taskId]?.[unit('县教育局')]).toMatchObject({ state: 'overdue', on: '2026-12-01', receipts: [] });
    // Past its due day the form no longer offers it.
    expect(await formTasks(k.chen)).toEqual([]);
    expect((await submit(k.chen, { kind: 'research', title: '迟到的调研', task: taskId })).status).toBe(400);
  });

  it('equals a recount of the raw events', async () => {
    const items = await tableSnapshot();
    const events = items.filter((i) => String(i.sk).startsWith('E#'));
    const m = await matrix();
    for (const name of UNITS) {
      const own = events.filter((e) => e.unitId === unit(name));
      const papers = [...new Set(own.filter((e) => e.taskId === taskId).map((e) => String(e.pieceId)))];
      const last = papers.map(
        (p) =>
          own
            .filter((e) => e.pieceId === p)
            .sort((a, b) => String(a.at).localeCompare(String(b.at)))
            .at(-1)!.type,
      );
      const expected = last.includes('accepted')
        ? 'accepted'
        : last.some((t) => t === 'submitted' || t === 'revised')
          ? 'submitted'
          : last.includes('returned')
            ? 'returned'
            : last.includes('rejected')
              ? 'rejected'
              : DUE < dayOf(new Date('2026-12-01T02:00:00Z'))
                ? 'overdue'
                : 'none';
      expect([name, m.cells[taskId]?.[unit(name)]?.state]).toEqual([name, expected]);
    }
    expect(m.cells[taskId]?.[unit('县卫健委')]).toBeUndefined();
  });

  it('shows the matrix on the desk, downloads it as .xlsx and CSV, and 我的报送 shows the unit its status', async () => {
    const page = await (await desk.fetch(`${desk}/tasks?quarter=2026Q4`)).text();
    expect(page).toContain('<span class="st-accepted">已采用</span> 2026-11-12');
    expect(page).toContain('<span class="st-overdue">逾期</span> 2026-12-01');
    expect(page).toContain('<span class="st-submitted">已提交</span> 2026-11-14');
    expect(page).toContain(`action="${desk}/tasks/${taskId}/close"`);
    const leaderPage = await (await leaderDesk.fetch(`${leaderDesk}/tasks?quarter=2026Q4`)).text();
    expect(leaderPage).toContain('已采用');
    expect(leaderPage).not.toContain('/close"');
    expect((await desk.fetch(`${desk}/tasks?quarter=2026Q7`)).status).toBe(400);

    const xlsx = await desk.fetch(`${desk}/tasks/download?quarter=2026Q4&format=xlsx`);
    expect(xlsx.status).toBe(200);
    const table = await readTable(Buffer.from(await xlsx.arrayBuffer()));
    if (!table.ok) throw new Error(table.message);
    const rows = table.rows.map((r) => r.fields);
    expect(rows[0]).toEqual([
      '任务编号',
      '调研任务',
      '截止日期',
      '牵头人',
      '单位',
      '状态',
      '日期',
      '稿件回执号',
      '上级采用',
    ]);
    expect(rows.slice(1).map((r) => [r[4], r[5]])).toEqual([
      ['城关镇党委', '已采用'],
      ['红旗乡党委', '已提交'],
      ['县教育局', '逾期'],
    ]);
    const csv = Buffer.from(await (await desk.fetch(`${desk}/tasks/download?quarter=2026Q4&format=csv`)).arrayBuffer());
    expect([...csv.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(csv.toString('utf8')).toContain('县教育局,逾期,2026-12-01');

    const mine = await (await fetch(url(`/mine?k=${k.chen}`))).text();
    expect(mine).toContain('本季度重点调研任务');
    expect(mine).toContain('<span class="st-overdue">逾期</span>');
    expect(await (await fetch(url(`/mine?k=${k.he}`))).text()).not.toContain('本季度重点调研任务');
  });

  it('closes it once; the form no longer offers it and its status stays', async () => {
    await at(new Date('2026-11-20T02:00:00Z')); // back before the due day: only the close takes it off the form
    expect((await formTasks(k.chen)).map((t) => t.id)).toEqual([taskId]);
    const closed = await desk.fetch(`${desk}/tasks/${taskId}/close`, jsonPost({}));
    expect(closed.status).toBe(200);
    expect(((await closed.json()) as { closed: boolean }).closed).toBe(true);
    const again = await desk.fetch(`${desk}/tasks/${taskId}/close`, jsonPost({}));
    expect(((await again.json()) as { closed: boolean }).closed).toBe(false);
    expect(await formTasks(k.chen)).toEqual([]);
    expect((await matrix()).cells[taskId]?.[unit('城关镇党委')]?.state).toBe('accepted');
  });
});

describe('a paper not adopted', () => {
  it('shows 未予采用 for its unit', async () => {
    await at(new Date('2026-11-20T03:00:00Z'));
    const res = await desk.fetch(
      `${desk}/tasks`,
      jsonPost({ quarter: '2026Q4', title: '卫生健康系统基层党建调研', due: '2026-12-20', units: [unit('县卫健委')] }),
    );
    expect(res.status).toBe(201);
    const { task } = (await res.json()) as { task: { taskId: string } };
    const paper = await submit(k.he, { kind: 'research', title: '卫健系统党建调研', task: task.taskId });
    expect(paper.status).toBe(201);
    const { receipt } = (await paper.json()) as { receipt: string };
    expect((await decide(receipt, { decision: 'reject', comment: '与任务要求不符。', confirm: '1' })).status).toBe(200);
    expect((await matrix()).cells[task.taskId]).toEqual({
      [unit('县卫健委')]: expect.objectContaining({ state: 'rejected', on: '2026-11-20', receipts: [receipt] }),
    });
  });
});

describe('the CLI', () => {
  // The CLI runs on the real clock: a due day ten days from today, in whatever quarter that falls.
  const day = new Date(Date.now() + 10 * 86_400_000 + 8 * 3600_000).toISOString().slice(0, 10);
  const quarter = quarterOf(day);
  const dir = mkdtempSync(join(tmpdir(), 'tasks-'));

  it('adds a task, refuses bad input naming it and writing nothing, lists, prints the status and closes it', async () => {
    const before = await taskItems();
    const bad = await admin('--aws', 'task', 'add', '--quarter', '2026Q9', '--title', '题', '--due', day);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('季度格式应为 2026Q4');
    const unknown = await admin(
      '--aws',
      'task',
      'add',
      '--quarter',
      quarter,
      '--title',
      '题',
      '--due',
      day,
      '--units',
      '不存在的单位',
    );
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('名单中没有这些单位：不存在的单位');
    expect(await taskItems()).toEqual(before);

    const added = await admin(
      ...['--aws', 'task', 'add', '--quarter', quarter, '--title', '乡村振兴中的基层党建调研', '--due', day],
      ...['--units', '城关镇党委,县卫健委', '--lead', '张部长'],
    );
    expect(added.code).toBe(0);
    expect(added.stdout).toContain('通知 2 位信息员');
    const id = /编号 (R\d\dQ\d[0-9a-f]{6})/.exec(added.stdout)![1]!;
    const list = await admin('--aws', 'task', 'list', '--quarter', quarter);
    // The units by name, whatever the order of their ids.
    expect(list.stdout.split('\n').find((l) => l.startsWith(id))).toContain(
      ['城关镇党委', '县卫健委'].sort((a, b) => a.localeCompare(b, 'zh')).join('、'),
    );
    const xlsx = join(dir, 'm.xlsx');
    const csv = join(dir, 'm.csv');
    const status = await admin('--aws', 'task', 'status', '--quarter', quarter, '--xlsx', xlsx, '--csv', csv);
    expect(status.code).toBe(0);
    expect(status.stdout.split('\n').find((l) => l.startsWith('县卫健委'))).toContain('未提交');
    expect(readFileSync(csv, 'utf8')).toContain('乡村振兴中的基层党建调研');
    expect(readFileSync(xlsx).subarray(0, 2).toString()).toBe('PK');
    const closed = await admin('--aws', 'task', 'close', id);
    expect(closed.stdout).toContain('已结束');
  }, 90_000);

  it('imports a file all or nothing, line by line, and a second import adds nothing', async () => {
    const file = join(dir, 'tasks.csv');
    writeFileSync(
      file,
      [
        '季度,任务名称,说明,单位,截止日期,牵头人',
        `${quarter},导入任务甲,,全部,${day},王部长`,
        `${quarter},导入任务乙,,城关镇党委、没有的单位,${day},`,
        `2026Q9,导入任务丙,,,${day},`,
      ].join('\n'),
    );
    const before = await taskItems();
    const refused = await admin('--aws', 'task', 'import', file);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('第 3 行：名单中没有这些单位：没有的单位');
    expect(refused.stderr).toContain('第 4 行：季度格式应为 2026Q4');
    expect(await taskItems()).toEqual(before);

    writeFileSync(
      file,
      [
        '季度,任务名称,说明,单位,截止日期,牵头人',
        `${quarter},导入任务甲,,全部,${day},王部长`,
        `${quarter},导入任务乙,,城关镇党委、县教育局,${day},`,
      ].join('\n'),
    );
    const imported = await admin('--aws', 'task', 'import', file);
    expect(imported.code).toBe(0);
    expect(imported.stdout).toContain('新部署 2 项');
    const again = await admin('--aws', 'task', 'import', file);
    expect(again.stdout).toContain('新部署 0 项，已部署过 2 项');
  }, 90_000);
});
