// Submissions racing each other over real HTTP: receipt numbers stay gapless and unique under load, and retries
// (double-clicks, a client resending with its Idempotency-Key) create one piece whose receipt every answer names.
import { setClock } from '../../../shared/core/clock';
import { importRoster } from '../../../shared/roster/importRoster';
import { LONG_BODY, linkIn, rosterCsv, startTestCounty, type TestCounty } from '../../support/harness';

let county: TestCounty;
const INFORMANTS = ['chen', 'zhang', 'zhou'] as const;
type Informant = (typeof INFORMANTS)[number];
const keyOf = {} as Record<Informant, string>;
/** 2026-06-15 10:00 in Asia/Shanghai. */
const T0 = new Date('2026-06-15T02:00:00Z').getTime();

beforeAll(async () => {
  setClock(new Date(T0));
  county = await startTestCounty();
  const imported = await importRoster(rosterCsv(county.domain));
  expect(imported).toMatchObject({ ok: true, summary: { welcomed: 3 } });
  for (const name of INFORMANTS) {
    const [welcome] = await county.waitForMails(`${name}@${county.domain}`, 1);
    keyOf[name] = new URL(linkIn(welcome)).searchParams.get('k')!;
  }
});
afterAll(async () => {
  setClock(undefined);
  await county.close();
});

function postJson(informant: Informant, title: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${county.baseUrl}/submissions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
    body: JSON.stringify({ k: keyOf[informant], kind: 'info', title, body: LONG_BODY }),
  });
}

function postForm(informant: Informant, title: string): Promise<Response> {
  return fetch(`${county.baseUrl}/submissions`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ k: keyOf[informant], kind: 'info', title, body: LONG_BODY }).toString(),
  });
}

async function receiptOf(res: Response): Promise<string> {
  expect(res.status).toBe(201);
  return ((await res.json()) as { receipt: string }).receipt;
}

/** The number a new, unrelated piece gets now: one past the last number taken. */
async function nextReceipt(): Promise<string> {
  return receiptOf(await postJson('chen', `探针稿件 ${Math.random()}`));
}

const numberOf = (receipt: string) => Number(receipt.slice(5));
const receiptOf2026 = (n: number) => `2026-${String(n).padStart(4, '0')}`;

/**
 * After `copies` copies of one submission raced, each taking a number before it learnt it was a copy: the copies
 * gave theirs back, so the next new pieces fill exactly the numbers `first` to `first + copies - 1` around the one
 * the piece kept, and the piece after them gets the number past the last. No gap, no number twice.
 */
async function expectNumbersGapless(kept: string, first: number, copies: number): Promise<void> {
  const range = Array.from({ length: copies }, (_, i) => first + i);
  expect(range).toContain(numberOf(kept));
  const refilled: string[] = [];
  for (let i = 1; i < copies; i++) refilled.push(await nextReceipt());
  expect(refilled).toEqual(range.filter((n) => n !== numberOf(kept)).map(receiptOf2026));
  expect(await nextReceipt()).toBe(receiptOf2026(first + copies));
}

/** Acknowledgments of `title` to `informant`. Every request awaits its own send before it answers, so once the
 * answers are in, so is every acknowledgment they sent. */
async function acksFor(informant: Informant, title: string) {
  return (await county.mails(`${informant}@${county.domain}`)).filter(
    (m) => m.subject.startsWith('已收到您的稿件') && m.subject.endsWith(`：${title}`),
  );
}

describe('twenty informants submitting at the same moment', () => {
  it('get twenty distinct receipt numbers, exactly 0001 to 0020 of the year', async () => {
    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, i) => postJson(INFORMANTS[i % INFORMANTS.length]!, `并发报送稿件第${i + 1}篇`)),
    );

    const receipts = await Promise.all(responses.map(receiptOf));
    expect(responses.every((r) => r.headers.get('idempotent-replayed') === null)).toBe(true);
    expect([...receipts].sort()).toEqual(
      Array.from({ length: 20 }, (_, i) => `2026-${String(i + 1).padStart(4, '0')}`),
    );
    const acked = (await county.mails())
      .filter((m) => m.subject.includes('并发报送稿件'))
      .map((m) => /回执号 (\d{4}-\d{4})/.exec(m.subject)?.[1]);
    expect(acked.sort()).toEqual([...receipts].sort());
  });
});

describe('an informant double-clicking the submit button', () => {
  it('creates one piece, and all ten answers point to the same receipt', async () => {
    const title = '双击提交的稿件';

    const responses = await Promise.all(Array.from({ length: 10 }, () => postForm('zhang', title)));

    expect(responses.map((r) => r.status)).toEqual(Array(10).fill(303));
    const locations = new Set(responses.map((r) => r.headers.get('location')));
    expect(locations.size).toBe(1);
    const [location] = [...locations];
    const receipt = /^\/submit\?k=[^&]+&sent=(\d{4}-\d{4})$/.exec(location ?? '')?.[1];
    expect(receipt).toMatch(/^2026-\d{4}$/);
    expect(await acksFor('zhang', title)).toHaveLength(1);
    // Numbers 0001-0020 went to the twenty informants above.
    await expectNumbersGapless(receipt!, 21, 10);
  });
});

describe('a client resending with the same Idempotency-Key', () => {
  const key = 'b5f6c1e2-retry-0001';
  const title = '带幂等键的稿件';
  let receipt: string;

  it('creates one piece when ten copies arrive at once, and every answer names its receipt', async () => {
    const responses = await Promise.all(
      Array.from({ length: 10 }, () => postJson('zhou', title, { 'idempotency-key': key })),
    );

    const receipts = await Promise.all(responses.map(receiptOf));
    expect(new Set(receipts).size).toBe(1);
    receipt = receipts[0]!;
    expect(responses.filter((r) => r.headers.get('idempotent-replayed') === 'true')).toHaveLength(9);
    expect(await acksFor('zhou', title)).toHaveLength(1);
    // 0021-0030 went to the double-click and the pieces that refilled it, 0031 to the probe after them.
    await expectNumbersGapless(receipt, 32, 10);
  });

  it('still gets the original receipt back after the ten-minute double-click window', async () => {
    setClock(new Date(T0 + 11 * 60_000));

    const res = await postJson('zhou', title, { 'idempotency-key': key });

    expect(await receiptOf(res)).toBe(receipt);
    expect(res.headers.get('idempotent-replayed')).toBe('true');
  });
});
