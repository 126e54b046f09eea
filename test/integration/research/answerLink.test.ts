// The 重点调研任务 emails' answer link over real HTTP, through the mailbox and the real reminders job, on a fixed clock:
// the assignment and the reminder a week before the due day carry a link scoped to a research paper for that task
// and the read-only 我的报送 link, never the personal key; the overdue notice carries no submission link at all (the
// answer link ended with the due day) and the editors' notice a desk sign-in link to the quarter's task page. The
// answer link opens the form with the task chosen and 调研文稿 checked; it takes a research paper for the task (the
// matrix shows it) and lands on a page without the personal key; it refuses an 信息, another task, no task and a
// topic, writing nothing; after the due day it answers 410.
import { handler as remindersJob } from '../../../functions/reminders';
import { setClock } from '../../../shared/core/clock';
import { config } from '../../../shared/core/config';
import { importRoster } from '../../../shared/roster/importRoster';
import { personIdOf, unitIdOf } from '../../../shared/store/keys';
import { LONG_BODY, linkIn, startTestCounty, type TestCounty } from '../../support/harness';
import { mailTokens, purposesOf, tokensIn } from '../../support/linkTokens';
import { type DeskSession, form, jsonPost, signIn, tableSnapshot, wantsJson } from '../desk/deskSupport';

let county: TestCounty;
let desk: DeskSession;
const DUE = '2026-11-30';
/** 2026-12-01 00:00 Asia/Shanghai: the end of the due day. */
const END_OF_DUE = new Date('2026-11-30T16:00:00Z');
const TITLE = '关于村级组织运转经费保障的调研';
const ids = { task: '', other: '', topic: '' };
let link = '';

const address = (name: string) => `${name}@${county.domain}`;
const url = (path: string) => `${county.baseUrl}${path}`;
const unit = (name: string) => unitIdOf(process.env.COUNTY_ID!, name);
const at = (iso: string) => setClock(new Date(iso));
const tokenOf = (address: string) => new URL(address).searchParams.get('a')!;

const mailsTo = async (name: string, subject: string) =>
  (await county.mails(address(name))).filter((m) => m.subject.startsWith(subject));

function expectNoPersonalKey(text: string) {
  expect(text).not.toMatch(/[?&](amp;)?k=/);
  expect(text).not.toContain('name="k"');
  expect(tokensIn(text).filter((t) => t.claims.p === 'submit')).toEqual([]);
}

async function created(path: string, fields: Record<string, unknown>, key: 'task' | 'topic'): Promise<string> {
  const res = await desk.fetch(`${desk}${path}`, jsonPost(fields));
  expect(res.status).toBe(201);
  const body = (await res.json()) as { task?: { taskId: string }; topic?: { topicId: string } };
  return key === 'task' ? body.task!.taskId : body.topic!.topicId;
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
      `县委组织部信息科,王编辑,wang@${d},,编辑`,
    ].join('\n'),
  );
  expect(imported.ok).toBe(true);
  desk = await signIn(county, address('wang'));
  const units = [unit('城关镇党委'), unit('红旗乡党委')];
  ids.task = await created('/tasks', { quarter: '2026Q4', title: TITLE, due: DUE, lead: '李副部长', units }, 'task');
  ids.other = await created(
    '/tasks',
    { quarter: '2026Q4', title: '年轻干部培养调研', due: '2026-12-20', units },
    'task',
  );
  ids.topic = await created('/topics', { title: '基层党建“三抓三促”行动', due: DUE }, 'topic');
  const [assignment] = await county.waitForMails(address('zhang'), 1, new RegExp(`^重点调研任务：${TITLE}`));
  link = linkIn(assignment, '/submit');
});
afterAll(async () => {
  setClock(undefined);
  await county.close();
});

describe('the 重点调研任务 assignment email', () => {
  it('carries the answer link for its task and the read-only 我的报送 link, and no personal key', async () => {
    for (const name of ['zhang', 'liu']) {
      const [mail] = await county.waitForMails(address(name), 1, new RegExp(`^重点调研任务：${TITLE}`));
      const tokens = mailTokens(mail);
      expect(purposesOf(tokens)).toEqual(['answer', 'mine']);
      expect(mail?.body.text).not.toMatch(/[?&]k=/);
      for (const t of tokens.filter((t) => t.claims.p === 'answer')) {
        expect(t.claims).toMatchObject({
          i: personIdOf(config().countyId, address(name)),
          tk: ids.task,
          exp: END_OF_DUE.getTime() / 1000,
        });
        expect(t.claims).not.toHaveProperty('tp');
      }
    }
  });
});

