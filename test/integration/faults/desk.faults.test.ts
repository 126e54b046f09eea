// Fault injection on the editors' desk (信息科工作台), signed in before each case's fault: a decision from the desk
// (POST /desk/pieces/{id}), alone and racing another editor's decision from a review email (POST /review/{token}), a
// roster upload (POST /desk/roster, multipart), and 停用 / 恢复发送 / 作废链接 of one person
// (POST /desk/roster/people/{personId}), each at every call × lost answer, throttle, time-out, on fresh state.
// After recovery: one decision per revision and the piece out of 待审, one person per address, one welcome per new
// informant, the links stopped or working as the action says; the answers 200 or 503 (never another 5xx), what was
// typed never lost, a retry (the editor pressing again) answered 200; every email sent once (at most twice where SES
// itself lost its answer).
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { handler as mailEvents } from '../../../functions/mailEvents';
import { handler as remind } from '../../../functions/reminders';
import { config } from '../../../shared/core/config';
import { importRoster } from '../../../shared/roster/importRoster';
import { getPerson, listRoster } from '../../../shared/roster/people';
import { db, tableName } from '../../../shared/store/db';
import { keys } from '../../../shared/store/keys';
import { bounceMessage, snsEvent } from '../../fixtures/sesEvents';
import { type FaultCase, runFaultMatrix } from '../../support/faultCases';
import {
  countMails,
  type FaultCounty,
  faultDesk,
  firstAnswerProblem,
  newestMail,
  postForm,
  recover,
  sesMayRepeat,
  startFaultCounty,
  steppingClock,
  unfiredCases,
} from '../../support/faultState';
import { LONG_BODY, linkIn } from '../../support/harness';

let fc: FaultCounty;
const clock = steppingClock(new Date('2026-08-03T01:00:00Z').getTime());

const INFORMANT_WELCOME = '欢迎使用组工信息报送系统';
const NEW_LINK = '您的报送链接已更新';

beforeAll(async () => {
  fc = await startFaultCounty();
});
afterAll(async () => {
  await fc.close();
});

/** wang's desk (signed in again, no fault armed, once an hour of the clock has passed) and a form post on it. */
const { desk, deskPost } = faultDesk(() => fc, clock, 'wang');

const url = (path: string) => `${fc.county.baseUrl}${path}`;
const COMMENT = '做法具体，数据翔实，编入本期。';
const ISSUE = '5';
const unknownOutcome = (html: string) => html.includes('暂时无法确认');

const noteUnfired = unfiredCases('desk faults');
/**
 * Answers that said 未能保存 (not saved) of an action that was in fact done. On the roster's buttons the rules above
 * do not forbid it when pressing again is harmless; the report lists them (a decision's is a violation).
 */
const untrue: string[] = [];
const noteUntrue = (route: string, c: FaultCase | undefined, first: { status: number; html: string }) => {
  if (first.status === 503 && !unknownOutcome(first.html))
    untrue.push(`${route} ${c ? `${c.service}-${c.at}-${c.fault}` : 'clean'}`);
};
afterAll(() => {
  if (untrue.length) process.stderr.write(`desk faults: 503 未能保存 though done: ${untrue.join('; ')}\n`);
});

/** The newest mail to `to` whose subject contains `text`, waited for briefly. */
const mailTo = (to: string, text: string) => newestMail(fc.county, to, (m) => m.subject.includes(text));

/** The events of one piece, straight from the table (a consistent Query of its partition). */
async function eventsOf(pieceId: string): Promise<Record<string, unknown>[]> {
  const out = await db().send(
    new QueryCommand({
      TableName: tableName(),
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :e)',
      ExpressionAttributeValues: { ':pk': keys.piece(config().countyId, pieceId), ':e': 'E#' },
      ConsistentRead: true,
    }),
  );
  return out.Items ?? [];
}

/** What the desk's 待审 says waits (the JSON of GET /desk). */
async function waitingReceipts(): Promise<string[]> {
  const res = await (await desk()).fetch('/desk', { headers: { accept: 'application/json' } });
  const body = (await res.json()) as { waiting?: { receipt: string }[] };
  return (body.waiting ?? []).map((w) => w.receipt);
}

/**
 * A decided piece must leave the desk's 待审 by recovery. When it has not, what heals it, for the report: the
 * reminder job run the same day, then once the piece is past its reminder cutoff (days later).
 */
