// Fault injection on the review's writes: an editor's decision (POST /review/{token}), an informant's revision
// (POST /revise/{token}), a fresh link for an expired one (POST /review/{token}/renew) and the daily reminder job,
// each at every call × lost answer, throttle, time-out, on a fresh piece. After recovery: one decision per revision
// and never "lost to yourself", one revision per return, one renewed link, one reminder per editor and day; the
// answers true to what happened; what was typed never lost; every email sent once (at most twice where SES itself
// lost its answer).
import { handler as remind } from '../../../functions/reminders';
import { runFaultMatrix } from '../../support/faultCases';
import {
  allItems,
  countMails,
  type FaultCounty,
  onlyThisWaits,
  postForm,
  recover,
  sesMayRepeat,
  startFaultCounty,
  steppingClock,
} from '../../support/faultState';
import { LONG_BODY, linkIn, type StoredEmail } from '../../support/harness';

let fc: FaultCounty;
const clock = steppingClock(new Date('2026-06-01T01:00:00Z').getTime());

beforeAll(async () => {
  fc = await startFaultCounty();
});
afterAll(async () => {
  await fc.close();
});

const url = (path: string) => `${fc.county.baseUrl}${path}`;
const COMMENT = '请补充具体数据和典型事例。';

async function mail(to: string, where: (m: StoredEmail) => boolean): Promise<StoredEmail> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const found = (await fc.county.mails(to)).filter(where).at(-1);
    if (found || Date.now() > deadline) return found!;
    await new Promise((r) => setTimeout(r, 30));
  }
}

/** A fresh piece by zhang, and the review link wang got for it. */
async function freshPiece(title: string): Promise<{ receipt: string; review: string }> {
  const res = await postForm(url('/submissions'), { k: fc.keys.zhang!, kind: 'info', title, body: LONG_BODY });
  expect(res.status).toBe(303);
  const receipt = /[?&]sent=(\d{4}-\d{4})/.exec(res.location ?? '')![1]!;
  const review = linkIn(await mail(fc.address('wang'), (m) => m.subject.includes(title)), '/review/');
  return { receipt, review };
}

/** The events of one piece, from the table. */
async function eventsOf(receipt: string): Promise<Record<string, unknown>[]> {
  return (await allItems())
    .filter((i) => String(i.pk).endsWith(`#P#${receipt}`) && String(i.sk).startsWith('E#'))
    .sort((a, b) => String(a.sk).localeCompare(String(b.sk)));
}

const unknownOutcome = (html: string) => html.includes('暂时无法确认');

describe('POST /review/{token} under injected faults', () => {
  it('records one decision, answers truly, keeps the comment, and sends each email once', async () => {
    const result = await runFaultMatrix({
      route: 'POST /review/{token}',
      prepare: async (label) => {
        clock.advance(60_000);
        const title = `审核故障 ${label}`;
        const piece = await freshPiece(title);
        await fc.clearMailbox();
        return { title, ...piece };
      },
      act: ({ review }) => postForm(review, { decision: 'return', comment: COMMENT }),
      verify: async ({ title, receipt, review }, first, faultCase) => {
        const problems: string[] = [];
        const decisions = () => eventsOf(receipt).then((es) => es.filter((e) => e.type !== 'submitted'));
        if (first.status === 200) {
          if (!first.html.includes('处理完成')) problems.push('200 without 处理完成');
        } else {
          if (![503, 409].includes(first.status)) problems.push(`answered ${first.status}`);
          if (first.status === 409) problems.push(`told 409: ${first.html.match(/<p>([^<]+)<\/p>/)?.[1]}`);
          if (first.status === 503 && !first.html.includes(COMMENT)) problems.push('the comment typed is gone');
          if (first.status === 503 && !unknownOutcome(first.html) && (await decisions()).length > 0) {
            problems.push('said not saved, but the decision was stored');
          }
          const again = await postForm(review, { decision: 'return', comment: COMMENT });
          // A retry after an unknown outcome may find the decision made: 409 naming this very editor is true.
          const ownEarlier = again.status === 409 && again.html.includes('王编辑') && unknownOutcome(first.html);
          if (again.status !== 200 && !ownEarlier) problems.push(`the retry answered ${again.status}`);
        }
        const stored = await decisions();
        if (stored.length !== 1 || stored[0]?.type !== 'returned' || stored[0]?.editorName !== '王编辑') {
          problems.push(`decisions stored: ${JSON.stringify(stored.map((e) => [e.type, e.editorName]))}`);
        }
        await recover(clock);
        const mails = await fc.county.mails();
        const most = sesMayRepeat(faultCase) ? 2 : 1;
        const returned = countMails(mails, fc.address('zhang'), title);
        const handled = countMails(mails, fc.address('li'), title);
        if (returned < 1 || returned > most) problems.push(`${returned} return emails to the informant`);
        if (handled < 1 || handled > most) problems.push(`${handled} 已处理 notices to the other editor`);
        return problems;
      },
    });

    expect(result.violations).toEqual([]);
    // The editor, the informant and the summary, the events; the decision; the awaiting mark; the sent mark.
    expect(result.calls.dynamodb).toBeGreaterThanOrEqual(5);
  }, 300_000);
});

