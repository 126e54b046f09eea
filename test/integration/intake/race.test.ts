// A county's busiest hour, squeezed: 50 informants at once, each sending 20 pieces one after another, over real HTTP
// through the local gateway (all in one process here; on AWS each request has a Lambda of its own). Every submission is answered 201 with its own receipt number; the numbers are unique and without gaps;
// every piece answered is stored and nothing is stored twice. Then editors race to decide one piece: one wins.
import { type RunningServer, startDynalite, startSes } from '../../../local/standins';
import { setClock } from '../../../shared/core/clock';
import { config } from '../../../shared/core/config';
import { submitKey } from '../../../shared/links/links';
import { importRoster } from '../../../shared/roster/importRoster';
import { personIdOf } from '../../../shared/store/keys';
import { eventsTitled, receiptGaps } from '../../support/faultState';
import { LONG_BODY, linkIn, startTestCounty, type TestCounty } from '../../support/harness';

let county: TestCounty;
const INFORMANTS = 50;
const EACH = 20;
const T0 = new Date('2026-09-01T02:00:00Z').getTime();

let ddb: RunningServer;
let ses: RunningServer;
// Under this load some acknowledgments are left to the sweeper, and say so in the log: expected, and many.
const quiet = [jest.spyOn(console, 'log'), jest.spyOn(console, 'error')].map((s) => s.mockImplementation(() => {}));

beforeAll(async () => {
  setClock(new Date(T0));
  // Stand-ins of its own, in this worker: the race loads this process and fills this mailbox (4,000 emails), not the
  // dynalite and the mailbox every other file shares.
  ddb = await startDynalite({ port: 0 });
  ses = await startSes({ port: 0 });
  process.env.DDB_ENDPOINT = `http://127.0.0.1:${ddb.port}`;
  county = await startTestCounty({ sesEndpoint: `http://127.0.0.1:${ses.port}` });
  const d = county.domain;
  const rows = Array.from({ length: INFORMANTS }, (_, i) => `第${i + 1}单位,信息员${i + 1},i${i + 1}@${d},,信息员`);
  const editors = ['王编辑,wang', '李编辑,li', '刘编辑,liu'].map(
    (e) => `县委组织部信息科,${e.split(',')[0]},${e.split(',')[1]}@${d},,编辑`,
  );
  expect((await importRoster(['单位,姓名,邮箱,手机,角色', ...rows, ...editors].join('\n'))).ok).toBe(true);
}, 60_000);
afterAll(async () => {
  for (const spy of quiet) spy.mockRestore();
  setClock(undefined);
  await county.close();
  await ddb.close();
  await ses.close();
});

describe('1,000 submissions at once', () => {
  it('are all answered 201, with unique, gap-free receipt numbers, each piece stored once', async () => {
    const keys = await Promise.all(
      Array.from({ length: INFORMANTS }, (_, i) =>
        submitKey(personIdOf(config().countyId, `i${i + 1}@${county.domain}`), 1),
      ),
    );
    const informant = async (k: string, i: number) => {
      const answers: { status: number; body: { receipt?: string } }[] = [];
      for (let j = 0; j < EACH; j++) {
        const res = await fetch(`${county.baseUrl}/submissions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/json' },
          body: JSON.stringify({ k, kind: 'info', title: `并发 ${i + 1}-${j + 1}`, body: LONG_BODY }),
        });
        answers.push({ status: res.status, body: (await res.json()) as { receipt?: string } });
      }
      return answers;
    };
    const answers = (await Promise.all(keys.map(informant))).flat();

    expect(answers.filter((a) => a.status !== 201)).toEqual([]);
    const receipts = answers.map((a) => a.body.receipt!);
    expect(new Set(receipts).size).toBe(INFORMANTS * EACH);
    expect([...receipts].sort().at(-1)).toBe(`2026-${String(INFORMANTS * EACH).padStart(4, '0')}`);
    expect(await receiptGaps(2026)).toEqual([]);
    const stored = await eventsTitled('并发 1-1', 'submitted');
    expect(stored).toHaveLength(1);
  }, 240_000);

  it('lets exactly one of 3 editors × 7 presses decide a piece; the rest are told who did', async () => {
    const res = await fetch(`${county.baseUrl}/submissions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({
        k: await submitKey(personIdOf(config().countyId, `i1@${county.domain}`), 1),
        kind: 'info',
        title: '争抢审核的稿件',
        body: LONG_BODY,
      }),
    });
    expect(res.status).toBe(201);
    const links = await Promise.all(
      ['wang', 'li', 'liu'].map(async (name) =>
        linkIn((await county.waitForMails(`${name}@${county.domain}`, 1, /争抢审核的稿件/)).at(-1), '/review/'),
      ),
    );
    const decisions = ['accept', 'return', 'reject'];
    const answers = await Promise.all(
      Array.from({ length: 21 }, (_, i) =>
        fetch(links[i % 3]!, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/json' },
          body: JSON.stringify({ decision: decisions[i % 3], comment: '并发处理', confirm: true }),
        }).then((r) => r.status),
      ),
    );

    expect(answers.filter((s) => s === 200)).toHaveLength(1);
    expect(answers.filter((s) => s === 409)).toHaveLength(20);
  }, 60_000);
});
