// The research tasks' timed work on a fixed clock, over the real jobs and mailbox: a week before the due day the
// units that sent nothing are reminded (once, however often the job runs), the day after it they and the editors
// hear it is overdue (once); the 通报 of the quarter's last month reports the tasks; the quarterly status email goes
// to leaders and editors once with the matrix attached, a second run sends nothing, two runs at once send each one
// message, and a queued run is sent by the sweeper. The editors' overdue notice signs in to the desk's page of the
// quarter's tasks.
import { handler as quarterlyJob } from '../../../functions/quarterly';
import { handler as remindersJob } from '../../../functions/reminders';
import { handler as sweep } from '../../../functions/sweeper';
import { computeBulletin } from '../../../shared/bulletin/computeBulletin';
import { bulletinEmail } from '../../../shared/bulletin/emails';
import { setClock } from '../../../shared/core/clock';
import type { Send } from '../../../shared/mail/runs';
import { quarterlyRun, sendQuarterly } from '../../../shared/research/quarterly';
import { importRoster } from '../../../shared/roster/importRoster';
import { readTable } from '../../../shared/sheets/read';
import { unitIdOf } from '../../../shared/store/keys';
import { sessionCookieOf } from '../../support/deskSession';
import { form, LONG_BODY, linkIn, startTestCounty, type TestCounty } from '../../support/harness';
import { DeskSession, jsonPost, signIn, submitKeyOf } from '../desk/deskSupport';

let county: TestCounty;
let desk: DeskSession;
const k = { zhang: '', liu: '', chen: '' };
const address = (name: string) => `${name}@${county.domain}`;
const url = (path: string) => `${county.baseUrl}${path}`;
const unit = (name: string) => unitIdOf(process.env.COUNTY_ID!, name);
const at = (iso: string) => setClock(new Date(iso));
let taskId = '';

const mailsTo = async (name: string, subject: string) =>
  (await county.mails(address(name))).filter((m) => m.subject.startsWith(subject));

const TASK_PAGE = '/desk/tasks?quarter=2026Q4';

/**
 * Signs in with an email's sign-in link as a browser does: the link's page, then its 进入工作台 button (the page's
 * form, with the desk page the link names); the sign-in must lead to `page`.
 */
async function signInTo(link: string, page: string): Promise<DeskSession> {
  const { pathname, search } = new URL(link);
  const signinPage = await fetch(url(`${pathname}${search}`));
  expect(signinPage.status).toBe(200);
  const button = /<form method="post" action="([^"]+)">(?:<input type="hidden" name="to" value="([^"]*)">)?/.exec(
    await signinPage.text(),
  );
  expect(button?.[1]).toBe(pathname);
  const pressed = await fetch(url(button![1]!), {
    ...form(button?.[2] === undefined ? {} : { to: button[2] }),
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
  });
  expect(pressed.status).toBe(303);
  expect(pressed.headers.get('location')).toBe(page);
  const { csrf } = (await pressed.json()) as { csrf: string };
  return new DeskSession(county.baseUrl, sessionCookieOf(pressed)!, csrf);
}

async function submitPaper(key: string, title: string): Promise<string> {
  const res = await fetch(
    url('/submissions'),
    jsonPost({ k: key, kind: 'research', title, body: LONG_BODY, task: taskId }),
  );
  expect(res.status).toBe(201);
  return ((await res.json()) as { receipt: string }).receipt;
}

beforeAll(async () => {
  at('2026-11-10T02:00:00Z');
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
  for (const name of Object.keys(k) as (keyof typeof k)[]) k[name] = await submitKeyOf(county, address(name));
  const assign = async (fields: Record<string, unknown>) => {
    const res = await desk.fetch(`${desk}/tasks`, jsonPost(fields));
    expect(res.status).toBe(201);
    return ((await res.json()) as { task: { taskId: string } }).task.taskId;
  };
  taskId = await assign({ quarter: '2026Q4', title: '基层党组织书记队伍建设调研', due: '2026-11-30', lead: '李部长' });
  await assign({ quarter: '2027Q1', title: '年轻干部培养调研', due: '2027-01-20', units: [unit('县教育局')] });
  await assign({ quarter: '2027Q1', title: '元旦后首周的调研', due: '2027-01-05', units: [unit('县教育局')] });
  const paper = await submitPaper(k.zhang, '城关镇书记队伍调研');
  at('2026-11-13T02:00:00Z');
  desk = await signIn(county, address('wang')); // days later: a new session, from the welcome email's link again
  expect(
    (await desk.fetch(`${desk}/pieces/${paper}`, jsonPost({ decision: 'accept', issue: '3', revision: 1 }))).status,
  ).toBe(200);
});
afterAll(async () => {
  setClock(undefined);
  await county.close();
});

