// Fault injection on the research tasks (重点调研): assigning one from the desk (POST /desk/tasks: the task item with
// its informants' emails, the open list, the emails sent at once) and closing one, the editor signed in before the
// fault; the daily job's overdue notices (one item per task, notice and unit, put only if absent, with its emails),
// and the quarterly status email (a mail run, as the 通报), each at every call × lost answer, throttle, time-out, on
// fresh state. After recovery (pressing again, the schedule's retry, the sweeper): one task, listed open (or not,
// once closed), every email once (at most twice where SES itself lost its answer); the first answer done or 503 with
// what was typed kept.
import { handler as quarterlyJob } from '../../../functions/quarterly';
import { handler as remindersJob } from '../../../functions/reminders';
import { handler as sweep } from '../../../functions/sweeper';
import { dayOf, now } from '../../../shared/core/clock';
import { config } from '../../../shared/core/config';
import { closeTask } from '../../../shared/research/closeTask';
import { quarterlyRun } from '../../../shared/research/quarterly';
import { quarterLabel, quarterOf, shiftQuarter } from '../../../shared/research/quarters';
import { openTasksKey } from '../../../shared/research/tasks';
import { getItems, keyId } from '../../../shared/store/db';
import { runFaultMatrix } from '../../support/faultCases';
import {
  allItems,
  countMails,
  type FaultCounty,
  faultDesk,
  firstAnswerProblem,
  recover,
  sesMayRepeat,
  startFaultCounty,
  steppingClock,
  unfiredCases,
} from '../../support/faultState';

let fc: FaultCounty;
/** 2026-10-08 10:00 Asia/Shanghai: early in a quarter, so a case a day stays in it or the next. */
const clock = steppingClock(new Date('2026-10-08T02:00:00Z').getTime());
const INFORMANTS = ['zhang', 'zhou'];
const EDITORS = ['wang', 'li'];

beforeAll(async () => {
  // Pacing is the throttle tests' business (bulletin.test.ts): here it would only make each case wait.
  process.env.BULLETIN_RATE = '500';
  fc = await startFaultCounty();
  await sweep();
});
afterAll(async () => {
  await fc.close();
});

/** wang's desk (signed in again, no fault armed, once an hour of the clock has passed) and a form post on it. */
const { desk, deskPost } = faultDesk(() => fc, clock, 'wang');

const noteUnfired = unfiredCases('research faults');
const tasksTitled = async (title: string) =>
  (await allItems()).filter(
    (i) => String(i.pk).endsWith('#TASK') && String(i.sk).startsWith('Q#') && i.title === title,
  );

async function openList(): Promise<{ taskId: string; title: string }[]> {
  const key = openTasksKey(config().countyId);
  const item = (await getItems([key], { consistent: true })).get(keyId(key));
  return (item?.tasks ?? []) as { taskId: string; title: string }[];
}

/** A task of today's quarter, due `days` from today. */
const fieldsOf = (title: string, days = 20) => {
  const due = dayOf(new Date(now().getTime() + days * 86_400_000));
  return { quarter: quarterOf(due), title, due, description: '摸清底数。' };
};

const job = <T>(run: () => Promise<T>) =>
  run().then(
    (r) => ({ ok: true as const, ...r }),
    (err: Error) => ({ ok: false as const, error: err.name }),
  );

describe('POST /desk/tasks under injected faults', () => {
  it('assigns one task, lists it open, keeps what was typed, and tells each informant once', async () => {
    const result = await runFaultMatrix({
      route: 'POST /desk/tasks',
      prepare: async (label) => {
        clock.advance(60_000);
        await fc.clearMailbox();
        await desk(); // signed in before the fault is armed
        return fieldsOf(`调研故障 ${label}`);
      },
      act: (fields) => deskPost('/desk/tasks', fields),
      verify: async (fields, first, faultCase) => {
        const problems: string[] = [];
        noteUnfired('POST tasks', faultCase);
        if (first.status !== 201) {
          problems.push(...firstAnswerProblem(first.status));
          if (first.status === 503 && !first.html.includes(fields.title)) problems.push('the title typed is gone');
          const again = await deskPost('/desk/tasks', fields);
          if (again.status !== 200 && again.status !== 201) problems.push(`the retry answered ${again.status}`);
        }
        if ((await tasksTitled(fields.title)).length !== 1) problems.push('not one task item');
        if ((await openList()).filter((t) => t.title === fields.title).length !== 1) problems.push('not listed open');
        await recover(clock);
        const mails = await fc.county.mails();
        const most = sesMayRepeat(faultCase) ? 2 : 1;
        for (const informant of INFORMANTS) {
          const n = countMails(mails, fc.address(informant), `重点调研任务：${fields.title}`);
          if (n < 1 || n > most) problems.push(`${n} task emails to ${informant}`);
        }
        return problems;
      },
    });
    expect(result.violations).toEqual([]);
    expect(result.calls.ses).toBe(INFORMANTS.length);
  }, 300_000);
});

