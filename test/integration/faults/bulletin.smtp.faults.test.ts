// Fault injection on the 通报's messages when mail goes through SMTP (MAIL_TRANSPORT=smtp): the monthly job and the
// sweeper's pass over a queued run, at each recipient's message (the HTML email with its .xlsx), the server keeps it
// and drops the connection before its 250, refuses it for now (421/451), or keeps it and never answers — one fault
// per case, on a month of its own. The same invariants as over SES (bulletin.faults.test.ts): after recovery (the
// schedule's retry, then the sweeper) every recipient has the 通报 once (twice at most where the server kept a
// message whose answer the client never saw), the run has left the outbox, one more run sends nothing; and each
// message went to one recipient, with its attachment.
import { handler as sweep } from '../../../functions/sweeper';
import { sendBulletin } from '../../../shared/bulletin/sendBulletin';
import { bulletinFaultKit } from '../../support/bulletinFaults';
import { DESK_WELCOME } from '../../support/deskSession';
import { runFaultMatrix } from '../../support/faultCases';
import { type FaultCounty, startFaultCounty, steppingClock } from '../../support/faultState';

let fc: FaultCounty;
const clock = steppingClock(new Date('2026-11-02T02:00:00Z').getTime());
const RECIPIENTS = ['zhang', 'zhou', 'wang', 'li'];

beforeAll(async () => {
  // Pacing is the throttle tests' business (bulletin.test.ts): here it would only make each case wait.
  process.env.BULLETIN_RATE = '500';
  fc = await startFaultCounty({ transport: 'smtp' });
  await fc.county.waitForMails(fc.address('wang'), 1, DESK_WELCOME);
  await sweep(); // the welcome emails: the outbox holds nothing but what a case puts there
});
afterAll(async () => {
  await fc.close();
});

const { freshMonth, job, delivered } = bulletinFaultKit(() => fc, clock, RECIPIENTS);

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
