// The daily reminder job on a fixed clock: a piece waiting for a decision longer than three days brings every editor
// a reminder with a fresh review link, at most once per Asia/Shanghai day, and none once it is decided; a returned
// and revised piece is reminded about its newest revision only. The job runs as the timed Lambda does (its handler);
// links are taken from the real emails and used over HTTP.
import { handler as remindersJob } from '../../../functions/reminders';
import { setClock } from '../../../shared/core/clock';
import { importRoster } from '../../../shared/roster/importRoster';
import { form, LONG_BODY, linkIn, type StoredEmail, startTestCounty, type TestCounty } from '../../support/harness';

let county: TestCounty;
let k = '';
const EDITORS = ['wang', 'li'] as const;
type Editor = (typeof EDITORS)[number];

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** Monday 2026-06-15 10:00 in Asia/Shanghai. */
const T = new Date('2026-06-15T02:00:00Z').getTime();

const address = (name: string) => `${name}@${county.domain}`;
const url = (path: string) => `${county.baseUrl}${path}`;

beforeAll(async () => {
  setClock(new Date(T));
  county = await startTestCounty();
  const d = county.domain;
  const imported = await importRoster(
    [
      '单位,姓名,邮箱,手机,角色',
      `红旗乡党委,周强,zhou@${d},,信息员`,
      `县委组织部信息科,王编辑,wang@${d},,编辑`,
      `县委组织部信息科,李编辑,li@${d},,编辑`,
    ].join('\n'),
  );
  expect(imported.ok).toBe(true);
  k = new URL(linkIn((await county.waitForMails(address('zhou'), 1))[0])).searchParams.get('k')!;
});
afterAll(async () => {
  setClock(undefined);
  await county.close();
});

/** Sets the clock to `ms` and runs the job there, as the scheduler would. */
/** The job at a time: the pieces' reminders it sent (this county has no research tasks: it reminds of none). */
async function runJobAt(ms: number) {
  setClock(new Date(ms));
  const { tasks, ...pieces } = await remindersJob();
  expect(tasks).toEqual({ reminded: 0, overdue: 0 });
  return pieces;
}

async function submitAt(ms: number, title: string): Promise<string> {
  setClock(new Date(ms));
  const res = await fetch(url('/submissions'), {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ k, kind: 'info', title, body: LONG_BODY }),
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { receipt: string }).receipt;
}

const about = (receipt: string, subject: RegExp) => (m: StoredEmail) =>
  subject.test(m.subject) && (m.body.text?.includes(`回执号：${receipt}`) ?? false);

/** Reminders an editor got about a piece so far (the job sends before it returns). */
const remindersTo = async (editor: Editor, receipt: string) =>
  (await county.mails(address(editor))).filter(about(receipt, /^【催办】/));

async function reviewLink(editor: Editor, receipt: string): Promise<string> {
  const [request] = (await county.mails(address(editor))).filter(about(receipt, /^【待审核】/));
  return linkIn(request, '/review/');
}

async function reminderCounts(receipt: string): Promise<number[]> {
  return Promise.all(EDITORS.map(async (editor) => (await remindersTo(editor, receipt)).length));
}

