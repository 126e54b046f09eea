import { strFromU8, unzipSync } from 'fflate';
import { readTable } from '../../../shared/sheets/read';
import { csvOf, type Sheet, safeCell, xlsxOf } from '../../../shared/sheets/write';

const roster: Sheet = {
  name: '名单',
  columns: [
    { header: '单位', width: 24 },
    { header: '姓名', width: 10 },
    { header: '手机', width: 14 },
    { header: '备注', width: 30 },
  ],
  rows: [
    ['城关镇党委', '张三', 13800138000, '=1+1'],
    ['组织部', '李四', null, '+86, "转" 8001\n第二行'],
    ['宣传部', '王五', -5, '@SUM(A1)'],
  ],
};

/** The workbook's parts, by path, as text. */
function partsOf(xlsx: Buffer): Record<string, string> {
  return Object.fromEntries(Object.entries(unzipSync(xlsx)).map(([path, bytes]) => [path, strFromU8(bytes)]));
}

describe('xlsxOf', () => {
  it('writes a workbook that readTable reads back as the headers and the rows, as text', async () => {
    const read = await readTable(await xlsxOf(roster));

    expect(read).toEqual({
      ok: true,
      format: 'xlsx',
      rows: [
        { line: 1, fields: ['单位', '姓名', '手机', '备注'] },
        { line: 2, fields: ['城关镇党委', '张三', '13800138000', '=1+1'] },
        { line: 3, fields: ['组织部', '李四', '', '+86, "转" 8001\n第二行'] },
        { line: 4, fields: ['宣传部', '王五', '-5', '@SUM(A1)'] },
      ],
    });
  });

  it('freezes the header row and sets each column width', async () => {
    const sheet = partsOf(await xlsxOf(roster))['xl/worksheets/sheet1.xml'] ?? '';

    expect(sheet).toMatch(/<pane [^>]*ySplit="1"[^>]*state="frozen"/);
    expect(sheet.match(/<col [^>]*width="[\d.]+"/g)).toHaveLength(4);
    expect(sheet).toMatch(/<col min="1" max="1" width="24"/);
    expect(sheet).toMatch(/<col min="2" max="2" width="10"/);
  });

  it('makes the headers bold and only the headers', async () => {
    const parts = partsOf(await xlsxOf(roster));
    const sheet = parts['xl/worksheets/sheet1.xml'] ?? '';
    const styles = parts['xl/styles.xml'] ?? '';
    // A cell's style (s) is an xf in cellXfs, whose fontId is a font in fonts; a bold font holds <b/>.
    const xfs = [...(styles.match(/<cellXfs[^>]*>(.*?)<\/cellXfs>/)?.[1] ?? '').matchAll(/<xf\b[^>]*>/g)];
    const fonts = [
      ...(styles.match(/<fonts[^>]*>(.*?)<\/fonts>/)?.[1] ?? '').matchAll(/<font>(.*?)<\/font>|<font\/>/g),
    ];
    const bold = (cell: string) => {
      const style = Number(sheet.match(new RegExp(`<c r="${cell}"[^>]* s="(\\d+)"`))?.[1] ?? 0);
      const font = Number(xfs[style]?.[0].match(/fontId="(\d+)"/)?.[1] ?? 0);
      return /<b\/>/.test(fonts[font]?.[0] ?? '');
    };

    expect(['A1', 'B1', 'C1', 'D1'].map(bold)).toEqual([true, true, true, true]);
    expect(['A2', 'B2', 'C2', 'D2'].map(bold)).toEqual([false, false, false, false]);
  });

  it('writes numbers as numbers and keeps text that looks like a formula a string, never a formula', async () => {
    const sheet = partsOf(await xlsxOf(roster))['xl/worksheets/sheet1.xml'] ?? '';

    expect(sheet).not.toContain('<f>');
    expect(sheet).toMatch(/<c r="D2"[^>]* t="s"/);
    expect(sheet).toMatch(/<c r="C2"><v>13800138000<\/v><\/c>/);
    expect(sheet).toMatch(/<c r="C4"><v>-5<\/v><\/c>/);
  });

  it('throws for a number no cell can hold: that is a bug in the caller', async () => {
    await expect(xlsxOf({ ...roster, rows: [[Number.NaN]] })).rejects.toThrow(RangeError);
  });
});

describe('csvOf', () => {
  let csv: Buffer;
  beforeAll(async () => {
    csv = await csvOf(roster);
  });

  it('starts with the UTF-8 BOM Excel looks for and ends every record with CRLF', () => {
    expect([...csv.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = csv.toString('utf8').slice(1);
    expect(text.endsWith('\r\n')).toBe(true);
    expect(text.replace(/"[^"]*"/g, '').split('\r\n')).toHaveLength(5);
    expect(text.replace(/"[^"]*"/g, '')).not.toMatch(/[^\r]\n/);
  });

  it('quotes cells with commas, quotes or line breaks, doubling the quotes, and writes a null as empty', () => {
    const lines = csv.toString('utf8').slice(1).split('\r\n');

    expect(lines[0]).toBe('单位,姓名,手机,备注');
    expect(lines[2]).toBe(`组织部,李四,,"'+86, ""转"" 8001\n第二行"`);
  });

  it("puts a ' before a text cell Excel would take for a formula, and leaves numbers alone", () => {
    const lines = csv.toString('utf8').slice(1).split('\r\n');

    expect(lines[1]).toBe("城关镇党委,张三,13800138000,'=1+1");
    expect(lines[3]).toBe("宣传部,王五,-5,'@SUM(A1)");
  });

  it('reads back with readTable as the same table, the guarded cells with their quote', async () => {
    const read = await readTable(csv);

    expect(read.ok && read.format).toBe('csv-utf8');
    expect(read.ok && read.rows.map((row) => row.fields)).toEqual([
      ['单位', '姓名', '手机', '备注'],
      ['城关镇党委', '张三', '13800138000', "'=1+1"],
      ['组织部', '李四', '', '\'+86, "转" 8001\n第二行'],
      ['宣传部', '王五', '-5', "'@SUM(A1)"],
    ]);
  });
});

describe('safeCell', () => {
  it('guards a cell starting with =, +, -, @, a tab or a CR and nothing else', () => {
    const guarded = ['=HYPERLINK("x")', '+1', '-1', '@cmd', '\tx', '\rx'].map(safeCell);
    const kept = ['张三', '1+1', 'a=b', ' =1', "'already", ''].map(safeCell);

    expect(guarded).toEqual(['\'=HYPERLINK("x")', "'+1", "'-1", "'@cmd", "'\tx", "'\rx"]);
    expect(kept).toEqual(['张三', '1+1', 'a=b', ' =1', "'already", '']);
  });
});