async function stillWaiting(receipt: string): Promise<string[]> {
  if (!(await waitingReceipts()).includes(receipt)) return [];
  await remind();
  const sameDay = (await waitingReceipts()).includes(receipt);
  clock.advance(4 * 86_400_000);
  await remind();
  const later = (await waitingReceipts()).includes(receipt);
  return [
    'the decided piece is still in the desk’s 待审 list after recovery (awaiting mark left); the reminder job ' +
      `${sameDay ? 'the same day leaves it there' : 'the same day clears it'}, ` +
      `${later ? '4 days later it is still there' : '4 days later clears it'}`,
  ];
}

/** Posts a roster file as the desk's upload form does (multipart/form-data, field `file`). */
async function upload(csv: string): Promise<{ status: number; html: string }> {
  const body = new FormData();
  body.append('file', new Blob([Buffer.from(csv, 'utf8')], { type: 'text/csv' }), '名单.csv');
  const res = await (await desk()).fetch('/desk/roster', { method: 'POST', body, redirect: 'manual' });
  return { status: res.status, html: await res.text() };
}

/** A new informant of 城关镇党委, imported without faults (welcome sent at once); their id and submit link. */
async function freshInformant(email: string, name: string): Promise<{ personId: string; submitLink: string }> {
  const imported = await importRoster(`单位,姓名,邮箱,角色\n城关镇党委,${name},${email},信息员\n`);
  if (!imported.ok) throw new Error(`${email} did not import`);
  const person = (await listRoster(config().countyId)).people.find((p) => p.email === email);
  if (!person) throw new Error(`${email} is not in the roster`);
  return { personId: person.personId, submitLink: linkIn(await mailTo(email, INFORMANT_WELCOME)) };
}

describe('POST /desk/pieces/{id} under injected faults', () => {
  it('records one decision, takes the piece out of 待审, keeps what was typed, and tells the informant once', async () => {
    const decide = (receipt: string) =>
      deskPost(`/desk/pieces/${receipt}`, { decision: 'accept', issue: ISSUE, comment: COMMENT, revision: '1' });
    const result = await runFaultMatrix({
      route: 'POST /desk/pieces/{id}',
      prepare: async (label) => {
        clock.advance(60_000);
        const title = `工作台采用 ${label}`;
        const res = await postForm(url('/submissions'), { k: fc.keys.zhang!, kind: 'info', title, body: LONG_BODY });
        expect(res.status).toBe(303);
        const receipt = /[?&]sent=(\d{4}-\d{4})/.exec(res.location ?? '')![1]!;
        // The review requests of the submission are out before the case starts from an empty mailbox.
        await mailTo(fc.address('wang'), title);
        await mailTo(fc.address('li'), title);
        await fc.clearMailbox();
        await desk(); // signed in before the fault is armed
        return { title, receipt };
      },
      act: ({ receipt }) => decide(receipt),
      verify: async ({ title, receipt }, first, faultCase) => {
        const problems: string[] = [];
        noteUnfired('desk decision', faultCase);
        const decisions = async () =>
          (await eventsOf(receipt)).filter((e) => e.type !== 'submitted' && e.revision === 1);
        if (first.status === 200) {
          if (!first.html.includes('已处理：采用')) problems.push('200 without 已处理：采用');
        } else {
          problems.push(...firstAnswerProblem(first.status));
          if (first.status === 409) problems.push(`told 409: ${first.html.match(/<p>([^<]+)<\/p>/)?.[1]}`);
          if (first.status === 503 && !first.html.includes(COMMENT)) {
            problems.push(`the comment typed is gone (503 page: "${first.html.match(/<p>([^<]+)<\/p>/)?.[1]}")`);
          }
          if (first.status === 503 && !unknownOutcome(first.html) && (await decisions()).length > 0) {
            problems.push('said not saved, but the decision was stored');
          }
          // The editor presses 采用 again: done, or found done by themselves (200 either way).
          const again = await decide(receipt);
          if (again.status !== 200 || !again.html.includes('已处理：采用')) {
            problems.push(`the retry answered ${again.status}${again.status === 200 ? ' without 已处理：采用' : ''}`);
          }
        }
        const stored = await decisions();
        const one = stored[0];
        if (stored.length !== 1 || one?.type !== 'accepted' || one?.editorName !== '王编辑' || one?.issueNo !== 5) {
          problems.push(`decisions stored: ${JSON.stringify(stored.map((e) => [e.type, e.editorName, e.issueNo]))}`);
        }
        await recover(clock);
        problems.push(...(await stillWaiting(receipt)));
        const mails = await fc.county.mails();
        const most = sesMayRepeat(faultCase) ? 2 : 1;
        const accepted = mails.filter(
          (m) =>
            m.destination.to.includes(fc.address('zhang')) &&
            m.subject.startsWith('您的稿件已采用') &&
            m.subject.includes(title),
        ).length;
        const handled = countMails(mails, fc.address('li'), title);
        if (accepted < 1 || accepted > most) problems.push(`${accepted} 已采用 emails to the informant`);
        if (handled < 1 || handled > most) problems.push(`${handled} 已处理 notices to the other editor`);
        return problems;
      },
    });

    expect(result.violations).toEqual([]);
    // The desk user (BatchGet); the editor with the summary and the piece's events; the decision; the awaiting mark.
    expect(result.calls.dynamodb).toBeGreaterThanOrEqual(5);
  }, 300_000);
});