describe('POST /desk/tasks/{id}/close under injected faults', () => {
  it('closes it once and takes it off the open list', async () => {
    const result = await runFaultMatrix({
      route: 'POST /desk/tasks/{id}/close',
      prepare: async (label) => {
        clock.advance(60_000);
        const title = `结束调研故障 ${label}`;
        const assigned = await deskPost('/desk/tasks', fieldsOf(title));
        if (assigned.status !== 201) throw new Error(`set-up: assigning answered ${assigned.status}`);
        const [item] = await tasksTitled(title);
        return { title, taskId: String(item?.taskId) };
      },
      act: ({ taskId }) => deskPost(`/desk/tasks/${taskId}/close`, {}),
      verify: async ({ title, taskId }, first, faultCase) => {
        const problems: string[] = [];
        noteUnfired('POST close', faultCase);
        if (first.status !== 200) {
          problems.push(...firstAnswerProblem(first.status));
          const again = await deskPost(`/desk/tasks/${taskId}/close`, {});
          if (again.status !== 200) problems.push(`the retry answered ${again.status}`);
        }
        const [item] = await tasksTitled(title);
        if (!item?.closedAt) problems.push('not closed');
        if ((await openList()).some((t) => t.taskId === taskId)) problems.push('still listed open');
        return problems;
      },
      services: ['dynamodb'],
    });
    expect(result.violations).toEqual([]);
  }, 300_000);
});

describe('the overdue notices of the daily job under injected faults', () => {
  it('tells each unit and the editors once, resumed by the retry or the sweeper', async () => {
    let last = '';
    const result = await runFaultMatrix({
      route: 'reminders (overdue tasks)',
      prepare: async (label) => {
        // The case before leaves its task closed, so each case's job sees one task in its window.
        if (last) await closeTask(last, { name: '测试' });
        clock.advance(60_000);
        const title = `逾期故障 ${label}`;
        const assigned = await deskPost('/desk/tasks', fieldsOf(title, 0));
        if (assigned.status !== 201) throw new Error(`set-up: assigning answered ${assigned.status}`);
        last = String((await tasksTitled(title))[0]?.taskId);
        await recover(clock);
        clock.advance(86_400_000); // the day after its due day
        await fc.clearMailbox();
        return { title };
      },
      act: () => job(remindersJob),
      verify: async ({ title }, first, faultCase) => {
        const problems: string[] = [];
        noteUnfired('reminders (overdue tasks)', faultCase);
        if (!first.ok) await remindersJob().catch((err: Error) => problems.push(`the retry failed: ${err.name}`));
        await recover(clock);
        const again = await remindersJob();
        if (again.tasks.overdue !== 0) problems.push(`a second run told ${again.tasks.overdue} units again`);
        await recover(clock);
        const mails = await fc.county.mails();
        const most = sesMayRepeat(faultCase) ? 2 : 1;
        for (const informant of INFORMANTS) {
          const n = countMails(mails, fc.address(informant), `【逾期】重点调研任务：${title}`);
          if (n < 1 || n > most) problems.push(`${n} overdue notices to ${informant}`);
        }
        for (const editor of EDITORS) {
          const n = countMails(mails, fc.address(editor), `重点调研任务逾期：${title}`);
          if (n < 1 || n > most) problems.push(`${n} overdue notices to ${editor}`);
        }
        return problems;
      },
    });
    expect(result.violations).toEqual([]);
    expect(result.calls.ses).toBe(INFORMANTS.length + EDITORS.length);
  }, 600_000);
});

describe('the quarterly status email under injected faults', () => {
  it('sends each leader and editor the quarter once, resumed by the retry or the sweeper', async () => {
    let quarters = 0;
    const result = await runFaultMatrix({
      route: 'quarterly',
      prepare: async () => {
        clock.advance(60_000);
        await fc.clearMailbox();
        return shiftQuarter('2001Q1', quarters++);
      },
      act: (quarter) =>
        job(() => quarterlyJob({ scheduledTime: `${quarterStart(shiftQuarter(quarter, 1))}T01:00:00Z` })),
      verify: async (quarter, first, faultCase) => {
        const problems: string[] = [];
        noteUnfired('quarterly', faultCase);
        for (let retry = 0, r = first; !r.ok && retry < 2; retry++) {
          clock.advance(6 * 60_000); // past the claims' lease
          r = await job(() => quarterlyJob({ scheduledTime: `${quarterStart(shiftQuarter(quarter, 1))}T01:00:00Z` }));
        }
        for (let i = 0; i < 6 && !(await quarterlyRun(quarter))?.finishedAt; i++) {
          clock.advance(20 * 60_000);
          await sweep().catch(() => {});
        }
        if (!(await quarterlyRun(quarter))?.finishedAt) problems.push('the run never finished');
        const mails = await fc.county.mails();
        const most = sesMayRepeat(faultCase) ? 2 : 1;
        for (const editor of EDITORS) {
          const n = countMails(mails, fc.address(editor), `${quarterLabel(quarter)}重点调研完成情况`);
          if (n < 1 || n > most) problems.push(`${n} emails to ${editor}`);
        }
        clock.advance(20 * 60_000); // past every claim's lease: a claim left unmarked would be sent again now
        const again = await quarterlyJob({ scheduledTime: `${quarterStart(shiftQuarter(quarter, 1))}T01:00:00Z` });
        if (again.sent !== 0) problems.push(`another run sent ${again.sent}`);
        return problems;
      },
    });
    expect(result.violations).toEqual([]);
    expect(result.calls.ses).toBe(EDITORS.length);
  }, 600_000);
});

/** The first day of a quarter. */
function quarterStart(quarter: string): string {
  return `${quarter.slice(0, 4)}-${String((Number(quarter.slice(5)) - 1) * 3 + 1).padStart(2, '0')}-01`;
}
