// The desk's 数据 as downloads, over real HTTP: with a fixed clock, pieces are sent in May and June from several
// units and decided from the desk; the .xlsx and the CSV of each month must say exactly what a recount of what was
// done says (kept here, not read through shared/reports/figures.ts), keep their Chinese, freeze the header row, and
// never turn a unit's name into a formula.
import { unzipSync } from 'fflate';
import { handler as sweep } from '../../../functions/sweeper';
import { setClock } from '../../../shared/core/clock';
import { importRoster } from '../../../shared/roster/importRoster';
import { readTable } from '../../../shared/sheets/read';
import { LONG_BODY, linkIn, startTestCounty, type TestCounty } from '../../support/harness';
import { type DeskSession, form, jsonPost, signIn, submitKeyOf, submitOver } from './deskSupport';

let county: TestCounty;
let desk: DeskSession;
let leaderDesk: DeskSession;
/** 2026-05-20 and 2026-06-15, 10:00 in Asia/Shanghai. */
const MAY = new Date('2026-05-20T02:00:00Z');
/** 23:30 on 31 May and 00:30 on 1 June in Asia/Shanghai: still May in UTC, both of them. */
const MAY_LAST = new Date('2026-05-31T15:30:00Z');
const JUNE_FIRST = new Date('2026-05-31T16:30:00Z');
const sentInMay: string[] = [];
let returnedInMay = '';
const JUNE = new Date('2026-06-15T02:00:00Z');
const INJECTION = '=HYPERLINK("http://x")';

const UNITS = {
  office: '县委办公室',
  town: '城关镇党委',
  village: '红旗乡党委',
  evil: INJECTION,
  desk: '县委组织部信息科',
  leaders: '县委组织部',
} as const;
type Unit = keyof typeof UNITS;
const INFORMANTS = { chen: 'office', zhang: 'town', zhou: 'village', evil: 'evil' } as const satisfies Record<
  string,
  Unit
>;
type Informant = keyof typeof INFORMANTS;
type Kind = 'info' | 'research';
const keys = {} as Record<Informant, string>;

/** What the test did, as the figures should count it: a piece in the month it was first sent, an acceptance in its own. */
const ledger: { what: 'sent' | 'accepted'; unit: Unit; kind: Kind; month: string }[] = [];
/** The month in Asia/Shanghai (UTC+8, no daylight saving), worked out here rather than by the code under test. */
const monthOfClock = (d: Date) => new Date(d.getTime() + 8 * 3600_000).toISOString().slice(0, 7);

const address = (name: string) => `${name}@${county.domain}`;
const url = (path: string) => `${county.baseUrl}${path}`;
/** The subject of the sign-in link the front page's 获取链接 sends an editor or a leader. */
const DESK_REQUESTED = /^您的信息科工作台登录链接$/;

/** Signs in weeks after the welcome (its link expired): a fresh link asked for on the front page, then its button. */
async function signInAfresh(name: string): Promise<DeskSession> {
  expect((await fetch(url('/link'), form({ email: address(name) }))).status).toBe(200);
  await sweep();
  return signIn(county, address(name), DESK_REQUESTED);
}

async function send(informant: Informant, title: string, kind: Kind, at: Date): Promise<string> {
  const receipt = await submitOver(county, keys[informant], title, { kind });
  ledger.push({ what: 'sent', unit: INFORMANTS[informant], kind, month: monthOfClock(at) });
  return receipt;
}

async function decide(receipt: string, fields: Record<string, string>): Promise<void> {
  const res = await desk.fetch(`${desk}/pieces/${receipt}`, form(fields));
  expect(res.status).toBe(200);
}

async function accept(receipt: string, unit: Unit, kind: Kind, at: Date, revision = 1): Promise<void> {
  await decide(receipt, { decision: 'accept', revision: String(revision) });
  ledger.push({ what: 'accepted', unit, kind, month: monthOfClock(at) });
}