describe('a desk decision racing a review-link decision under injected faults', () => {
  it('records exactly one, tells the loser who won, and the informant once', async () => {
    const RETURN_COMMENT = '请补充具体数据。';
    const fromDesk = (receipt: string) =>
      deskPost(`/desk/pieces/${receipt}`, { decision: 'accept', issue: ISSUE, comment: COMMENT, revision: '1' });
    const fromLink = (review: string) => postForm(review, { decision: 'return', comment: RETURN_COMMENT });
    const result = await runFaultMatrix({
      route: 'POST /desk/pieces/{id} racing POST /review/{token}',
      prepare: async (label) => {
        clock.advance(60_000);
        const title = `工作台竞争 ${label}`;
        const res = await postForm(url('/submissions'), { k: fc.keys.zhang!, kind: 'info', title, body: LONG_BODY });
        expect(res.status).toBe(303);
        const receipt = /[?&]sent=(\d{4}-\d{4})/.exec(res.location ?? '')![1]!;
        await mailTo(fc.address('wang'), title);
        const review = linkIn(await mailTo(fc.address('li'), title), '/review/');
        await fc.clearMailbox();
        await desk();
        return { title, receipt, review };
      },
      // wang presses 采用 on the desk while li presses 退回修改 in the review email.
      act: ({ receipt, review }) => Promise.all([fromDesk(receipt), fromLink(review)]),
      verify: async ({ title, receipt, review }, [desk0, link0], faultCase) => {
        const problems: string[] = [];
        noteUnfired('desk race', faultCase);
        for (const [who, answer] of [
          ['desk', desk0],
          ['review link', link0],
        ] as const) {
          if (![200, 409, 503].includes(answer.status)) problems.push(`the ${who} answered ${answer.status}`);
        }
        // Whoever was told 503 presses again.
        const deskFinal = desk0.status === 503 ? await fromDesk(receipt) : desk0;
        const linkFinal = link0.status === 503 ? await fromLink(review) : link0;
        const stored = (await eventsOf(receipt)).filter((e) => e.type !== 'submitted' && e.revision === 1);
        const winner = stored[0];
        if (stored.length !== 1) {
          problems.push(`decisions stored: ${JSON.stringify(stored.map((e) => [e.type, e.editorName]))}`);
        } else if (winner?.editorName === '王编辑') {
          if (winner.type !== 'accepted') problems.push(`wang's decision stored as ${winner.type}`);
          if (deskFinal.status !== 200) problems.push(`wang won but the desk answered ${deskFinal.status}`);
          if (linkFinal.status !== 409 || !linkFinal.html.includes('王编辑')) {
            problems.push(
              `wang won but li was answered ${linkFinal.status}${linkFinal.status === 409 ? ' without naming 王编辑' : ''}`,
            );
          }
        } else if (winner?.editorName === '李编辑') {
          if (winner.type !== 'returned') problems.push(`li's decision stored as ${winner.type}`);
          if (linkFinal.status !== 200) problems.push(`li won but the review link answered ${linkFinal.status}`);
          if (deskFinal.status !== 409 || !deskFinal.html.includes('李编辑')) {
            problems.push(
              `li won but the desk answered ${deskFinal.status}${deskFinal.status === 409 ? ' without naming 李编辑' : ''}`,
            );
          }
        } else {
          problems.push(`a decision by ${String(winner?.editorName)}`);
        }
        await recover(clock);
        problems.push(...(await stillWaiting(receipt)));
        const mails = await fc.county.mails();
        const most = sesMayRepeat(faultCase) ? 2 : 1;
        const toInformant = mails.filter(
          (m) =>
            m.destination.to.includes(fc.address('zhang')) &&
            m.subject.startsWith('您的稿件') &&
            m.subject.includes(title),
        );
        const expected = winner?.type === 'returned' ? '您的稿件需要修改' : '您的稿件已采用';
        const right = toInformant.filter((m) => m.subject.startsWith(expected)).length;
        if (right < 1 || right > most || toInformant.length !== right) {
          problems.push(`informant told: ${JSON.stringify(toInformant.map((m) => m.subject.split('：')[0]))}`);
        }
        const loser = winner?.editorName === '李编辑' ? 'wang' : 'li';
        const handled = countMails(mails, fc.address(loser), title);
        if (handled < 1 || handled > most) problems.push(`${handled} 已处理 notices to ${loser}`);
        return problems;
      },
    });

    expect(result.violations).toEqual([]);
  }, 300_000);
});

