// Fault injection on the 通报's sending: the monthly job (freeze the run, claim, send and mark each recipient, settle
// the run), the desk's send button (POST /desk/bulletin/send: the run frozen and queued; the editor signed in before
// the fault) and the sweeper's pass over a queued run, each at every call × lost answer, throttle, time-out, on a
// month of its own. After recovery (the schedule's retry, then the sweeper): every recipient has the 通报 once (at
// most twice where SES itself lost its answer), the run has left the outbox, and one more run sends nothing.
import { handler as sweep } from '../../../functions/sweeper';
import { sendBulletin } from '../../../shared/bulletin/sendBulletin';
import { bulletinFaultKit } from '../../support/bulletinFaults';
import { DESK_WELCOME } from '../../support/deskSession';
import { runFaultMatrix } from '../../support/faultCases';
import {
  type FaultCounty,
  faultDesk,
  firstAnswerProblem,
  startFaultCounty,
  steppingClock,
  unfiredCases,
} from '../../support/faultState';

let fc: FaultCounty;
const clock = steppingClock(new Date('2026-11-02T02:00:00Z').getTime());
const RECIPIENTS = ['zhang', 'zhou', 'wang', 'li'];

beforeAll(async () => {
  // Pacing is the throttle tests' business (bulletin.test.ts): here it would only make each case wait.
  process.env.BULLETIN_RATE = '500';
  fc = await startFaultCounty();
  await fc.county.waitForMails(fc.address('wang'), 1, DESK_WELCOME);
  await sweep(); // the welcome emails: the outbox holds nothing but what a case puts there
});
afterAll(async () => {
  await fc.close();
});

/** wang's desk (signed in again, no fault armed, once an hour of the clock has passed) and a form post on it. */
const { desk, deskPost } = faultDesk(() => fc, clock, 'wang');

const noteUnfired = unfiredCases('bulletin faults');
const { freshMonth, job, delivered } = bulletinFaultKit(() => fc, clock, RECIPIENTS);

describe('the 通报 job under injected faults', () => {
  it('sends each recipient the month once, resumed by the retry or the sweeper', async () => {
    const result = await runFaultMatrix({
      route: 'bulletin',
      prepare: freshMonth,
      act: job,
      verify: async (month, first, faultCase) => {
        const problems: string[] = [];
        noteUnfired('bulletin', faultCase);
        // A failed run is run again by the schedule's retry (twice at most), then the sweeper takes what is left.
        for (let retry = 0, r = first; !r.ok && retry < 2; retry++) {
          clock.advance(6 * 60_000); // past the claims' lease
          r = await job(month);
        }
        problems.push(...(await delivered(month, faultCase)));
        return problems;
      },
    });
    expect(result.violations).toEqual([]);
    expect(result.calls.ses).toBe(RECIPIENTS.length);
  }, 600_000);
});

describe('POST /desk/bulletin/send under injected faults', () => {
  it('queues the month once; the sweeper sends it to each recipient once', async () => {
    const result = await runFaultMatrix({
      route: 'POST /desk/bulletin/send',
      prepare: async () => {
        const month = await freshMonth();
        await desk(); // signed in before the fault is armed
        return month;
      },
      act: (month) => deskPost('/desk/bulletin/send', { month }),
      verify: async (month, first, faultCase) => {
        const problems: string[] = [];
        noteUnfired('POST bulletin/send', faultCase);
        if (first.status !== 202) {
          problems.push(...firstAnswerProblem(first.status));
          const again = await deskPost('/desk/bulletin/send', { month });
          if (again.status !== 202 && again.status !== 200) problems.push(`pressed again: ${again.status}`);
        }
        problems.push(...(await delivered(month, faultCase)));
        return problems;
      },
      services: ['dynamodb'],
    });
    expect(result.violations).toEqual([]);
  }, 600_000);
});

describe('the sweeper over a queued 通报 under injected faults', () => {
  it('sends what is left once, whatever call of its pass fails', async () => {
    const result = await runFaultMatrix({
      route: 'sweeper (queued 通报)',
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
      verify: async (month, _first, faultCase) => {
        noteUnfired('sweeper (queued 通报)', faultCase);
        return delivered(month, faultCase);
      },
    });
    expect(result.violations).toEqual([]);
    expect(result.calls.ses).toBe(RECIPIENTS.length);
  }, 600_000);
});
