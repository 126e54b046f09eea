import { strToU8, zipSync } from 'fflate';
import iconv from 'iconv-lite';
import { MAX_XLSX_XML_BYTES, readTable, type TableRead } from '../../../shared/sheets/read';
import { xlsxOf } from '../../../shared/sheets/write';

function rowsOf(read: TableRead) {
  if (!read.ok) throw new Error(`expected rows, got ${read.problem}: ${read.message}`);
  return read.rows;
}

function problemOf(read: TableRead) {
  if (read.ok) throw new Error(`expected a problem, got rows: ${JSON.stringify(read.rows)}`);
  return read;
}

const RELS = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
const MAIN = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';

/**
 * A workbook zipped by hand the way WPS writes one, not by our writer: shared strings (one in rich-text runs), an
 * inline string, a cached formula result, a number in exponent form (and text that only looks like one), a date by
 * its style, the header on row 3 from column B, and a second sheet that must not be read.
 */
function wpsWorkbook(): Buffer {
  const files: Record<string, string> = {
    '[Content_Types].xml':
      '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>',
    '_rels/.rels': `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="${RELS}/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
    'xl/workbook.xml': `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook xmlns="${MAIN}" xmlns:r="${RELS}"><sheets><sheet name="名单" sheetId="1" r:id="rId1"/><sheet name="说明" sheetId="2" r:id="rId2"/></sheets></workbook>`,
    'xl/_rels/workbook.xml.rels': `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="${RELS}/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="${RELS}/worksheet" Target="worksheets/sheet2.xml"/><Relationship Id="rId3" Type="${RELS}/sharedStrings" Target="sharedStrings.xml"/><Relationship Id="rId4" Type="${RELS}/styles" Target="styles.xml"/></Relationships>`,
    'xl/styles.xml': `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><styleSheet xmlns="${MAIN}"><cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/><xf numFmtId="14" fontId="0" fillId="0" borderId="0" applyNumberFormat="1"/></cellXfs></styleSheet>`,
    'xl/sharedStrings.xml': `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst xmlns="${MAIN}" count="4" uniqueCount="4"><si><t>姓名</t></si><si><t>邮箱</t></si><si><r><t>张</t></r><r><rPr><b/></rPr><t xml:space="preserve">三 </t></r></si><si><t>入职日期</t></si></sst>`,
    'xl/worksheets/sheet1.xml': `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="${MAIN}"><dimension ref="B3:G6"/><sheetData><row r="3"><c r="B3" t="s"><v>0</v></c><c r="C3" t="s"><v>1</v></c><c r="D3" t="inlineStr"><is><t>手机</t></is></c><c r="E3" t="s"><v>3</v></c><c r="F3" t="inlineStr"><is><t>合计</t></is></c><c r="G3" t="inlineStr"><is><t>编号</t></is></c></row><row r="5"><c r="B5" t="inlineStr"><is><t>  </t></is></c></row><row r="6"><c r="B6" t="s"><v>2</v></c><c r="C6" t="str"><f>LOWER("A@X.CN")</f><v>a@x.cn</v></c><c r="D6"><v>1.3800138E10</v></c><c r="E6" s="1"><v>45688</v></c><c r="F6"><f>1+1</f><v>2</v></c><c r="G6" t="inlineStr"><is><t>1E5</t></is></c></row></sheetData></worksheet>`,
    'xl/worksheets/sheet2.xml': `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="${MAIN}"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>不要读这一页</t></is></c></row></sheetData></worksheet>`,
  };
  return Buffer.from(zipSync(Object.fromEntries(Object.entries(files).map(([path, xml]) => [path, strToU8(xml)]))));
}

describe('readTable on an .xlsx', () => {
  it('reads the first sheet our writer made as trimmed text, a phone stored as a number as its digits', async () => {
    const xlsx = await xlsxOf({
      name: '名单',
      columns: [
        { header: '姓名', width: 10 },
        { header: '手机', width: 14 },
        { header: '分数', width: 6 },
      ],
      rows: [
        [' 张三 ', 13800138000, 0.5],
        [null, null, null],
        ['李四', null, -2],
      ],
    });

    const read = await readTable(xlsx);

    expect(read).toEqual({
      ok: true,
      format: 'xlsx',
      rows: [
        { line: 1, fields: ['姓名', '手机', '分数'] },
        { line: 2, fields: ['张三', '13800138000', '0.5'] },
        { line: 4, fields: ['李四', '', '-2'] },
      ],
    });
  });

  it('reads a workbook as WPS zips it, with the line numbers of the sheet and the second sheet left alone', async () => {
    const rows = rowsOf(await readTable(wpsWorkbook()));

    expect(rows).toEqual([
      { line: 3, fields: ['', '姓名', '邮箱', '手机', '入职日期', '合计', '编号'] },
      { line: 6, fields: ['', '张三', 'a@x.cn', '13800138000', '2025-01-31', '2', '1E5'] },
    ]);
  });

  it('says a sheet with no filled row is empty', async () => {
    const xlsx = await xlsxOf({ name: 'Sheet1', columns: [{ header: ' ', width: 8 }], rows: [[null], ['  ']] });

    expect(problemOf(await readTable(xlsx))).toMatchObject({
      problem: 'blank',
      message: expect.stringMatching(/^表格是空的/),
    });
  });

  it('says a zip that is no workbook (a .docx) is not an Excel file and how to save it', async () => {
    const docx = Buffer.from(
      zipSync({ '[Content_Types].xml': strToU8('<Types/>'), 'word/document.xml': strToU8('<w:document/>') }),
    );

    const read = problemOf(await readTable(docx));

    expect(read.problem).toBe('not-xlsx');
    expect(read.message).toMatch(/^不是 Excel 表格文件.*请另存为 \.xlsx 或 CSV/);
  });

  it('says a cut-off zip is a damaged Excel file', async () => {
    const cut = (await xlsxOf({ name: 'a', columns: [{ header: 'a', width: 5 }], rows: [] })).subarray(0, 100);

    expect(problemOf(await readTable(cut)).problem).toBe('damaged');
  });

  it('refuses a workbook that would unzip to more than the limit, before unzipping it', async () => {
    const sheet = `<worksheet xmlns="${MAIN}"><sheetData>${' '.repeat(MAX_XLSX_XML_BYTES)}</sheetData></worksheet>`;
    const bomb = Buffer.from(
      zipSync({ 'xl/workbook.xml': strToU8('<workbook/>'), 'xl/worksheets/sheet1.xml': strToU8(sheet) }),
    );

    const read = problemOf(await readTable(bomb));

    expect(bomb.length).toBeLessThan(1024 * 1024);
    expect(read.problem).toBe('too-big');
    expect(read.message).toMatch(/^表格太大/);
  });
});