describe('reminders and overdue notices', () => {
  it('reminds the units that sent nothing a week before the due day, once', async () => {
    at('2026-11-22T01:00:00Z');
    expect((await remindersJob()).tasks).toEqual({ reminded: 0, overdue: 0 });
    at('2026-11-23T01:00:00Z'); // 09:00, seven days before
    expect((await remindersJob()).tasks).toEqual({ reminded: 2, overdue: 0 });
    at('2026-11-23T05:00:00Z');
    expect((await remindersJob()).tasks).toEqual({ reminded: 0, overdue: 0 });
    at('2026-11-24T01:00:00Z');
    expect((await remindersJob()).tasks).toEqual({ reminded: 0, overdue: 0 });
    for (const name of ['liu', 'chen']) {
      const [mail, ...more] = await mailsTo(name, '【提醒】重点调研任务');
      expect(more).toEqual([]);
      expect(mail?.body.text).toContain('将于 2026年11月30日 截止，本单位尚未报送调研文稿');
    }
    expect(await mailsTo('zhang', '【提醒】')).toEqual([]);
  });

  it('tells the units still without a paper, and the editors, the day after the due day, once', async () => {
    at('2026-11-25T02:00:00Z');
    await submitPaper(k.liu, '红旗乡书记队伍调研');
    at('2026-11-30T01:00:00Z'); // the due day itself: not yet overdue
    expect((await remindersJob()).tasks).toEqual({ reminded: 0, overdue: 0 });
    at('2026-12-01T01:00:00Z');
    expect((await remindersJob()).tasks).toEqual({ reminded: 0, overdue: 1 });
    at('2026-12-02T01:00:00Z');
    expect((await remindersJob()).tasks).toEqual({ reminded: 0, overdue: 0 });
    expect(await mailsTo('chen', '【逾期】重点调研任务')).toHaveLength(1);
    expect(await mailsTo('liu', '【逾期】')).toEqual([]);
    const [editors, ...more] = await mailsTo('wang', '重点调研任务逾期');
    expect(more).toEqual([]);
    expect(editors?.subject).toBe('重点调研任务逾期：基层党组织书记队伍建设调研（1 个单位未报送）');
    expect(editors?.body.text).toContain('尚未报送：县教育局');
    // Its sign-in link leads to the quarter's task page, which names the unit overdue.
    const fromNotice = await signInTo(linkIn(editors, '/desk/signin/'), TASK_PAGE);
    const page = await fromNotice.fetch(TASK_PAGE);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<span class="st-overdue">逾期</span> 2026-12-01');
  });
});

describe('a task due in the first week of a quarter', () => {
  it('is reminded a week ahead, from the quarter before', async () => {
    at('2026-12-28T01:00:00Z');
    expect((await remindersJob()).tasks).toEqual({ reminded: 0, overdue: 0 });
    at('2026-12-29T01:00:00Z'); // seven days before 2027-01-05
    expect((await remindersJob()).tasks).toEqual({ reminded: 1, overdue: 0 });
    expect((await mailsTo('chen', '【提醒】重点调研任务：元旦后首周的调研')).length).toBe(1);
  });

  it('counts a paper sent in December for it in the next year: on 我的报送 and in the 通报 of March', async () => {
    const form = (await (
      await fetch(url(`/submit?k=${k.chen}`), { headers: { accept: 'application/json' } })
    ).json()) as {
      tasks: { id: string; title: string }[];
    };
    const early = form.tasks.find((t) => t.title.startsWith('元旦后首周的调研'))!;
    const res = await fetch(
      url('/submissions'),
      jsonPost({ k: k.chen, kind: 'research', title: '教育系统年初调研', body: LONG_BODY, task: early.id }),
    );
    expect(res.status).toBe(201);
    at('2027-01-10T02:00:00Z');
    const mine = await (await fetch(url(`/mine?k=${k.chen}`))).text();
    expect(mine).toMatch(
      /元旦后首周的调研（2027-01-05 截止）· 本单位：<span class="st-submitted">已提交<\/span> 2026-12-29/,
    );
    at('2027-04-01T01:00:00Z');
    const march = await computeBulletin('2027-03');
    expect(march.research?.tasks.map((t) => [t.title, t.units])).toEqual([
      ['元旦后首周的调研', [{ state: '已提交', names: ['县教育局'] }]],
      ['年轻干部培养调研', [{ state: '逾期', names: ['县教育局'] }]],
    ]);
  });
});

