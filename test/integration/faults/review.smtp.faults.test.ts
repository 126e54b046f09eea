// Fault injection on the emails of an editor's decision (POST /review/{token}) when mail goes through SMTP
// (MAIL_TRANSPORT=smtp): at each message the request sends (the return to the informant, the 已处理 notice to the
// other editor), the server keeps it and drops the connection before its 250, refuses it for now (421/451), or keeps
// it and never answers — one fault per case, each on a fresh piece. The same invariants as over SES
// (review.faults.test.ts): one decision, by this editor, answered truly, the comment never lost, every email sent
// once (twice at most where the server kept a message whose answer the client never saw), one recipient a message.
import { runFaultMatrix } from '../../support/faultCases';
import {
  allItems,
  countMails,
  type FaultCounty,
  mailMayRepeat,
  newestMail,
  postForm,
  recover,
  smtpMessageProblems,
  startFaultCounty,
  steppingClock,
  unsent,
} from '../../support/faultState';
import { LONG_BODY, linkIn } from '../../support/harness';

let fc: FaultCounty;
const clock = steppingClock(new Date('2026-06-01T01:00:00Z').getTime());

beforeAll(async () => {
  fc = await startFaultCounty({ transport: 'smtp' });
});
afterAll(async () => {
  await fc.close();
});

const url = (path: string) => `${fc.county.baseUrl}${path}`;
const COMMENT = '请补充具体数据和典型事例。';
/** The return to the informant and the 已处理 notice to the other editor. */
const EMAILS = 2;

/** A fresh piece by zhang, and the review link wang got for it (set-up, no faults). */
async function freshPiece(title: string): Promise<{ receipt: string; review: string }> {
  const res = await postForm(url('/submissions'), { k: fc.keys.zhang!, kind: 'info', title, body: LONG_BODY });
  expect(res.status).toBe(303);
  const receipt = /[?&]sent=(\d{4}-\d{4})/.exec(res.location ?? '')![1]!;
  const review = linkIn(await newestMail(fc.county, fc.address('wang'), (m) => m.subject.includes(title)), '/review/');
  return { receipt, review };
}

/** The decisions on one piece, from the table. */
async function decisionsOn(receipt: string): Promise<Record<string, unknown>[]> {
  return (await allItems()).filter(
    (i) => String(i.pk).endsWith(`#P#${receipt}`) && String(i.sk).startsWith('E#') && i.type !== 'submitted',
  );
}

describe(`POST /review/{token} over SMTP under injected faults (${3 * EMAILS} cases)`, () => {
  it('records one decision, answers 处理完成, and sends each email once, at each message', async () => {
    const result = await runFaultMatrix({
      route: 'POST /review/{token} (SMTP)',
      services: ['smtp'],
      prepare: async (label) => {
        clock.advance(60_000);
        const title = `SMTP 审核故障 ${label}`;
        const piece = await freshPiece(title);
        await fc.clearMailbox();
        return { title, ...piece };
      },
      act: ({ review }) => postForm(review, { decision: 'return', comment: COMMENT }),
      verify: async ({ title, receipt }, first, faultCase) => {
        const problems: string[] = [];
        // A mail server's trouble never fails the decision: it is stored, the emails wait in the outbox.
        if (first.status !== 200 || !first.html.includes('处理完成')) {
          problems.push(`answered ${first.status}${first.html.includes(COMMENT) ? '' : ', the comment gone'}`);
        }
        const stored = await decisionsOn(receipt);
        if (stored.length !== 1 || stored[0]?.type !== 'returned' || stored[0]?.editorName !== '王编辑') {
          problems.push(`decisions stored: ${JSON.stringify(stored.map((e) => [e.type, e.editorName]))}`);
        }
        await recover(clock);
        if ((await unsent()).length > 0) problems.push(`still in the outbox: ${(await unsent()).join('; ')}`);
        const mails = await fc.county.mails();
        const most = mailMayRepeat(faultCase) ? 2 : 1;
        const returned = countMails(mails, fc.address('zhang'), title);
        const handled = countMails(mails, fc.address('li'), title);
        if (returned < 1 || returned > most) problems.push(`${returned} return emails to the informant`);
        if (handled < 1 || handled > most) problems.push(`${handled} 已处理 notices to the other editor`);
        problems.push(...smtpMessageProblems(fc));
        return problems;
      },
    });

    expect(result.violations).toEqual([]);
    expect(result.calls.smtp).toBe(EMAILS);
    expect(result.cases).toBe(3 * EMAILS);
  }, 120_000);
});