describe('the daily reminder job', () => {
  it('reminds every editor after three days, once per Shanghai day, with a working link, until the piece is decided', async () => {
    const title = '红旗乡“党员中心户”带富经验';
    const receipt = await submitAt(T, title);

    expect(await runJobAt(T + 2 * DAY_MS)).toEqual({ reminded: 0, cleared: 0 });
    expect(await reminderCounts(receipt)).toEqual([0, 0]);

    // Thursday 11:00 in Shanghai: three days and an hour of waiting.
    expect(await runJobAt(T + 3 * DAY_MS + HOUR_MS)).toEqual({ reminded: 1, cleared: 0 });
    expect(await reminderCounts(receipt)).toEqual([1, 1]);
    for (const editor of EDITORS) {
      const [reminder] = await remindersTo(editor, receipt);
      expect(reminder?.subject).toBe(`【催办】已等待 3 天：${title}`);
      expect(reminder?.body.text).toContain(LONG_BODY);
      expect(reminder?.body.text).toContain('有效期至 2026年7月2日');
      const opened = await fetch(linkIn(reminder, '/review/'));
      expect(opened.status).toBe(200);
      expect(await opened.text()).toContain(title);
    }

    // Later the same day (23:30 in Shanghai): nothing more.
    expect(await runJobAt(T + 3 * DAY_MS + 13.5 * HOUR_MS)).toEqual({ reminded: 0, cleared: 0 });
    expect(await reminderCounts(receipt)).toEqual([1, 1]);

    // Friday 07:00 in Shanghai, still Thursday in UTC: a new day for the county, one more reminder.
    expect(await runJobAt(T + 3 * DAY_MS + 21 * HOUR_MS)).toEqual({ reminded: 1, cleared: 0 });
    expect(await reminderCounts(receipt)).toEqual([2, 2]);

    setClock(new Date(T + 4 * DAY_MS));
    const newest = linkIn((await remindersTo('li', receipt)).at(-1), '/review/');
    expect((await fetch(newest, form({ decision: 'accept', issue: '9' }))).status).toBe(200);

    expect(await runJobAt(T + 5 * DAY_MS)).toEqual({ reminded: 0, cleared: 0 });
    expect(await runJobAt(T + 6 * DAY_MS)).toEqual({ reminded: 0, cleared: 0 });
    expect(await reminderCounts(receipt)).toEqual([2, 2]);
  });

  it('reminds about the new revision of a returned and revised piece, never about the returned one', async () => {
    const start = T + 30 * DAY_MS;
    const receipt = await submitAt(start, '乡村“振兴夜校”开班');

    setClock(new Date(start + DAY_MS));
    const firstLink = await reviewLink('wang', receipt);
    expect((await fetch(firstLink, form({ decision: 'return', comment: '请补充学员人数。' }))).status).toBe(200);
    const [returned] = (await county.mails(address('zhou'))).filter((m) => m.subject.startsWith('您的稿件需要修改：'));
    const revisedTitle = '乡村“振兴夜校”开班（修改稿）';
    setClock(new Date(start + DAY_MS + HOUR_MS));
    const revised = await fetch(
      linkIn(returned, '/revise/'),
      form({ kind: 'info', title: revisedTitle, body: `${LONG_BODY}首期学员六十人。` }),
    );
    expect(revised.status).toBe(303);

    // The first revision would be due now, but it was decided; the second has waited two days only.
    expect(await runJobAt(start + 3 * DAY_MS + 2 * HOUR_MS)).toEqual({ reminded: 0, cleared: 0 });
    expect(await reminderCounts(receipt)).toEqual([0, 0]);

    expect(await runJobAt(start + 4 * DAY_MS + 2 * HOUR_MS)).toEqual({ reminded: 1, cleared: 0 });
    expect(await reminderCounts(receipt)).toEqual([1, 1]);
    for (const editor of EDITORS) {
      const [reminder] = await remindersTo(editor, receipt);
      expect(reminder?.subject).toBe(`【催办】已等待 3 天：${revisedTitle}`);
      expect(reminder?.body.text).toContain('稿次：第 2 稿');
      expect(reminder?.body.text).toContain('第 1 稿退回意见：请补充学员人数。');
      const opened = await fetch(linkIn(reminder, '/review/'));
      expect(opened.status).toBe(200);
      const page = await opened.text();
      expect(page).toContain('第 2 稿');
      expect(page).toContain(revisedTitle);
    }
    expect((await fetch(firstLink)).status).toBe(409);

    const [reminder] = await remindersTo('wang', receipt);
    expect((await fetch(linkIn(reminder, '/review/'), form({ decision: 'reject', confirm: '1' }))).status).toBe(200);
    expect(await runJobAt(start + 5 * DAY_MS + 2 * HOUR_MS)).toEqual({ reminded: 0, cleared: 0 });
  });

  it('sends a link that still works after the link of the first email has expired', async () => {
    const start = T + 60 * DAY_MS;
    const receipt = await submitAt(start, '“四议两公开”落实情况');
    const original = await reviewLink('li', receipt);
    expect(await runJobAt(start + 10 * DAY_MS)).toEqual({ reminded: 1, cleared: 0 });
    const [reminder] = await remindersTo('li', receipt);

    setClock(new Date(start + 15 * DAY_MS));
    expect((await fetch(original)).status).toBe(410);
    const fresh = linkIn(reminder, '/review/');
    expect((await fetch(fresh)).status).toBe(200);
    expect((await fetch(fresh, form({ decision: 'accept' }))).status).toBe(200);
    expect(await runJobAt(start + 16 * DAY_MS)).toEqual({ reminded: 0, cleared: 0 });
  });
});