describe('the task’s answer link', () => {
  it('opens the form with the task chosen and 调研文稿 checked, no other task or topic, no personal key', async () => {
    const res = await fetch(link);
    expect(res.status).toBe(200);
    const page = await res.text();
    expect(page).toContain(`报送重点调研文稿：${TITLE}`);
    expect(page).toContain(`<option value="${ids.task}" selected>${TITLE}（${DUE} 截止）</option>`);
    expect(page).toContain('value="research" checked');
    expect(page).not.toContain(ids.other);
    expect(page).not.toContain(ids.topic);
    expect(page).not.toContain('name="topic"');
    expectNoPersonalKey(page);
    const json = (await (await fetch(link, wantsJson)).json()) as { topics: unknown[]; tasks: { id: string }[] };
    expect(json.topics).toEqual([]);
    expect(json.tasks.map((t) => t.id)).toEqual([ids.task]);
  });

  it('refuses an 信息, another task, no task and a topic, saying what the link is for, and writes nothing', async () => {
    const before = await tableSnapshot();
    const paper = { a: tokenOf(link), kind: 'research', title: '城关镇调研', body: LONG_BODY, task: ids.task };
    const cases: [Record<string, unknown>, string, string][] = [
      [{ ...paper, kind: 'info' }, 'kind', '类型请选“调研文稿”'],
      [{ ...paper, task: ids.other }, 'task', '不能对应其他任务'],
      [{ ...paper, task: '' }, 'task', '请在“重点调研任务”一栏选择这一任务'],
      [{ ...paper, topic: ids.topic }, 'topic', '不能回应点题'],
    ];
    for (const [fields, field, message] of cases) {
      const res = await fetch(url('/submissions'), jsonPost(fields));
      expect([JSON.stringify(fields), res.status]).toEqual([JSON.stringify(fields), 400]);
      const { errors } = (await res.json()) as { errors: { field: string; message: string }[] };
      expect(errors.find((e) => e.field === field)?.message).toContain(message);
      expect(errors.find((e) => e.field === field)?.message).toContain(`重点调研任务“${TITLE}”的调研文稿`);
    }
    expect(await tableSnapshot()).toEqual(before);
  });

  it('takes a research paper for the task, lands on a page without the personal key, and the matrix shows it', async () => {
    const res = await fetch(
      url(`/submissions?a=${tokenOf(link)}`),
      form({ kind: 'research', title: '城关镇村级经费调研', body: LONG_BODY, task: ids.task }),
    );
    expect(res.status).toBe(303);
    const location = res.headers.get('location')!;
    expect(location).toMatch(/^\/submit\?a=[^&]+&sent=2026-0001$/);
    const landed = await fetch(url(location));
    expect(landed.status).toBe(200);
    const page = await landed.text();
    expect(page).toContain('报送成功');
    expectNoPersonalKey(page);
    const matrix = await desk.fetch(`${desk}/tasks?quarter=2026Q4`, wantsJson);
    const { cells } = (await matrix.json()) as {
      cells: Record<string, Record<string, { state: string; receipts: string[] }>>;
    };
    expect(cells[ids.task]?.[unit('城关镇党委')]).toMatchObject({ state: 'submitted', receipts: ['2026-0001'] });
    expect(cells[ids.task]?.[unit('红旗乡党委')]).toMatchObject({ state: 'none', receipts: [] });
  });
});

describe('the task’s reminders', () => {
  it('remind a week before the due day with the answer link and 我的报送, never the personal key', async () => {
    at('2026-11-23T01:00:00Z');
    expect((await remindersJob()).tasks).toEqual({ reminded: 1, overdue: 0 });
    const [reminder, ...more] = await mailsTo('liu', `【提醒】重点调研任务：${TITLE}`);
    expect(more).toEqual([]);
    const tokens = mailTokens(reminder);
    expect(purposesOf(tokens)).toEqual(['answer', 'mine']);
    expect(tokens.filter((t) => t.claims.p === 'answer').map((t) => t.claims.tk)).toEqual([ids.task, ids.task]);
    expect(reminder?.body.text).not.toMatch(/[?&]k=/);
    // The reminder's link works like the assignment's.
    expect((await fetch(linkIn(reminder, '/submit'))).status).toBe(200);
  });

  it('tell the unit it is overdue with 我的报送 alone, and the editors with a sign-in link to the task page', async () => {
    at('2026-12-01T01:00:00Z');
    expect((await remindersJob()).tasks).toEqual({ reminded: 0, overdue: 1 });
    const [overdue] = await mailsTo('liu', `【逾期】重点调研任务：${TITLE}`);
    expect(purposesOf(mailTokens(overdue))).toEqual(['mine']);
    const [editors] = await mailsTo('wang', `重点调研任务逾期：${TITLE}`);
    const tokens = mailTokens(editors);
    expect(purposesOf(tokens)).toEqual(['signin']);
    for (const t of tokens) {
      expect(t.claims).toMatchObject({ i: personIdOf(config().countyId, address('wang')) });
      expect(new URL(t.url).pathname).toMatch(/^\/desk\/signin\/[^/]+$/);
      expect(new URL(t.url).searchParams.get('to')).toBe('/desk/tasks?quarter=2026Q4');
    }
  });

  it('no longer opens the form once the due day is over: 410', async () => {
    at(END_OF_DUE.toISOString());
    const res = await fetch(link);
    expect(res.status).toBe(410);
    expect(await res.text()).toContain('这个重点调研任务已过截止日期');
  });
});
