// Fault injection on the review's emails when mail goes through SMTP (MAIL_TRANSPORT=smtp): an editor's decision
// (POST /review/{token}), an informant's revision (POST /revise/{token}) and the daily reminder job. At each message
// the server keeps it and drops the connection before its 250, refuses it for now (421/451), or keeps it and never
// answers — one fault per case, each on a fresh piece. The same invariants as over SES (review.faults.test.ts): one
// decision (by this editor) or revision, answered truly, what was typed never lost, one reminder per editor and day
// with a link that works, every email sent once (twice at most where the server kept a message whose answer the
// client never saw), one recipient a message.
import { handler as remind } from '../../../functions/reminders';
import { runFaultMatrix } from '../../support/faultCases';
import {
  allItems,
  countMails,
  type FaultCounty,
  lateAnswer,
  leftInOutbox,
  mailMayRepeat,
  newestMail,
  onlyThisWaits,
  postForm,
  recover,
  smtpMessageProblems,
  startFaultCounty,
  steppingClock,
  timed,
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

/** The return to the informant and the 已处理 notice to the other editor. */
const DECISION_EMAILS = 2;

describe(`POST /review/{token} over SMTP under injected faults (${3 * DECISION_EMAILS} cases)`, () => {
  it('records one decision, answers 处理完成, and sends each email once, at each message', async () => {
    const result = await runFaultMatrix({
      route: 'POST /review/{token} (SMTP)',
      services: ['smtp'],
      prepare: async (label) => {
        clock.advance(60_000);
        const title = `SMTP 审核故障 ${label}`;
        const piece = await freshPiece(title);
        await fc.clearMailbox();
        return { title, ...piece, held: await unsent() };
      },
      act: ({ review }) => timed(() => postForm(review, { decision: 'return', comment: COMMENT })),
      verify: async ({ title, receipt, held }, first, faultCase) => {
        const problems: string[] = [];
        // A mail server's trouble never fails the decision: it is stored, the emails wait in the outbox.
        if (first.status !== 200 || !first.html.includes('处理完成')) {
          problems.push(`answered ${first.status}${first.html.includes(COMMENT) ? '' : ', the comment gone'}`);
        }
        problems.push(...lateAnswer(first.ms));
        const stored = await decisionsOn(receipt);
        if (stored.length !== 1 || stored[0]?.type !== 'returned' || stored[0]?.editorName !== '王编辑') {
          problems.push(`decisions stored: ${JSON.stringify(stored.map((e) => [e.type, e.editorName]))}`);
        }
        await recover(clock);
        const left = await leftInOutbox(held);
        if (left.length > 0) problems.push(`left in the outbox: ${left.join('; ')}`);
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
    expect(result.calls.smtp).toBe(DECISION_EMAILS);
    expect(result.cases).toBe(3 * DECISION_EMAILS);
  }, 120_000);
});

/** The revision to the informant and each editor. */
const REVISION_EMAILS = 3;

describe(`POST /revise/{token} over SMTP under injected faults (${3 * REVISION_EMAILS} cases)`, () => {
  it('records one revision, answers 303, and sends each email once, at each message', async () => {
    const result = await runFaultMatrix({
      route: 'POST /revise/{token} (SMTP)',
      services: ['smtp'],
      prepare: async (label) => {
        clock.advance(60_000);
        const title = `SMTP 修改故障 ${label}`;
        const piece = await freshPiece(title);
        expect((await postForm(piece.review, { decision: 'return', comment: COMMENT })).status).toBe(200);
        const returned = await newestMail(fc.county, fc.address('zhang'), (m) => m.subject.includes(title));
        await fc.clearMailbox();
        const revise = linkIn(returned, '/revise/');
        return { receipt: piece.receipt, revise, revised: `${title}（修改稿）`, held: await unsent() };
      },
      act: ({ revise, revised }) => timed(() => postForm(revise, { kind: 'info', title: revised, body: LONG_BODY })),
      verify: async ({ receipt, revised, held }, first, faultCase) => {
        const problems: string[] = [];
        if (first.status !== 303) {
          problems.push(`answered ${first.status}${first.html.includes(LONG_BODY) ? '' : ', the text gone'}`);
        }
        problems.push(...lateAnswer(first.ms));
        const stored = (await decisionsOn(receipt)).filter((e) => e.type === 'revised');
        if (stored.length !== 1 || stored[0]?.title !== revised) problems.push(`${stored.length} revisions stored`);
        await recover(clock);
        const left = await leftInOutbox(held);
        if (left.length > 0) problems.push(`left in the outbox: ${left.join('; ')}`);
        const mails = await fc.county.mails();
        const most = mailMayRepeat(faultCase) ? 2 : 1;
        for (const to of [fc.address('zhang'), fc.address('wang'), fc.address('li')]) {
          const n = countMails(mails, to, revised);
          if (n < 1 || n > most) problems.push(`${n} emails to ${to}`);
        }
        problems.push(...smtpMessageProblems(fc));
        return problems;
      },
    });

    expect(result.violations).toEqual([]);
    expect(result.calls.smtp).toBe(REVISION_EMAILS);
    expect(result.cases).toBe(3 * REVISION_EMAILS);
  }, 120_000);
});

/** A reminder to each editor. */
const REMINDER_EMAILS = 2;

describe(`the reminder job over SMTP under injected faults (${3 * REMINDER_EMAILS} cases)`, () => {
  it('reminds each editor once a day of a piece still waiting, with a link that works, at each message', async () => {
    const result = await runFaultMatrix({
      route: 'reminders (SMTP)',
      services: ['smtp'],
      prepare: async (label) => {
        clock.advance(60_000);
        const title = `SMTP 催办故障 ${label}`;
        const piece = await freshPiece(title);
        await onlyThisWaits(piece.receipt);
        clock.advance(4 * 86_400_000); // past the 3 days after which a piece is reminded
        await fc.clearMailbox();
        return { title, held: await unsent() };
      },
      act: () =>
        remind().then(
          (r) => ({ ok: true, ...r }),
          (err: Error) => ({ ok: false, error: err.name }),
        ),
      verify: async ({ title, held }, first, faultCase) => {
        const problems: string[] = [];
        // A failed run is run again by the schedule's retry; a second run the same day reminds nobody again.
        if (!first.ok) await remind().catch((err: Error) => problems.push(`the retry failed: ${err.name}`));
        await recover(clock);
        const again = await remind();
        if (again.reminded !== 0) problems.push(`a second run reminded ${again.reminded} again`);
        await recover(clock);
        const left = await leftInOutbox(held);
        if (left.length > 0) problems.push(`left in the outbox: ${left.join('; ')}`);
        const most = mailMayRepeat(faultCase) ? 2 : 1;
        for (const editor of ['wang', 'li']) {
          const reminders = (await fc.county.mails(fc.address(editor))).filter(
            (m) => m.subject.startsWith('【催办】') && m.subject.includes(title),
          );
          if (reminders.length < 1 || reminders.length > most) {
            problems.push(`${reminders.length} reminders to ${editor}`);
          } else if ((await fetch(linkIn(reminders[0], '/review/'))).status !== 200) {
            problems.push(`the reminder's link fails for ${editor}`);
          }
        }
        problems.push(...smtpMessageProblems(fc));
        return problems;
      },
    });

    expect(result.violations).toEqual([]);
    expect(result.calls.smtp).toBe(REMINDER_EMAILS);
    expect(result.cases).toBe(3 * REMINDER_EMAILS);
  }, 120_000);
});