beforeAll(async () => {
  setClock(MAY);
  county = await startTestCounty();
  const d = county.domain;
  const imported = await importRoster(
    [
      '单位,姓名,邮箱,手机,角色',
      `${UNITS.office},陈晓明,chen@${d},,信息员`,
      `${UNITS.town},张伟,zhang@${d},,信息员`,
      `${UNITS.village},周强,zhou@${d},,信息员`,
      `"${INJECTION.replace(/"/g, '""')}",钱某,evil@${d},,信息员`,
      `${UNITS.desk},王编辑,editor@${d},,编辑`,
      `${UNITS.leaders},赵部长,leader@${d},,领导`,
    ].join('\n'),
  );
  expect(imported.ok).toBe(true);
  for (const name of Object.keys(INFORMANTS) as Informant[]) keys[name] = await submitKeyOf(county, address(name));
  desk = await signIn(county, address('editor'));

  // May: the office sends three, the town one (returned), the village one; one accepted, one rejected.
  const a1 = await send('chen', '五月信息一', 'info', MAY);
  const a2 = await send('chen', '五月信息二', 'info', MAY);
  const a3 = await send('chen', '五月调研', 'research', MAY);
  const b1 = await send('zhang', '五月城关镇信息', 'info', MAY);
  sentInMay.push(await send('zhou', '五月红旗乡信息', 'info', MAY));
  await accept(a1, 'office', 'info', MAY);
  await decide(a2, { decision: 'reject', confirm: '1', revision: '1' });
  await decide(b1, { decision: 'return', comment: '请补充数据。', revision: '1' });
  returnedInMay = b1;
  // Either side of midnight in Shanghai: the last minutes of May, the first of June.
  setClock(MAY_LAST);
  const lateMay = await send('evil', '五月最后半小时的稿件', 'info', MAY_LAST);
  setClock(JUNE_FIRST);
  await send('zhang', '六月第一个半小时的稿件', 'info', JUNE_FIRST);
  sentInMay.push(a1, a2, a3, b1, lateMay);

  // June: new pieces from three units (none from the village); May's research and the town's revision accepted.
  // Weeks after May's sign-in, the editor and the leader sign in again.
  setClock(JUNE);
  desk = await signInAfresh('editor');
  leaderDesk = await signInAfresh('leader');
  await send('chen', '六月信息', 'info', JUNE);
  const b2 = await send('zhang', '六月城关镇信息', 'info', JUNE);
  await send('zhang', '六月城关镇调研', 'research', JUNE);
  await send('evil', '六月调研（注入单位）', 'research', JUNE);
  const [returned] = await county.waitForMails(address('zhang'), 1, /^您的稿件需要修改/);
  const revised = await fetch(
    linkIn(returned, '/revise/'),
    jsonPost({ kind: 'info', title: '五月城关镇信息（修改稿）', body: `${LONG_BODY}补充了数据。` }),
  );
  expect(revised.status).toBeLessThan(300);
  await accept(a3, 'office', 'research', JUNE);
  await accept(b1, 'town', 'info', JUNE, 2);
  await accept(b2, 'town', 'info', JUNE);
  await sweep();
});
afterAll(async () => {
  setClock(undefined);
  await county.close();
});

const HEADERS = [
  '单位',
  '本月报送',
  '本月报送：信息',
  '本月报送：调研文稿',
  '本月采用',
  '本月采用：信息',
  '本月采用：调研文稿',
  '本年报送',
  '本年报送：信息',
  '本年报送：调研文稿',
  '本年采用',
  '本年采用：信息',
  '本年采用：调研文稿',
  '本月未报送',
  '本月上级采用',
  '本月积分',
  '本年上级采用',
  '本年积分',
];