describe('POST /desk/roster under injected faults', () => {
  it('adds the new informant once, welcomes them once with a link that works, also when uploaded again', async () => {
    let n = 0;
    const result = await runFaultMatrix({
      route: 'POST /desk/roster',
      prepare: async () => {
        clock.advance(60_000);
        n += 1;
        const email = `up${n}@${fc.county.domain}`;
        await desk();
        return { email, csv: `单位,姓名,邮箱,角色\n城关镇党委,上传${n},${email},信息员\n` };
      },
      act: ({ csv }) => upload(csv),
      verify: async ({ email, csv }, first, faultCase) => {
        const problems: string[] = [];
        noteUnfired('roster upload', faultCase);
        if (first.status === 200) {
          if (!first.html.includes('导入完成')) problems.push('200 without 导入完成');
        } else {
          problems.push(...firstAnswerProblem(first.status));
          const roster = await listRoster(config().countyId);
          if (roster.people.some((p) => p.email === email)) noteUntrue('roster upload', faultCase, first);
          // The editor uploads the same file again.
          const again = await upload(csv);
          if (again.status !== 200 || !again.html.includes('导入完成')) {
            problems.push(`the second upload answered ${again.status}`);
          }
        }
        const people = (await listRoster(config().countyId)).people.filter((p) => p.email === email);
        if (people.length !== 1) problems.push(`${people.length} people stored for ${email}`);
        await recover(clock);
        const welcomes = (await fc.county.mails(email)).filter((m) => m.subject.startsWith(INFORMANT_WELCOME));
        if (welcomes.length !== 1) problems.push(`${welcomes.length} welcome emails`);
        else {
          const status = (await fetch(linkIn(welcomes[0]))).status;
          if (status !== 200) problems.push(`the welcome's submit link answered ${status}`);
        }
        return problems;
      },
    });

    expect(result.violations).toEqual([]);
    // The desk's upload sends no email itself: the welcomes are the sweeper's.
    expect(result.calls.ses).toBe(0);
  }, 300_000);
});

describe('POST /desk/roster/people/{personId} (停用) under injected faults', () => {
  it('stops the informant’s link, answers 200 when pressed again, and 启用 brings the same link back', async () => {
    let n = 0;
    const personAction = (personId: string, action: string) => deskPost(`/desk/roster/people/${personId}`, { action });
    const result = await runFaultMatrix({
      route: 'POST /desk/roster/people/{personId} deactivate',
      prepare: async () => {
        clock.advance(60_000);
        n += 1;
        await desk();
        return freshInformant(`off${n}@${fc.county.domain}`, `停用${n}`);
      },
      act: ({ personId }) => personAction(personId, 'deactivate'),
      verify: async ({ personId, submitLink }, first, faultCase) => {
        const problems: string[] = [];
        noteUnfired('停用', faultCase);
        if (first.status === 200) {
          if (!first.html.includes('已停用')) problems.push('200 without 已停用');
        } else {
          problems.push(...firstAnswerProblem(first.status));
          const roster = await listRoster(config().countyId);
          if (roster.people.some((p) => p.personId === personId && p.inactive)) noteUntrue('停用', faultCase, first);
          const again = await personAction(personId, 'deactivate');
          if (again.status !== 200) problems.push(`停用 pressed again answered ${again.status}`);
        }
        await recover(clock);
        const stopped = (await fetch(submitLink)).status;
        if (stopped !== 403) problems.push(`after 停用 the submit link answered ${stopped}`);
        const activated = await personAction(personId, 'activate');
        if (activated.status !== 200) problems.push(`启用 answered ${activated.status}`);
        const back = (await fetch(submitLink)).status;
        if (back !== 200) problems.push(`after 启用 the submit link answered ${back}`);
        return problems;
      },
    });

    expect(result.violations).toEqual([]);
  }, 300_000);
});

