// The desk's 稿件 at the size of a busy month: 500 pieces sent in June (by the submission use case itself, eight at a
// time), paged through 50 at a time over real HTTP; every receipt once and in order, the filters and the title
// search counting right, and no page load ever scanning the table (the SDK's own commands, recorded).
import { handler as sweep } from '../../../functions/sweeper';
import { startSes } from '../../../local/standins';
import { setClock } from '../../../shared/core/clock';
import { config } from '../../../shared/core/config';
import { submitPiece } from '../../../shared/intake/submitPiece';
import { importRoster } from '../../../shared/roster/importRoster';
import { unitIdOf } from '../../../shared/store/keys';
import { faults } from '../../support/faults';
import { LONG_BODY, rosterCsv, startTestCounty, type TestCounty } from '../../support/harness';
import { type DeskSession, form, signIn, submitKeyOf, tableSnapshot, wantsJson } from './deskSupport';

let county: TestCounty;
let ses: Awaited<ReturnType<typeof startSes>>;
let desk: DeskSession;
const PIECES = 500;
const PAGE = 50;
/** 2026-06-15 10:00 in Asia/Shanghai: the clock runs from there (so the pieces are sent one after another). */
const T0 = new Date('2026-06-15T02:00:00Z').getTime();

const INFORMANTS = ['chen', 'zhang', 'zhou'] as const;
const UNIT_OF = { chen: '县委办公室', zhang: '城关镇党委', zhou: '红旗乡党委' } as const;
const TOPICS = ['乡村振兴', '基层党建', '人才工作', '干部教育', '党员管理'] as const;
type Status = 'waiting' | 'accepted' | 'returned' | 'rejected';

/** What each of the 500 pieces is: who sends it, its kind, its title, and what the desk decides. */
const plan = Array.from({ length: PIECES }, (_, i) => ({
  informant: INFORMANTS[i % 3]!,
  kind: i % 2 === 0 ? ('info' as const) : ('research' as const),
  title: `第${i + 1}篇：${TOPICS[i % 5]}${i % 25 === 7 ? '（AI赋能）' : ''}`,
  status: (i % 10 === 0 ? 'accepted' : i % 10 === 1 ? 'returned' : i % 25 === 2 ? 'rejected' : 'waiting') as Status,
  receipt: '',
}));

const unitId = (informant: (typeof INFORMANTS)[number]) => unitIdOf(config().countyId, UNIT_OF[informant]);

/** Runs `fn` over `items`, `width` at a time. */
async function inPool<T>(items: T[], width: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) await fn(items[next++]!);
    }),
  );
}

interface Row {
  receipt: string;
  title: string;
  status: Status;
  unitId: string;
}
interface Listing {
  total: number;
  pages: number;
  rows: Row[];
}

async function listing(query: Record<string, string>): Promise<Listing> {
  const res = await desk.fetch(`${desk}/pieces?${new URLSearchParams({ month: '2026-06', ...query })}`, wantsJson);
  expect(res.status).toBe(200);
  return (await res.json()) as Listing;
}

/** Every row of a listing, page after page, as the 下一页 link would walk it. */
async function allPages(query: Record<string, string>): Promise<{ first: Listing; rows: Row[] }> {
  const first = await listing(query);
  const rows = [...first.rows];
  for (let page = 2; page <= first.pages; page++) rows.push(...(await listing({ ...query, page: String(page) })).rows);
  return { first, rows };
}

beforeAll(async () => {
  const offset = Date.now() - T0;
  setClock(() => new Date(Date.now() - offset));
  // A stand-in of its own: this file's thousand emails stay out of the mailbox the other files read.
  ses = await startSes({ port: 0 });
  county = await startTestCounty({ sesEndpoint: `http://127.0.0.1:${ses.port}` });
  // The informants first and the editor after their pieces: 500 review requests nobody reads would double the mail.
  const [header, ...people] = rosterCsv(county.domain).split('\n');
  const informants = people.filter((line) => line.endsWith(',信息员'));
  expect((await importRoster([header, ...informants].join('\n'))).ok).toBe(true);
  const keys = Object.fromEntries(
    await Promise.all(INFORMANTS.map(async (n) => [n, await submitKeyOf(county, `${n}@${county.domain}`)] as const)),
  );
  await inPool(plan, 8, async (piece) => {
    const sent = await submitPiece({
      k: keys[piece.informant],
      fields: { kind: piece.kind, title: piece.title, body: `${LONG_BODY}（${piece.title}）` },
    });
    piece.receipt = sent.receipt;
  });
  expect((await importRoster(rosterCsv(county.domain))).ok).toBe(true);
  desk = await signIn(county, `editor@${county.domain}`);
  const decided = plan.filter((p) => p.status !== 'waiting');
  await inPool(decided, 4, async (piece) => {
    const fields: Record<string, string> =
      piece.status === 'accepted'
        ? { decision: 'accept' }
        : piece.status === 'returned'
          ? { decision: 'return', comment: '请补充。' }
          : { decision: 'reject', confirm: '1' };
    const res = await desk.fetch(`${desk}/pieces/${piece.receipt}`, form({ ...fields, revision: '1' }));
    expect(res.status).toBe(200);
  });
  await sweep();
}, 120_000);
afterAll(async () => {
  setClock(undefined);
  await county.close();
  await ses.close();
});