describe('POST /revise/{token} under injected faults', () => {
  it('records one revision, answers truly, keeps the text, and sends each email once', async () => {
    const result = await runFaultMatrix({
      route: 'POST /revise/{token}',
      prepare: async (label) => {
        clock.advance(60_000);
        const title = `修改故障 ${label}`;
        const piece = await freshPiece(title);
        expect((await postForm(piece.review, { decision: 'return', comment: COMMENT })).status).toBe(200);
        const revise = linkIn(await mail(fc.address('zhang'), (m) => m.subject.includes(title)), '/revise/');
        await fc.clearMailbox();
        return { title, receipt: piece.receipt, revise, revised: `${title}（修改稿）` };
      },
      act: ({ revise, revised }) => postForm(revise, { kind: 'info', title: revised, body: LONG_BODY }),
      verify: async ({ receipt, revise, revised }, first, faultCase) => {
        const problems: string[] = [];
        const revisions = () => eventsOf(receipt).then((es) => es.filter((e) => e.type === 'revised'));
        if (first.status !== 303) {
          if (![503, 409].includes(first.status)) problems.push(`answered ${first.status}`);
          if (!first.html.includes(revised) || !first.html.includes(LONG_BODY)) problems.push('the text typed is gone');
          if (!unknownOutcome(first.html) && (await revisions()).length > 0) {
            problems.push('said not saved, but the revision was stored');
          }
          const again = await postForm(revise, { kind: 'info', title: revised, body: LONG_BODY });
          if (again.status !== 303) problems.push(`the retry answered ${again.status}`);
        }
        const stored = await revisions();
        if (stored.length !== 1 || stored[0]?.title !== revised) problems.push(`${stored.length} revisions stored`);
        await recover(clock);
        const mails = await fc.county.mails();
        const most = sesMayRepeat(faultCase) ? 2 : 1;
        for (const to of [fc.address('zhang'), fc.address('wang'), fc.address('li')]) {
          const n = countMails(mails, to, revised);
          if (n < 1 || n > most) problems.push(`${n} emails to ${to}`);
        }
        return problems;
      },
    });

    expect(result.violations).toEqual([]);
  }, 300_000);
});

describe('POST /review/{token}/renew under injected faults', () => {
  it('sends the editor one fresh link that works, and answers truly', async () => {
    const result = await runFaultMatrix({
      route: 'POST /review/{token}/renew',
      prepare: async (label) => {
        clock.advance(60_000);
        const title = `续期故障 ${label}`;
        const piece = await freshPiece(title);
        clock.advance(15 * 86_400_000); // past the 14 days of a review link
        await fc.clearMailbox();
        return { title, renew: `${piece.review}/renew` };
      },
      act: ({ renew }) => postForm(renew, {}),
      verify: async ({ title, renew }, first, faultCase) => {
        const problems: string[] = [];
        if (first.status !== 200) {
          if (first.status !== 503) problems.push(`answered ${first.status}`);
          const again = await postForm(renew, {});
          if (again.status !== 200) problems.push(`the retry answered ${again.status}`);
        }
        await recover(clock);
        const fresh = (await fc.county.mails(fc.address('wang'))).filter((m) => m.subject.includes(title));
        const most = sesMayRepeat(faultCase) ? 2 : 1;
        if (fresh.length < 1 || fresh.length > most) problems.push(`${fresh.length} fresh links`);
        else if ((await fetch(linkIn(fresh[0], '/review/'))).status !== 200) problems.push('the fresh link fails');
        return problems;
      },
    });

    expect(result.violations).toEqual([]);
  }, 300_000);
});

describe('the reminder job under injected faults', () => {
  it('reminds each editor once a day of a piece still waiting, with a link that works', async () => {
    const result = await runFaultMatrix({
      route: 'reminders',
      prepare: async (label) => {
        clock.advance(60_000);
        const title = `催办故障 ${label}`;
        const piece = await freshPiece(title);
        await onlyThisWaits(piece.receipt);
        clock.advance(4 * 86_400_000); // past the 3 days after which a piece is reminded
        await fc.clearMailbox();
        return { title };
      },
      act: () =>
        remind().then(
          (r) => ({ ok: true, ...r }),
          (err: Error) => ({ ok: false, error: err.name }),
        ),
      verify: async ({ title }, first, faultCase) => {
        const problems: string[] = [];
        // A failed run is run again by the schedule's retry; a second run the same day reminds nobody again.
        if (!first.ok) await remind().catch((err: Error) => problems.push(`the retry failed: ${err.name}`));
        await recover(clock);
        const again = await remind();
        if (again.reminded !== 0) problems.push(`a second run reminded ${again.reminded} again`);
        await recover(clock);
        const most = sesMayRepeat(faultCase) ? 2 : 1;
        for (const editor of ['wang', 'li']) {
          const reminders = (await fc.county.mails(fc.address(editor))).filter(
            (m) => m.subject.startsWith('【催办】') && m.subject.includes(title),
          );
          if (reminders.length < 1 || reminders.length > most)
            problems.push(`${reminders.length} reminders to ${editor}`);
          else if ((await fetch(linkIn(reminders[0], '/review/'))).status !== 200) {
            problems.push(`the reminder's link fails for ${editor}`);
          }
        }
        return problems;
      },
    });

    expect(result.violations).toEqual([]);
    expect(result.calls.dynamodb).toBeGreaterThanOrEqual(4);
  }, 300_000);
});
