// Fault injection on POST /submissions (a browser's form post): at every DynamoDB and SES call the request makes,
// the answer is lost after the write, the call is throttled, or the time runs out — one fault per case, each on a
// fresh piece. After recovery (the user presses 提交 again if told to; the sweeper runs) the invariants hold: one
// piece per submission, never two; the first answer true to what happened; the typed text never lost; gap-free
// receipt numbers; every email sent once (at most twice where SES itself lost its answer: SES cannot tell).
import { type RunningServer, startSes } from '../../../local/standins';
import { importRoster } from '../../../shared/roster/importRoster';
import { type FaultCase, runFaultMatrix } from '../../support/faultCases';
import { countMails, eventsTitled, receiptGaps, recover, steppingClock } from '../../support/faultState';
import { faults } from '../../support/faults';
import { LONG_BODY, linkIn, startTestCounty, type TestCounty } from '../../support/harness';

let county: TestCounty;
let ses: RunningServer;
let k = '';
const clock = steppingClock(new Date('2026-05-11T01:00:00Z').getTime());
const address = (name: string) => `${name}@${county.domain}`;

beforeAll(async () => {
  process.env.REQUEST_BUDGET_MS = '400';
  ses = await startSes({ port: 0 });
  county = await startTestCounty({ sesEndpoint: `http://127.0.0.1:${ses.port}` });
  const d = county.domain;
  const imported = await importRoster(
    [
      '单位,姓名,邮箱,手机,角色',
      `城关镇党委,张伟,zhang@${d},,信息员`,
      `县委组织部信息科,王编辑,wang@${d},,编辑`,
      `县委组织部信息科,李编辑,li@${d},,编辑`,
    ].join('\n'),
  );
  expect(imported.ok).toBe(true);
  k = new URL(linkIn((await county.waitForMails(address('zhang'), 1))[0])).searchParams.get('k')!;
  faults();
});
afterAll(async () => {
  await county.close();
  await ses.close();
});

const clearMailbox = () => fetch(`http://127.0.0.1:${ses.port}/clear-store`, { method: 'POST' });

interface Answer {
  status: number;
  location: string | null;
  html: string;
}

function post(title: string): Promise<Answer> {
  return fetch(`${county.baseUrl}/submissions`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ k, kind: 'info', title, body: LONG_BODY }).toString(),
  }).then(async (res) => ({ status: res.status, location: res.headers.get('location'), html: await res.text() }));
}

const receiptIn = (location: string | null) => location?.match(/\/submissions\/(\d{4}-\d{4})/)?.[1];

/** SES lost the answer to a send it did make: the same email may go out twice, never more, never not. */
const sesMayRepeat = (c: FaultCase | undefined) => c?.service === 'ses' && c.fault !== 'throttle';

describe('POST /submissions under injected faults', () => {
  it('keeps every invariant at every call, for every fault', async () => {
    const result = await runFaultMatrix({
      route: 'POST /submissions',
      prepare: async (label) => {
        await clearMailbox();
        clock.advance(60_000);
        return { title: `故障注入 ${label}` };
      },
      act: ({ title }) => post(title),
      verify: async ({ title }, first, faultCase) => {
        const problems: string[] = [];
        const stored = await eventsTitled(title, 'submitted');
        // The first answer, true to what happened.
        if (first.status === 303) {
          if (stored.length !== 1 || stored[0]?.receipt !== receiptIn(first.location)) {
            problems.push(`303 to ${receiptIn(first.location)} but stored ${stored.map((e) => e.receipt)}`);
          }
        } else {
          if (![503, 409].includes(first.status)) problems.push(`answered ${first.status}`);
          if (!first.html.includes(title) || !first.html.includes(LONG_BODY)) problems.push('the typed text is gone');
          const unknown = first.html.includes('暂时无法确认');
          if (!unknown && stored.length > 0) problems.push(`said not saved, but ${stored[0]?.receipt} was stored`);
        }
        // The user presses 提交 again: the one piece, never a second.
        let receipt = receiptIn(first.location);
        if (first.status !== 303) {
          let again = await post(title);
          // "Still in progress, try again in a few seconds": the user waits and presses once more.
          if (again.status === 409) {
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
        const mails = await county.mails();
        const most = sesMayRepeat(faultCase) ? 2 : 1;
        for (const to of [address('zhang'), address('wang'), address('li')]) {
          const n = countMails(mails, to, title);
          if (n < 1 || n > most) problems.push(`${n} emails to ${to}`);
        }
        return problems;
      },
    });

    expect(result.violations).toEqual([]);
    expect(result.calls.dynamodb).toBeGreaterThan(5);
    expect(result.cases).toBe(3 * result.calls.dynamodb + 3 * result.calls.ses);
    expect(await receiptGaps(2026)).toEqual([]);
  }, 240_000);
});