describe('the 通报 of the quarter’s last month', () => {
  it('reports the quarter’s tasks and who is overdue; other months do not', async () => {
    const december = await computeBulletin('2026-12');
    expect(december.research).toEqual({
      quarter: '2026Q4',
      tasks: [
        {
          title: '基层党组织书记队伍建设调研',
          due: '2026-11-30',
          lead: '李部长',
          units: [
            { state: '已采用', names: ['城关镇党委'] },
            { state: '已提交', names: ['红旗乡党委'] },
            { state: '逾期', names: ['县教育局'] },
          ],
        },
      ],
    });
    expect((await computeBulletin('2026-11')).research).toBeUndefined();
    const { text } = bulletinEmail(december, { view: 'https://example.invalid/v' });
    expect(text).toContain(
      '六、重点调研任务（2026年第四季度）\n“基层党组织书记队伍建设调研”（2026-11-30 截止，牵头人 李部长）：已采用 城关镇党委；已提交 红旗乡党委；逾期 县教育局。',
    );
  });
});

describe('the quarterly status email', () => {
  it('goes to leaders and editors once with the matrix attached; a second run sends nothing', async () => {
    at('2027-01-01T01:00:00Z');
    const first = await quarterlyJob({ scheduledTime: '2027-01-01T01:00:00Z' });
    expect(first).toMatchObject({ period: '2026Q4', sent: 2, recipients: 2, started: true });
    const second = await quarterlyJob({ scheduledTime: '2027-01-01T01:00:00Z' });
    expect(second).toMatchObject({ period: '2026Q4', sent: 0, already: 2, started: false });
    for (const name of ['wang', 'leader'])
      expect(await mailsTo(name, '2026年第四季度重点调研完成情况')).toHaveLength(1);
    expect(await mailsTo('zhang', '2026年第四季度重点调研完成情况')).toEqual([]);
    const [mail] = await mailsTo('leader', '2026年第四季度重点调研完成情况');
    const text = mail!.body.text ?? '';
    expect(text).toContain(
      '基层党组织书记队伍建设调研（2026-11-30 截止，牵头人 李部长）：已采用 1 个、已提交 1 个、逾期 1 个',
    );
    expect(text).toMatch(/城关镇党委：已采用 2026-11-13（\d{4}-\d{4}）/);
    expect(text).toContain('县教育局：逾期 2026-12-01');
    expect(text).toContain('二、2027年第一季度任务');
    expect(text).toContain('年轻干部培养调研（2027-01-20 截止，县教育局）');
    expect(text).toContain('元旦后首周的调研（2027-01-05 截止，县教育局）');
    const attachments = (mail as unknown as { attachments: { filename: string; content?: unknown }[] }).attachments;
    expect(attachments.map((a) => a.filename)).toEqual(['2026年第四季度重点调研任务情况.xlsx']);
    expect((await quarterlyRun('2026Q4'))?.finishedAt).toBeDefined();
  });

  it('sends each recipient one message when two runs go at once, and a queued run through the sweeper', async () => {
    const sent: string[] = [];
    const send: Send = async (e) => {
      sent.push(e.to);
      await new Promise((r) => setTimeout(r, 20));
      return `q${sent.length}`;
    };
    await Promise.all([sendQuarterly('2026Q3', { send }), sendQuarterly('2026Q3', { send })]);
    expect(sent.sort()).toEqual([address('leader'), address('wang')].sort());

    await sweep(); // whatever else waits in the outbox
    await sendQuarterly('2026Q2', { by: '王编辑', freezeOnly: true });
    expect(await mailsTo('wang', '2026年第二季度重点调研完成情况')).toEqual([]);
    expect((await sweep()).sent).toBe(2);
    expect(await mailsTo('wang', '2026年第二季度重点调研完成情况')).toHaveLength(1);
    expect((await quarterlyRun('2026Q2'))?.finishedAt).toBeDefined();
  });

  it('its matrix reads back from the desk’s download as the email tells it', async () => {
    // Weeks after his last sign-in link: 王编辑 asks for a fresh one on the front page, and signs in with it.
    const asked = await fetch(url('/link'), form({ email: address('wang') }));
    expect(asked.status).toBe(200);
    await sweep();
    const [fresh] = await county.waitForMails(address('wang'), 1, /^您的信息科工作台登录链接$/);
    desk = await signInTo(linkIn(fresh, '/desk/signin/'), '/desk');
    const res = await desk.fetch(`${desk}/tasks/download?quarter=2026Q4&format=xlsx`);
    expect(res.status).toBe(200);
    const table = await readTable(Buffer.from(await res.arrayBuffer()));
    if (!table.ok) throw new Error(table.message);
    expect(table.rows.slice(1).map((r) => [r.fields[4], r.fields[5], r.fields[6]])).toEqual([
      ['城关镇党委', '已采用', '2026-11-13'],
      ['红旗乡党委', '已提交', '2026-11-25'],
      ['县教育局', '逾期', '2026-12-01'],
    ]);
  });
});
