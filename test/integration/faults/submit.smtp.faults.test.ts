// Fault injection on the emails of POST /submissions when mail goes through SMTP (MAIL_TRANSPORT=smtp): at each
// message the request sends (the informant's acknowledgment, each editor's review request), the server keeps it and
// drops the connection before its 250, refuses it for now (421/451), or keeps it and never answers — one fault per
// case, each on a fresh piece. The same invariants as over SES (submit.faults.test.ts): one piece per submission,
// the first answer true, the typed text never lost, gap-free receipts, every email sent once (twice at most where
// the server kept a message whose answer the client never saw), one recipient a message, over TLS with a login.
import { runFaultMatrix } from '../../support/faultCases';
import {
  countMails,
  eventsTitled,
  type FaultCounty,
  lateAnswer,
  leftInOutbox,
  mailMayRepeat,
  postForm,
  receiptGaps,
  recover,
  smtpMessageProblems,
  startFaultCounty,
  steppingClock,
  timed,
  unsent,
} from '../../support/faultState';
import { LONG_BODY } from '../../support/harness';

let fc: FaultCounty;
const clock = steppingClock(new Date('2026-05-11T01:00:00Z').getTime());

beforeAll(async () => {
  fc = await startFaultCounty({ transport: 'smtp' });
});
afterAll(async () => {
  await fc.close();
});

const post = (title: string) =>
  postForm(`${fc.county.baseUrl}/submissions`, { k: fc.keys.zhang!, kind: 'info', title, body: LONG_BODY });

/** The receipt a browser's submission landed on: `/submit?k=…&sent=2026-0042`. */
const receiptIn = (location: string | null) => location?.match(/[?&]sent=(\d{4}-\d{4})/)?.[1];

/** The acknowledgment to the informant and a review request to each editor. */
const EMAILS = 3;

describe(`POST /submissions over SMTP under injected faults (${3 * EMAILS} cases)`, () => {
  it('stores the piece once, answers 303 with its receipt, and sends each email once, at each message', async () => {
    const result = await runFaultMatrix({
      route: 'POST /submissions (SMTP)',
      services: ['smtp'],
      prepare: async (label) => {
        await fc.clearMailbox();
        clock.advance(60_000);
        return { title: `SMTP 故障注入 ${label}`, held: await unsent() };
      },
      act: ({ title }) => timed(() => post(title)),
      verify: async ({ title, held }, first, faultCase) => {
        const problems: string[] = [];
        // A mail server's trouble never fails the submission: the piece is stored, the emails wait in the outbox.
        const stored = await eventsTitled(title, 'submitted');
        if (first.status !== 303) problems.push(`answered ${first.status}`);
        else if (stored.length !== 1 || stored[0]?.receipt !== receiptIn(first.location)) {
          problems.push(`303 to ${receiptIn(first.location)} but stored ${stored.map((e) => e.receipt)}`);
        }
        if (first.status !== 303 && !first.html.includes(LONG_BODY)) problems.push('the typed text is gone');
        problems.push(...lateAnswer(first.ms));
        await recover(clock);
        const left = await leftInOutbox(held);
        if (left.length > 0) problems.push(`left in the outbox: ${left.join('; ')}`);
        const mails = await fc.county.mails();
        const most = mailMayRepeat(faultCase) ? 2 : 1;
        for (const to of [fc.address('zhang'), fc.address('wang'), fc.address('li')]) {
          const n = countMails(mails, to, title);
          if (n < 1 || n > most) problems.push(`${n} emails to ${to}`);
        }
        problems.push(...smtpMessageProblems(fc));
        return problems;
      },
    });

    expect(result.violations).toEqual([]);
    expect(result.calls.smtp).toBe(EMAILS);
    expect(result.calls.ses).toBe(0);
    expect(result.cases).toBe(3 * EMAILS);
    expect(await receiptGaps(2026)).toEqual([]);
  }, 120_000);
});