describe('POST /desk/roster/people/{personId} (恢复发送) under injected faults', () => {
  it('lifts the stop a bounce put on the address, answers 200 when pressed again, and mail goes out again', async () => {
    let n = 0;
    const personAction = (personId: string, action: string) => deskPost(`/desk/roster/people/${personId}`, { action });
    const stopped = async (personId: string) => (await getPerson(config().countyId, personId))?.mailStop !== undefined;
    const result = await runFaultMatrix({
      route: 'POST /desk/roster/people/{personId} resume',
      prepare: async () => {
        clock.advance(60_000);
        n += 1;
        const email = `back${n}@${fc.county.domain}`;
        const informant = await freshInformant(email, `恢复${n}`);
        // SES reported the address as not existing: mail to it stops.
        await mailEvents(snsEvent(bounceMessage(email)));
        if (!(await stopped(informant.personId))) throw new Error(`${email} was not stopped`);
        await desk();
        return { ...informant, email };
      },
      act: ({ personId }) => personAction(personId, 'resume'),
      verify: async ({ personId, email }, first, faultCase) => {
        const problems: string[] = [];
        noteUnfired('恢复发送', faultCase);
        if (first.status === 200) {
          if (!first.html.includes('已恢复')) problems.push('200 without 已恢复');
        } else {
          problems.push(...firstAnswerProblem(first.status));
          if (!(await stopped(personId))) noteUntrue('恢复发送', faultCase, first);
          const again = await personAction(personId, 'resume');
          if (again.status !== 200) problems.push(`恢复发送 pressed again answered ${again.status}`);
        }
        await recover(clock);
        if (await stopped(personId)) problems.push('the address is still stopped');
        // The front page's "send me my link": mailed to the address again.
        await fetch(`${fc.county.baseUrl}/link`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ email }).toString(),
        });
        await recover(clock);
        const links = (await fc.county.mails(email)).filter((m) => !m.subject.startsWith(INFORMANT_WELCOME));
        if (links.length !== 1) problems.push(`${links.length} emails after 恢复发送`);
        return problems;
      },
    });

    expect(result.violations).toEqual([]);
  }, 300_000);
});

describe('POST /desk/roster/people/{personId} (作废链接) under injected faults', () => {
  it('stops the old link and sends exactly one new link that works', async () => {
    let n = 0;
    // As the button sends it: with the key version the page showed (a fresh informant's first, 1), pressed again too.
    const revoke = (personId: string) => deskPost(`/desk/roster/people/${personId}`, { action: 'revoke', v: '1' });
    const result = await runFaultMatrix({
      route: 'POST /desk/roster/people/{personId} revoke',
      prepare: async () => {
        clock.advance(60_000);
        n += 1;
        const email = `rev${n}@${fc.county.domain}`;
        await desk();
        return { email, ...(await freshInformant(email, `作废${n}`)) };
      },
      act: ({ personId }) => revoke(personId),
      verify: async ({ email, personId, submitLink }, first, faultCase) => {
        const problems: string[] = [];
        noteUnfired('作废链接', faultCase);
        let pressedAgain = false;
        if (first.status === 200) {
          if (!first.html.includes('已作废')) problems.push('200 without 已作废');
        } else {
          problems.push(...firstAnswerProblem(first.status));
          const roster = await listRoster(config().countyId);
          if (roster.people.some((p) => p.personId === personId && p.keyVersion > 1)) {
            noteUntrue('作废链接', faultCase, first);
          }
          const again = await revoke(personId);
          pressedAgain = true;
          if (again.status !== 200) problems.push(`作废链接 pressed again answered ${again.status}`);
        }
        await recover(clock);
        const old = (await fetch(submitLink)).status;
        if (old !== 403) problems.push(`the old submit link answered ${old}`);
        const fresh = (await fc.county.mails(email)).filter((m) => m.subject.startsWith(NEW_LINK));
        if (fresh.length !== 1) {
          const statuses = await Promise.all(fresh.map(async (m) => (await fetch(linkIn(m))).status));
          problems.push(
            `${fresh.length} new-link emails (links answer ${statuses.join(', ') || '-'}; first answer ` +
              `${first.status}${first.status === 503 ? ` "${first.html.match(/<p>([^<]+)<\/p>/)?.[1]}"` : ''}` +
              `${pressedAgain ? ', pressed again' : ''})`,
          );
        }
        const newest = fresh.at(-1);
        if (newest) {
          const status = (await fetch(linkIn(newest))).status;
          if (status !== 200) problems.push(`the newest new link answered ${status}`);
        }
        return problems;
      },
    });

    expect(result.violations).toEqual([]);
  }, 300_000);
});