/** The six counts of `unit` (all units when undefined) over `months`: sent, by kind; accepted, by kind. */
function recount(unit: Unit | undefined, months: (m: string) => boolean): number[] {
  const of = (what: 'sent' | 'accepted', kind?: Kind) =>
    ledger.filter((e) => e.what === what && (!unit || e.unit === unit) && months(e.month) && (!kind || e.kind === kind))
      .length;
  return [
    of('sent'),
    of('sent', 'info'),
    of('sent', 'research'),
    of('accepted'),
    of('accepted', 'info'),
    of('accepted', 'research'),
  ];
}

/** Each unit's row as the recount says it, by unit name: this month's six counts, then the year's. */
/** The units with informants: the 信息科 and the leaders' unit send no pieces, and the figures leave them out. */
const REPORTING = [...new Set(Object.values(INFORMANTS))] as Unit[];

function expectedRows(month: string): Map<string, string[]> {
  const rows = new Map<string, string[]>();
  for (const unit of REPORTING) {
    const counts = [...recount(unit, (m) => m === month), ...recount(unit, (m) => m <= month)];
    rows.set(UNITS[unit], counts.map(String));
  }
  return rows;
}

async function download(format: 'xlsx' | 'csv', month: string, from = desk): Promise<Buffer> {
  const res = await from.fetch(`${from}/figures/download?month=${month}&format=${format}`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(format === 'xlsx' ? /spreadsheetml/ : /^text\/csv/);
  expect(res.headers.get('content-disposition')).toMatch(/^attachment;/);
  return Buffer.from(await res.arrayBuffer());
}

/** A downloaded table as rows of text, the header first (read as an upload would be read). */
async function rowsOf(bytes: Buffer): Promise<string[][]> {
  const table = await readTable(bytes);
  if (!table.ok) throw new Error(table.message);
  return table.rows.map((r) => [...r.fields, ...Array(HEADERS.length - r.fields.length).fill('')]);
}

describe.each(['2026-05', '2026-06'])('the figures of %s', (month) => {
  it.each(['xlsx', 'csv'] as const)(
    'download as %s with every unit row equal to a recount of what was done',
    async (format) => {
      const [header, ...rows] = await rowsOf(await download(format, month));

      expect(header).toEqual(HEADERS);
      const byUnit = new Map(rows.map((r) => [format === 'csv' ? r[0]!.replace(/^'(?==)/, '') : r[0]!, r]));
      for (const [name, counts] of expectedRows(month)) {
        expect({ name, counts: byUnit.get(name)?.slice(1, 13) }).toEqual({ name, counts });
        // No adoption upstream here: the points are the acceptances' (《组工专报》 1, a research paper twice that).
        const [, , , , info, research] = counts.slice(6).map(Number) as number[];
        expect({ name, year: byUnit.get(name)?.slice(16, 18) }).toEqual({
          name,
          year: ['0', String(info! + 2 * research!)],
        });
      }
      const total = [...recount(undefined, (m) => m === month), ...recount(undefined, (m) => m <= month)].map(String);
      expect(byUnit.get('合计')?.slice(1, 13)).toEqual(total);
      expect(rows).toHaveLength(REPORTING.length + 1);
    },
  );
});

describe('the June download', () => {
  it('marks the unit that sent nothing this month, and not the ones that did', async () => {
    const rows = await rowsOf(await download('xlsx', '2026-06'));
    const silent = (name: string) => rows.find((r) => r[0] === name)?.[13];

    expect(silent(UNITS.village)).toBe('是');
    // Units without informants (the 信息科, the leaders' unit) are expected to send nothing: neither rows nor silent.
    for (const none of [UNITS.desk, UNITS.leaders]) expect(rows.find((r) => r[0] === none)).toBeUndefined();
    for (const busy of [UNITS.office, UNITS.town, INJECTION])
      expect({ busy, silent: silent(busy) }).toEqual({ busy, silent: '' });
  });

  it('freezes the header row of the workbook and keeps its Chinese', async () => {
    const files = unzipSync(new Uint8Array(await download('xlsx', '2026-06')));
    const sheetName = Object.keys(files).find((n) => /^xl\/worksheets\/[^/]+\.xml$/.test(n))!;
    const sheet = Buffer.from(files[sheetName]!).toString('utf8');

    expect(sheet).toMatch(/<pane [^>]*ySplit="1"[^>]*state="frozen"/);
    const text = Object.values(files)
      .map((f) => Buffer.from(f).toString('utf8'))
      .join('');
    for (const header of HEADERS) expect(text).toContain(header);
    expect(text).toContain('红旗乡党委');
  });

  it('starts the CSV with the UTF-8 BOM, and its numbers are the workbook’s', async () => {
    const csv = await download('csv', '2026-06');

    expect([...csv.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(csv.toString('utf8')).toContain('\r\n');
    const fromCsv = await rowsOf(csv);
    const fromXlsx = await rowsOf(await download('xlsx', '2026-06'));
    expect(fromCsv.map((r) => [r[0]!.replace(/^'(?==)/, ''), ...r.slice(1)])).toEqual(fromXlsx);
  });

  it('is the same for the leader', async () => {
    expect(await rowsOf(await download('csv', '2026-06', leaderDesk))).toEqual(
      await rowsOf(await download('csv', '2026-06')),
    );
  });
});

describe('a unit named as a spreadsheet formula', () => {
  it('is a text cell in the workbook: no formula anywhere in it', async () => {
    const files = unzipSync(new Uint8Array(await download('xlsx', '2026-06')));
    const xml = Object.entries(files)
      .filter(([name]) => name.endsWith('.xml'))
      .map(([, bytes]) => Buffer.from(bytes).toString('utf8'))
      .join('\n');

    expect(xml).not.toMatch(/<f[\s>/]/);
    // A shared string (text), whichever way the quotes are written.
    expect(xml).toMatch(/<t>=HYPERLINK\((&quot;|")http:\/\/x(&quot;|")\)<\/t>/);
    const rows = await rowsOf(await download('xlsx', '2026-06'));
    expect(rows.map((r) => r[0])).toContain(INJECTION);
  });

  it("is prefixed with ' in the CSV, so Excel shows it as text", async () => {
    const csv = (await download('csv', '2026-06')).toString('utf8');

    expect(csv).toContain(`"'=HYPERLINK(""http://x"")"`);
    expect(csv).not.toMatch(/(^|[\r\n,])"?=HYPERLINK/);
    const rows = await rowsOf(Buffer.from(csv, 'utf8'));
    expect(rows.map((r) => r[0])).toContain(`'${INJECTION}`);
  });

  it('shows as the text it is on the figures page', async () => {
    const page = await (await desk.fetch(`${desk}/figures?month=2026-06`)).text();

    expect(page).toContain('<td>=HYPERLINK(&quot;http://x&quot;)</td>');
  });
});

describe('the 稿件 of May', () => {
  it('list the pieces first sent in May (Shanghai time), with what became of them in June', async () => {
    const res = await desk.fetch(`${desk}/pieces?month=2026-05`, { headers: { accept: 'application/json' } });

    const { rows } = (await res.json()) as { rows: { receipt: string; title: string; status: string }[] };
    expect(rows.map((r) => r.receipt).sort()).toEqual([...sentInMay].sort());
    expect(rows.find((r) => r.receipt === returnedInMay)).toMatchObject({
      status: 'accepted',
      title: '五月城关镇信息（修改稿）',
    });
  });
});

describe('asking for figures the desk cannot give', () => {
  it.each([
    ['a month after this one', '2026-07&format=xlsx', '月份格式应为 2026-11，且不能晚于本月。'],
    ['a month that is no month', '2026-13', '月份格式应为 2026-11，且不能晚于本月。'],
    ['a format it does not make', '2026-06&format=pdf', '下载格式只能是 xlsx 或 csv。'],
  ])('answers %s with 400 and says why', async (_what, query, message) => {
    const res = await desk.fetch(`${desk}/figures/download?month=${query}`);

    expect(res.status).toBe(400);
    expect(await res.text()).toContain(message);
  });
});
