import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import iconv from 'iconv-lite';
import { parseRosterFile, type RosterParseResult } from '../../../shared/roster/csv';
import { xlsxOf } from '../../../shared/sheets/write';

function rowsOf(result: RosterParseResult) {
  if (!result.ok) throw new Error(`expected rows, got errors: ${JSON.stringify(result.errors)}`);
  return result.rows;
}

function errorsOf(result: RosterParseResult) {
  if (result.ok) throw new Error(`expected errors, got rows: ${JSON.stringify(result.rows)}`);
  return result.errors;
}

/** Quote a value the way Excel does when it contains a comma, a quote or a newline. */
function quote(value: string): string {
  return `"${value.replace(/"/g, '""')}"`;
}

describe('parseRosterFile', () => {
  it('reads an Excel UTF-8 export with a BOM, Chinese headers and CRLF', async () => {
    const bytes = readFileSync(join(__dirname, '../../fixtures/roster-chinese-bom.csv'));

    const rows = rowsOf(await parseRosterFile(bytes));

    expect(rows).toEqual([
      {
        line: 2,
        unitName: '城关镇党委',
        unitKind: 'township',
        name: '张三',
        email: 'zhang.san@example.cn',
        phone: '13800138000',
        role: 'informant',
      },
      {
        line: 3,
        unitName: '县乡村振兴局',
        unitKind: 'department',
        name: '李四',
        email: 'lisi@example.cn',
        phone: '0571-88886666',
        role: 'informant',
      },
      { line: 4, name: '王五', email: 'wangwu@example.cn', role: 'leader' },
    ]);
  });

  it('reads English headers in any order and any case, with CRLF line ends', async () => {
    const csv = 'Email,ROLE,Name,Unit_Kind,Unit,Mobile\r\nA@B.CN,Editor,Ann,Department,组织部,+86 139-1234-5678\r\n';

    const rows = rowsOf(await parseRosterFile(csv));

    expect(rows).toEqual([
      {
        line: 2,
        unitName: '组织部',
        unitKind: 'department',
        name: 'Ann',
        email: 'a@b.cn',
        phone: '13912345678',
        role: 'editor',
      },
    ]);
  });

  it('keeps commas and quotes inside quoted fields and numbers lines after a multi-line field correctly', async () => {
    const csv = [
      '姓名,邮箱,单位,备注',
      `${quote('欧阳, "小明"')},a@x.cn,宣传部,${quote('第一行\n第二行\n第三行')}`,
      '',
      '钱七,bad-email,宣传部,',
    ].join('\n');

    const errors = errorsOf(await parseRosterFile(csv));
    expect(errors).toEqual([{ line: 6, message: '第 6 行：邮箱格式不正确（bad-email）' }]);

    const fixed = rowsOf(await parseRosterFile(csv.replace('bad-email', 'q@x.cn')));
    expect(fixed.map((r) => [r.line, r.name])).toEqual([
      [2, '欧阳, "小明"'],
      [6, '钱七'],
    ]);
  });

  it('ignores extra columns and blank or comma-only lines', async () => {
    const csv = '序号,邮箱,备注,姓名,单位\n\n1,a@x.cn,无,赵六,统战部\n,,,,\n\n2,b@x.cn,,孙八,统战部\n';

    const rows = rowsOf(await parseRosterFile(csv));

    expect(rows.map((r) => [r.line, r.name, r.unitName])).toEqual([
      [3, '赵六', '统战部'],
      [6, '孙八', '统战部'],
    ]);
  });

  it('reports every bad row with its line number in one result', async () => {
    const csv = [
      '单位,单位类型,姓名,邮箱,手机,角色',
      '城关镇,,好人,ok@x.cn,,',
      ',,无单位,a1@x.cn,,信息员',
      '组织部,,,a2@x.cn,,',
      '组织部,,名字,abc,,',
      '组织部,,名字,a3@x.cn,12345,',
      '组织部,,名字,a4@x.cn,,主任',
      '组织部,机关,名字,a5@x.cn,,',
      `组织部,,${'长'.repeat(51)},a6@x.cn,,`,
      `组织部,,${quote('两\n行')},a7@x.cn,,`,
      '组织部,,带\u0007铃,a8@x.cn,,',
      '组织部,,名字,OK@x.cn,,',
      '城关镇,部门,名字,a9@x.cn,,',
      '城关镇,乡镇,名字,a10@x.cn,,',
    ].join('\n');

    const errors = errorsOf(await parseRosterFile(csv));

    expect(errors).toEqual([
      { line: 3, message: '第 3 行：信息员必须填写单位' },
      { line: 4, message: '第 4 行：姓名不能为空' },
      { line: 5, message: '第 5 行：邮箱格式不正确（abc）' },
      { line: 6, message: '第 6 行：手机号码格式不正确（12345）' },
      { line: 7, message: '第 7 行：角色无法识别（主任），应为 信息员、编辑 或 领导' },
      { line: 8, message: '第 8 行：单位类型无法识别（机关），应为 部门 或 乡镇' },
      { line: 9, message: '第 9 行：姓名超过 50 个字' },
      { line: 10, message: '第 10 行：姓名不能换行（两 行）' },
      { line: 12, message: '第 12 行：姓名含有控制字符' },
      { line: 13, message: '第 13 行：邮箱 ok@x.cn 与第 2 行重复' },
      { line: 15, message: '第 15 行：单位「城关镇」的类型（乡镇）与第 14 行（部门）不一致' },
    ]);
  });

  it('reads the GBK bytes of an old Excel "CSV" export, Chinese headers and all', async () => {
    // "单位,姓名,邮箱" in GBK, then an ASCII row.
    const handMade = Buffer.concat([
      Buffer.from([0xb5, 0xa5, 0xce, 0xbb, 0x2c, 0xd0, 0xd5, 0xc3, 0xfb, 0x2c, 0xd3, 0xca, 0xcf, 0xe4, 0x0a]),
      Buffer.from('x,y,a@b.cn\n'),
    ]);
    const encoded = iconv.encode(
      '单位,单位类型,姓名,邮箱,手机,角色\r\n城关镇党委,乡镇,张三,z@x.cn,13800138000,信息员\r\n',
      'gbk',
    );

    expect(rowsOf(await parseRosterFile(handMade))).toEqual([
      { line: 2, unitName: 'x', unitKind: 'department', name: 'y', email: 'a@b.cn', role: 'informant' },
    ]);
    expect(rowsOf(await parseRosterFile(encoded))).toEqual([
      {
        line: 2,
        unitName: '城关镇党委',
        unitKind: 'township',
        name: '张三',
        email: 'z@x.cn',
        phone: '13800138000',
        role: 'informant',
      },
    ]);
  });

  it('says the encoding is wrong when the header is mojibake, on the header line', async () => {
    const csv = '单位,姓名,邮箱\n组织部,张三,a@x.cn\n';
    const gbkReadAsLatin1 = Buffer.from(iconv.encode(csv, 'gbk').toString('latin1'), 'utf8');
    const gbkReadAsUtf8 = Buffer.from(iconv.encode(csv, 'gbk').toString('utf8'), 'utf8');
    const utf8OpenedInChineseExcel = iconv.encode(new TextDecoder('gb18030').decode(Buffer.from(csv)), 'gbk');
    const replacementCharsReadAsGbk = Buffer.from(`\n\n${'锟斤拷,'.repeat(3)}\n组织部,张三,a@x.cn\n`);
    const message =
      '表头无法识别，可能是文件编码有误（乱码）：请在 Excel 中另存为「Excel 工作簿 (.xlsx)」或「CSV UTF-8（逗号分隔）」后重新上传。';

    for (const file of [gbkReadAsLatin1, gbkReadAsUtf8, utf8OpenedInChineseExcel]) {
      expect(errorsOf(await parseRosterFile(file))).toEqual([{ line: 1, message: `第 1 行：${message}` }]);
    }
    expect(errorsOf(await parseRosterFile(replacementCharsReadAsGbk))).toEqual([
      { line: 3, message: `第 3 行：${message}` },
    ]);
  });

  it('reads the first sheet of an .xlsx below a title row, with line numbers true to the sheet', async () => {
    const xlsx = await xlsxOf({
      name: '名单',
      columns: [{ header: '2025 年信息员名单', width: 20 }],
      rows: [
        ['单位', '姓名', '邮箱', '手机'],
        [null, null, null, null],
        ['组织部', '张三', 'z@x.cn', 13800138000],
        ['组织部', '李四', 'bad', null],
      ],
    });

    expect(errorsOf(await parseRosterFile(xlsx))).toEqual([{ line: 5, message: '第 5 行：邮箱格式不正确（bad）' }]);
  });

  it('passes on what is wrong with a file that is not a table, for the file as a whole', async () => {
    const errors = errorsOf(await parseRosterFile(Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])));

    expect(errors).toHaveLength(1);
    expect(errors[0]?.line).toBe(0);
    expect(errors[0]?.message).toContain('「Excel 工作簿 (.xlsx)」');
  });

  it('refuses an address SES would refuse: a Chinese local part, with the reason, on its line', async () => {
    const csv = '姓名,邮箱,单位\n张伟,张伟@example.cn,组织部\n李四,li@example.cn,组织部\n';

    expect(errorsOf(await parseRosterFile(csv))).toEqual([
      {
        line: 2,
        message:
          '第 2 行：邮箱 @ 前面的部分只能用英文字母、数字和 . _ - + 等符号，邮件系统不接受汉字（张伟@example.cn）',
      },
    ]);
  });

  it('keeps an internationalized domain as SES takes it: in punycode', async () => {
    const parsed = await parseRosterFile('姓名,邮箱,单位\n王五,wang@例子.中国,组织部\n');

    expect(parsed.ok && parsed.rows[0]?.email).toBe('wang@xn--fsqu00a.xn--fiqs8s');
  });

  it('reports a duplicate email on the later line, ignoring case', async () => {
    const csv = '姓名,邮箱,单位\n甲,Same@X.cn,组织部\n乙,other@x.cn,组织部\n丙, same@x.CN ,宣传部\n';

    expect(errorsOf(await parseRosterFile(csv))).toEqual([
      { line: 4, message: '第 4 行：邮箱 same@x.cn 与第 2 行重复' },
    ]);
  });

  it('infers the unit kind from the unit name when the sheet does not say', async () => {
    const csv = [
      '单位,姓名,邮箱',
      '城关镇党委,a,a@x.cn',
      '桃源乡,b,b@x.cn',
      '东城街道,c,c@x.cn',
      '乡村振兴局,d,d@x.cn',
      '县委组织部,e,e@x.cn',
    ].join('\n');

    const kinds = rowsOf(await parseRosterFile(csv)).map((r) => [r.unitName, r.unitKind]);

    expect(kinds).toEqual([
      ['城关镇党委', 'township'],
      ['桃源乡', 'township'],
      ['东城街道', 'township'],
      ['乡村振兴局', 'department'],
      ['县委组织部', 'department'],
    ]);
  });

  it('gives a unit the kind typed on any of its rows, and maps 街道 to township', async () => {
    const csv = '单位,单位类型,姓名,邮箱\n新区管委会,,a,a@x.cn\n新区管委会,街道,b,b@x.cn\n城关镇,部门,c,c@x.cn\n';

    const kinds = rowsOf(await parseRosterFile(csv)).map((r) => r.unitKind);

    expect(kinds).toEqual(['township', 'township', 'department']);
  });

  it('accepts Chinese and English role synonyms', async () => {
    const roles = ['', '信息员', 'Informant', '编辑', '审核', 'EDITOR', '领导', 'leader'];
    const csv = ['单位,姓名,邮箱,角色', ...roles.map((role, i) => `组织部,p${i},p${i}@x.cn,${role}`)].join('\n');

    const result = rowsOf(await parseRosterFile(csv)).map((r) => r.role);

    expect(result).toEqual(['informant', 'informant', 'informant', 'editor', 'editor', 'editor', 'leader', 'leader']);
  });

  it('names the missing required column on line 1', async () => {
    expect(errorsOf(await parseRosterFile('单位,姓名,电话\n组织部,a,13800138000\n'))).toEqual([
      { line: 1, message: '第 1 行：表头缺少「邮箱」列' },
    ]);
  });

  it('says the roster is empty for an empty file or a header alone', async () => {
    expect(errorsOf(await parseRosterFile(''))).toEqual([{ line: 0, message: '名单中没有人员' }]);
    expect(errorsOf(await parseRosterFile('\uFEFF姓名,邮箱\r\n\r\n')).map((e) => e.message)).toEqual([
      '名单中没有人员',
    ]);
  });

  it('reports an unclosed quote at the line where it starts', async () => {
    const errors = errorsOf(await parseRosterFile('姓名,邮箱\na,a@x.cn\n"b,b@x.cn\nc,c@x.cn\n'));

    expect(errors).toHaveLength(1);
    expect(errors[0]?.line).toBe(3);
  });

  it('round-trips any quoted name, and never throws on arbitrary input', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'binary', maxLength: 60 }), async (name) => {
        const result = await parseRosterFile(`姓名,邮箱,单位\n${quote(name)},a@x.cn,组织部\n`);
        const trimmed = name.trim();
        const valid = trimmed !== '' && [...trimmed].length <= 50 && !/\p{Cc}/u.test(trimmed);
        expect(result.ok).toBe(valid);
        if (result.ok) expect(result.rows[0]?.name).toBe(trimmed);
      }),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string({ unit: 'binary' }),
          fc.uint8Array().map((b) => Buffer.from(b)),
          // Past the zip magic, so the .xlsx path meets garbage too.
          fc.uint8Array().map((b) => Buffer.concat([Buffer.from('PK\x03\x04', 'latin1'), b])),
        ),
        async (input) => {
          await expect(parseRosterFile(input)).resolves.toHaveProperty('ok');
        },
      ),
    );
  });
});
