// Fault injection on the 通报's messages when mail goes through SMTP (MAIL_TRANSPORT=smtp): the monthly job and the
// sweeper's pass over a queued run, at each recipient's message (the HTML email with its .xlsx), the server keeps it
// and drops the connection before its 250, refuses it for now (421/451), or keeps it and never answers — one fault
// per case, on a month of its own. The same invariants as over SES (bulletin.faults.test.ts): after recovery (the
// schedule's retry, then the sweeper) every recipient has the 通报 once (twice at most where the server kept a
// message whose answer the client never saw), the run has left the outbox, one more run sends nothing; and each
// message went to one recipient, with its attachment.
import { handler as bulletinJob } from '../../../functions/bulletin';
import { handler as sweep } from '../../../functions/sweeper';
import { bulletinTitle } from '../../../shared/bulletin/bulletin';
import { bulletinRun, sendBulletin } from '../../../shared/bulletin/sendBulletin';
import { runFaultMatrix } from '../../support/faultCases';
import {
  countMails,
  type FaultCounty,
  mailMayRepeat,
  smtpMessageProblems,
  startFaultCounty,
  steppingClock,
} from '../../support/faultState';

let fc: FaultCounty;
const clock = steppingClock(new Date('2026-11-02T02:00:00Z').getTime());
const RECIPIENTS = ['zhang', 'zhou', 'wang', 'li'];

beforeAll(async () => {
  // Pacing is the throttle tests' business (bulletin.test.ts): here it would only make each case wait.
  process.env.BULLETIN_RATE = '500';
  fc = await startFaultCounty({ transport: 'smtp' });
  await fc.county.waitForMails(fc.address('wang'), 1, /^信息科工作台：您的个人工作台链接$/);
  await sweep(); // the welcome emails: the outbox holds nothing but what a case puts there
});
afterAll(async () => {
  await fc.close();
});

/** A month of its own for every case, from January 2000 on. */
let months = 0;
const monthAt = (n: number) => `${2000 + Math.floor(n / 12)}-${String((n % 12) + 1).padStart(2, '0')}`;
const freshMonth = async () => {
  clock.advance(60_000);
  await fc.clearMailbox();
  return monthAt(months++);
};

/** The job as the schedule fires it: on the 1st of the month after, 09:00 Asia/Shanghai. */
const job = (month: string) =>
  bulletinJob({
    scheduledTime: `${monthAt(Number(month.slice(0, 4)) * 12 - 2000 * 12 + Number(month.slice(5)))}-01T01:00:00Z`,
  }).then(
    (r) => ({ ok: true as const, ...r }),
    (err: Error) => ({ ok: false as const, error: err.name }),
  );

/** The sweeper's passes, the clock past every lease and back-off, until the run has left the outbox. */
async function sweepUntilFinished(month: string): Promise<void> {
  for (let i = 0; i < 6 && !(await bulletinRun(month))?.finishedAt; i++) {
    clock.advance(20 * 60_000);
    await sweep().catch(() => {});
  }
}

/** Everyone had it once (twice at most where the server kept a message unanswered), the run is over, no more. */
async function delivered(month: string, faultCase: Parameters<typeof mailMayRepeat>[0]): Promise<string[]> {
  const problems: string[] = [];
  await sweepUntilFinished(month);
  const run = await bulletinRun(month);
  if (!run) return ['no run'];
  if (!run.finishedAt) problems.push('the run never finished');
  const mails = await fc.county.mails();
  const most = mailMayRepeat(faultCase) ? 2 : 1;
  for (const name of RECIPIENTS) {
    const n = countMails(mails, fc.address(name), bulletinTitle(month));
    if (n < 1 || n > most) problems.push(`${n} emails to ${name}`);
  }
  clock.advance(20 * 60_000); // past every claim's lease: a claim left unmarked would be sent again now
  const again = await sendBulletin(month);
  if (again.sent !== 0) problems.push(`another run sent ${again.sent}`);
  problems.push(...smtpMessageProblems(fc));
  for (const m of fc.smtp?.messages ?? []) {
    if (!m.parsed.attachments.some((a) => a.filename?.endsWith('.xlsx'))) problems.push(`no .xlsx to ${m.to}`);
  }
  return problems;
}

describe(`the 通报 job over SMTP under injected faults (${3 * RECIPIENTS.length} cases)`, () => {
  it('sends each recipient the month once, resumed by the retry or the sweeper', async () => {
    const result = await runFaultMatrix({
      route: 'bulletin (SMTP)',
      services: ['smtp'],
      prepare: freshMonth,
      act: job,
      verify: async (month, first, faultCase) => {
        // A failed run is run again by the schedule's retry (twice at most), then the sweeper takes what is left.
        for (let retry = 0, r = first; !r.ok && retry < 2; retry++) {
          clock.advance(6 * 60_000); // past the claims' lease
          r = await job(month);
        }
        return delivered(month, faultCase);
      },
    });
    expect(result.violations).toEqual([]);
    expect(result.calls.smtp).toBe(RECIPIENTS.length);
    expect(result.cases).toBe(3 * RECIPIENTS.length);
  }, 120_000);
});

describe(`the sweeper over a queued 通报 over SMTP under injected faults (${3 * RECIPIENTS.length} cases)`, () => {
  it('sends what is left once, whatever message of its pass fails', async () => {
    const result = await runFaultMatrix({
      route: 'sweeper (queued 通报, SMTP)',
      services: ['smtp'],
      prepare: async () => {
        const month = await freshMonth();
        await sendBulletin(month, { by: '王编辑', freezeOnly: true });
        return month;
      },
      act: (month) =>
        sweep().then(
          (r) => ({ ok: true, month, ...r }),
          (err: Error) => ({ ok: false, month, error: err.name }),
        ),
      verify: (month, _first, faultCase) => delivered(month, faultCase),
    });
    expect(result.violations).toEqual([]);
    expect(result.calls.smtp).toBe(RECIPIENTS.length);
    expect(result.cases).toBe(3 * RECIPIENTS.length);
  }, 120_000);
});