describe('500 pieces of one month, 50 to a page', () => {
  it('come in 10 pages of 50, every receipt exactly once, in the order they were sent', async () => {
    const { first, rows } = await allPages({});

    expect(first.total).toBe(PIECES);
    expect(first.pages).toBe(PIECES / PAGE);
    expect(first.rows).toHaveLength(PAGE);
    expect(rows).toHaveLength(PIECES);
    expect(new Set(rows.map((r) => r.receipt)).size).toBe(PIECES);
    // The order of sending, from the stored events themselves (a Scan here, in the test only).
    const sent = (await tableSnapshot())
      .filter((i) => i.type === 'submitted')
      .sort((a, b) => String(a.at).localeCompare(String(b.at)) || String(a.receipt).localeCompare(String(b.receipt)))
      .map((i) => i.receipt);
    expect(rows.map((r) => r.receipt)).toEqual(sent);
    const byReceipt = new Map(plan.map((p) => [p.receipt, p]));
    for (const row of rows) {
      const piece = byReceipt.get(row.receipt)!;
      expect(row).toEqual({
        receipt: piece.receipt,
        title: piece.title,
        status: piece.status,
        unitId: unitId(piece.informant),
      });
    }
  });

  it('answers a page past the last with no rows, and the page links walk the pages', async () => {
    const past = await listing({ page: '11' });
    expect(past).toMatchObject({ total: PIECES, pages: 10, rows: [] });

    const page = await (await desk.fetch(`${desk}/pieces?month=2026-06&page=3`)).text();
    expect(page).toContain('共 500 篇，第 3 / 10 页。');
    expect(page).toContain('page=2">上一页</a>');
    expect(page).toContain('page=4">下一页</a>');
    expect(page.match(/<tr><td>2026-\d{4}<\/td>/g)).toHaveLength(PAGE);
  });

  it.each([
    ['unit', { unit: 'zhang' }],
    ['kind', { kind: 'research' }],
    ['status accepted', { status: 'accepted' }],
    ['status returned', { status: 'returned' }],
    ['status rejected', { status: 'rejected' }],
    ['status waiting', { status: 'waiting' }],
    ['unit, kind and status together', { unit: 'zhou', kind: 'info', status: 'waiting' }],
  ] as const)('filter by %s to exactly the pieces that match, page by page', async (_what, filter) => {
    const f = filter as { unit?: (typeof INFORMANTS)[number]; kind?: string; status?: Status };
    const expected = plan
      .filter(
        (p) =>
          (!f.unit || p.informant === f.unit) && (!f.kind || p.kind === f.kind) && (!f.status || p.status === f.status),
      )
      .map((p) => p.receipt)
      .sort();
    const query = {
      ...(f.unit ? { unit: unitId(f.unit) } : {}),
      ...(f.kind ? { kind: f.kind } : {}),
      ...(f.status ? { status: f.status } : {}),
    };

    const { first, rows } = await allPages(query);

    expect(first.total).toBe(expected.length);
    expect(first.pages).toBe(Math.max(1, Math.ceil(expected.length / PAGE)));
    expect(rows.map((r) => r.receipt).sort()).toEqual(expected);
  });

  it.each([
    ['a topic', '乡村振兴', (t: string) => t.includes('乡村振兴')],
    ['Latin letters in any case', 'ai赋能', (t: string) => t.includes('AI赋能')],
    ['one exact title', '第123篇：', (t: string) => t.startsWith('第123篇：')],
    ['nothing that exists', '不存在的标题', () => false],
  ] as const)('search titles for %s', async (_what, q, matches) => {
    const expected = plan
      .filter((p) => matches(p.title))
      .map((p) => p.receipt)
      .sort();

    const { first, rows } = await allPages({ q });

    expect(first.total).toBe(expected.length);
    expect(rows.map((r) => r.receipt).sort()).toEqual(expected);
  });

  it('leave the 380 still waiting in the 待审 queue, oldest first', async () => {
    const { waiting } = (await (await desk.fetch(`${desk}`, wantsJson)).json()) as { waiting: { receipt: string }[] };

    const stillWaiting = plan.filter((p) => p.status === 'waiting').map((p) => p.receipt);
    expect(waiting.map((w) => w.receipt).sort()).toEqual(stillWaiting.sort());
    // Oldest first by when each arrived (pieces that arrived in the same millisecond in either order).
    const arrived = new Map(
      (await tableSnapshot()).filter((i) => i.type === 'submitted').map((i) => [i.receipt, String(i.at)]),
    );
    const times = waiting.map((w) => arrived.get(w.receipt)!);
    expect(times).toEqual([...times].sort());
  });

  it('refuses a filter that is no filter with 400', async () => {
    for (const query of ['kind=poem', 'status=lost', 'page=0', 'page=x', 'month=2026-13', 'month=2026-07']) {
      const res = await desk.fetch(`${desk}/pieces?${query}`, wantsJson);
      expect({ query, status: res.status }).toEqual({ query, status: 400 });
    }
  });
});

describe('loading a page of 稿件', () => {
  it.each([
    ['the first page', ''],
    ['the last page', '&page=10'],
    ['a filtered page', '&status=waiting&kind=info'],
    ['a title search', `&q=${encodeURIComponent('党建')}`],
  ])('reads %s by Query and BatchGet only, never a Scan', async (_what, query) => {
    const injector = faults();
    injector.count();

    const res = await desk.fetch(`${desk}/pieces?month=2026-06${query}`);
    expect(res.status).toBe(200);
    await res.text();

    const commands = injector.callsOf('dynamodb').map((c) => c.command);
    injector.disarm();
    expect(commands.length).toBeGreaterThan(0);
    expect(commands).not.toContain('ScanCommand');
    expect(commands.filter((c) => c !== 'QueryCommand' && c !== 'BatchGetItemCommand')).toEqual([]);
    // The month's partition of the report index, not the table.
    const queries = injector.callsOf('dynamodb').filter((c) => c.command === 'QueryCommand');
    expect(queries.every((q) => q.input.IndexName === 'byMonth')).toBe(true);
  });
});
