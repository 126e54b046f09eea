// Fault injection on POST /submissions (a browser's form post): at every DynamoDB and SES call the request makes,
// the answer is lost after the write, the call is throttled, or the time runs out — one fault per case, each on a
// fresh piece. After recovery (the user presses 提交 again if told to; the sweeper runs) the invariants hold: one
// piece per submission, never two; the first answer true to what happened; the typed text never lost; gap-free
// receipt numbers; every email sent once (at most twice where SES itself lost its answer: SES cannot tell).
import { handler as sweep } from '../../../functions/sweeper';
import { config } from '../../../shared/core/config';
import { freeNumbers, HOLE_GRACE_MS } from '../../../shared/intake/receiptNumbers';
import { runFaultMatrix } from '../../support/faultCases';
import {
  countMails,
  eventsTitled,
  type FaultCounty,
  postForm,
  receiptGaps,
  recover,
  sesMayRepeat,
  startFaultCounty,
  steppingClock,
} from '../../support/faultState';
import { LONG_BODY } from '../../support/harness';

let fc: FaultCounty;
const clock = steppingClock(new Date('2026-05-11T01:00:00Z').getTime());

beforeAll(async () => {
  fc = await startFaultCounty();
});
afterAll(async () => {
  await fc.close();
});

const post = (title: string) =>
  postForm(`${fc.county.baseUrl}/submissions`, { k: fc.keys.zhang!, kind: 'info', title, body: LONG_BODY });

/** The receipt a browser's submission landed on: `/submit?k=…&sent=2026-0042`. */
const receiptIn = (location: string | null) => location?.match(/[?&]sent=(\d{4}-\d{4})/)?.[1];

describe('POST /submissions under injected faults', () => {
  it('keeps every invariant at every call, for every fault', async () => {
    const result = await runFaultMatrix({
      route: 'POST /submissions',
      prepare: async (label) => {
        await fc.clearMailbox();
        clock.advance(60_000);
        return { title: `故障注入 ${label}` };
      },
      act: ({ title }) => post(title),
      verify: async ({ title }, first, faultCase) => {
        const problems: string[] = [];
        const stored = await eventsTitled(title, 'submitted');
        const unknown = first.html.includes('暂时无法确认');
        // The first answer, true to what happened.
        if (first.status === 303) {
          if (stored.length !== 1 || stored[0]?.receipt !== receiptIn(first.location)) {
            problems.push(`303 to ${receiptIn(first.location)} but stored ${stored.map((e) => e.receipt)}`);
          }
        } else {
          if (![503, 409].includes(first.status)) problems.push(`answered ${first.status}`);
          if (!first.html.includes(title) || !first.html.includes(LONG_BODY)) problems.push('the typed text is gone');
          if (!unknown && stored.length > 0) problems.push(`said not saved, but ${stored[0]?.receipt} was stored`);
        }
        // The user presses 提交 again: the one piece, never a second.
        let receipt = receiptIn(first.location);
        if (first.status !== 303) {
          let again = await post(title);
          // "Still in progress, try again in a few seconds" (only after "cannot tell yet"): wait, press again.
          if (again.status === 409 && unknown) {
            clock.advance(20_000);
            again = await post(title);
          }
          if (again.status !== 303) problems.push(`the retry answered ${again.status}`);
          receipt = receiptIn(again.location);
        }
        const after = await eventsTitled(title, 'submitted');
        if (after.length !== 1) problems.push(`${after.length} pieces stored`);
        else if (after[0]?.receipt !== receipt) problems.push(`answered ${receipt}, stored ${after[0]?.receipt}`);
        // Every email once, after the sweeper has done its part.
        await recover(clock);
        const mails = await fc.county.mails();
        const most = sesMayRepeat(faultCase) ? 2 : 1;
        for (const to of [fc.address('zhang'), fc.address('wang'), fc.address('li')]) {
          const n = countMails(mails, to, title);
          if (n < 1 || n > most) problems.push(`${n} emails to ${to}`);
        }
        return problems;
      },
    });

    expect(result.violations).toEqual([]);
    expect(result.calls.dynamodb).toBeGreaterThan(5);
    expect(result.cases).toBe(3 * result.calls.dynamodb + 3 * result.calls.ses);
    // Numbers handed out without a piece (an answer lost to the ADD, a request that died) are given back by the
    // sweeper after the grace period and taken by the next submissions: then there is no gap.
    for (let i = 0; i < 2; i++) {
      clock.advance(HOLE_GRACE_MS + 1000);
      await sweep();
    }
    const free = await freeNumbers(config().countyId, 2026);
    for (const n of free) expect((await post(`补号 ${n}`)).status).toBe(303);
    expect(await freeNumbers(config().countyId, 2026)).toEqual([]);
    expect(await receiptGaps(2026)).toEqual([]);
  }, 240_000);
});