describe('readTable on a CSV', () => {
  it('reads a UTF-8 CSV with a BOM, the BOM not part of the first header', async () => {
    const read = await readTable(Buffer.from('\uFEFF姓名,邮箱\r\n张三,a@x.cn\r\n'));

    expect(read).toEqual({
      ok: true,
      format: 'csv-utf8',
      rows: [
        { line: 1, fields: ['姓名', '邮箱'] },
        { line: 2, fields: ['张三', 'a@x.cn'] },
      ],
    });
  });

  it('reads the GBK bytes Chinese Excel writes for "CSV"', async () => {
    const gbk = iconv.encode('单位,姓名,手机\r\n城关镇党委,欧阳小明,13800138000\r\n', 'gbk');

    const read = await readTable(gbk);

    expect(read).toEqual({
      ok: true,
      format: 'csv-gb18030',
      rows: [
        { line: 1, fields: ['单位', '姓名', '手机'] },
        { line: 2, fields: ['城关镇党委', '欧阳小明', '13800138000'] },
      ],
    });
  });

  it('keeps quoted commas, quotes and line breaks (as LF), and gives each record the line it starts on', async () => {
    const csv = 'a,b\r\n"x, ""y""\r\nz", c \r\n,,\r\n\r\n"p\nq",r\nlast';

    const rows = rowsOf(await readTable(Buffer.from(csv)));

    expect(rows).toEqual([
      { line: 1, fields: ['a', 'b'] },
      { line: 2, fields: ['x, "y"\nz', 'c'] },
      { line: 6, fields: ['p\nq', 'r'] },
      { line: 8, fields: ['last'] },
    ]);
  });

  it('keeps rows of any length', async () => {
    const rows = rowsOf(await readTable(Buffer.from('a,b,c\nd\ne,f,g,h\n')));

    expect(rows.map((row) => row.fields.length)).toEqual([3, 1, 4]);
  });

  it('names the line where an unclosed quote starts', async () => {
    const read = problemOf(await readTable(Buffer.from('姓名,邮箱\na,a@x.cn\n"b,b@x.cn\nc,c@x.cn\n')));

    expect(read).toEqual({
      ok: false,
      problem: 'csv-syntax',
      line: 3,
      message: '第 3 行：引号没有闭合（从这一行开始的引号一直到文件末尾）',
    });
  });

  it('names the line of text after a closing quote', async () => {
    const read = problemOf(await readTable(Buffer.from('a\n"b\nc"d,e\n')));

    expect(read).toMatchObject({ problem: 'csv-syntax', line: 2, message: expect.stringMatching(/^第 2 行：引号/) });
  });

  it('says a file of commas and blank lines is an empty table', async () => {
    expect(problemOf(await readTable(Buffer.from(',,\r\n\r\n , \r\n'))).problem).toBe('blank');
  });
});

describe('readTable on what is not a table', () => {
  it('says an empty file is empty, whitespace or a BOM alone included', async () => {
    for (const bytes of [Buffer.alloc(0), Buffer.from(' \r\n\t'), Buffer.from('\uFEFF')]) {
      expect(problemOf(await readTable(bytes))).toMatchObject({
        problem: 'empty',
        message: expect.stringMatching(/^文件是空的/),
      });
    }
  });

  it('tells an old .xls to be saved as an Excel workbook or a CSV', async () => {
    const xls = Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0, 0, 0]);

    const read = problemOf(await readTable(xls));

    expect(read.problem).toBe('old-excel');
    expect(read.message).toContain('.xls');
    expect(read.message).toContain('另存为「Excel 工作簿 (.xlsx)」或「CSV UTF-8（逗号分隔）」');
  });

  it('says a PNG, a PDF or other binary bytes are not a table', async () => {
    const png = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');
    const pdf = Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\n', 'latin1');
    const noise = Buffer.from(Array.from({ length: 400 }, (_, i) => (i * 37 + 11) % 255 || 1));

    for (const bytes of [png, pdf, noise]) {
      expect(problemOf(await readTable(bytes))).toMatchObject({
        problem: 'binary',
        message: expect.stringMatching(/^不是表格文件/),
      });
    }
  });

  it('names Excel\'s "Unicode text" (UTF-16) and says how to save instead', async () => {
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('姓名\t邮箱\r\n', 'utf16le')]);

    expect(problemOf(await readTable(utf16)).message).toMatch(/^这是「Unicode 文本」格式的文件.*CSV UTF-8/);
  });

  it('throws only for a caller that passes something other than a Buffer', async () => {
    await expect(readTable('a,b' as unknown as Buffer)).rejects.toThrow(TypeError);
  });
});
