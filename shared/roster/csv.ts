// Roster import: turns the sheet an organizer exports from Excel or WPS (units, informants, editors, leaders) — an
// .xlsx, or a CSV in UTF-8 or GBK — into checked rows. Reading the file is shared/sheets' work; this file knows the
// roster's columns and rules. No I/O, so the admin page and the CLI share it, and every bad row is reported in one pass
// so the organizer can fix the sheet once instead of uploading it again and again.

import { domainToASCII } from 'node:url';
import { type ColumnSpec, readHeadedTable, shown } from '../sheets/columns';
import type { Role, UnitKind } from './people';

export type RosterRole = Role;

export interface RosterRow {
  /** The row's line in the file (header = 1): its row in the sheet, or where its CSV record starts. */
  line: number;
  unitName?: string;
  unitKind?: UnitKind;
  name: string;
  email: string;
  phone?: string;
  role: RosterRole;
}

export interface RosterError {
  line: number;
  message: string;
}

export type RosterParseResult = { ok: true; rows: RosterRow[] } | { ok: false; errors: RosterError[] };

type Column = 'unit' | 'unitKind' | 'name' | 'email' | 'phone' | 'role';

const COLUMN_LABELS: Record<Column, string> = {
  unit: '单位',
  unitKind: '单位类型',
  name: '姓名',
  email: '邮箱',
  phone: '手机',
  role: '角色',
};

// Maps (not object literals) so a header or value such as "constructor" cannot hit Object.prototype.
// Header keys are compared lowercased with spaces, '_' and '-' removed: 'Unit Kind', 'unit_kind', 'E-mail' all match.
const HEADER_ALIASES = new Map<string, Column>([
  ...['单位', '单位名称', 'unit', 'unitname'].map((k) => [k, 'unit'] as const),
  ...['单位类型', 'unitkind', 'kind'].map((k) => [k, 'unitKind'] as const),
  ...['姓名', 'name', 'fullname'].map((k) => [k, 'name'] as const),
  ...['邮箱', '电子邮箱', '电子邮件', 'email', 'mail'].map((k) => [k, 'email'] as const),
  ...['手机', '手机号', '手机号码', '电话', '联系电话', 'phone', 'mobile', 'tel'].map((k) => [k, 'phone'] as const),
  ...['角色', 'role'].map((k) => [k, 'role'] as const),
]);
const ROLE_ALIASES = new Map<string, RosterRole>([
  ['信息员', 'informant'],
  ['informant', 'informant'],
  ['编辑', 'editor'],
  ['审核', 'editor'],
  ['editor', 'editor'],
  ['领导', 'leader'],
  ['leader', 'leader'],
]);
const KIND_ALIASES = new Map<string, UnitKind>([
  ['部门', 'department'],
  ['department', 'department'],
  ['乡镇', 'township'],
  ['街道', 'township'],
  ['township', 'township'],
]);
const KIND_LABELS: Record<UnitKind, string> = { department: '部门', township: '乡镇' };

const ROSTER_COLUMNS: ColumnSpec<Column> = {
  aliases: HEADER_ALIASES,
  labels: COLUMN_LABELS,
  required: ['name', 'email'],
  empty: '名单中没有人员',
};

// As SES accepts them: a local part of 7-bit ASCII (张伟@… is refused), a domain in ASCII (an IDN as punycode).
const EMAIL = /^[a-z0-9!#$%&'*+/=?^_`{|}~.-]+@[a-z0-9-]+(\.[a-z0-9-]+)*\.[a-z][a-z0-9-]{1,}$/;
const NON_ASCII_LOCAL = /^[^@]*[^\p{ASCII}][^@]*@/u;

/** The address as SES will take it: lower case, an internationalized domain in punycode (邮箱@例子.中国 → xn--…). */
function asSesAddress(raw: string): string {
  const at = raw.lastIndexOf('@');
  if (at < 0) return raw.toLowerCase();
  const domain = raw.slice(at + 1);
  const ascii = /[^\p{ASCII}]/u.test(domain) ? domainToASCII(domain) : domain;
  return `${raw.slice(0, at)}@${ascii || domain}`.toLowerCase();
}
const MOBILE = /^(?:\+86|0086)?(1[3-9]\d{9})$/;
const LANDLINE = /^(?:0\d{2,3}-?)?\d{7,8}(?:-\d{1,6})?$/;
// Township-level units are named "…镇", "…乡", "…街道", often with "党委" after.
const TOWNSHIP_NAME = /(镇|乡|街道)(党委)?$/;
const MAX_NAME = 50;
const MAX_UNIT = 100;

function inferKind(unitName: string): UnitKind {
  return TOWNSHIP_NAME.test(unitName) ? 'township' : 'department';
}

/**
 * Reads and checks a roster: an .xlsx (its first sheet) or a CSV in UTF-8 or GBK, as bytes; a string is taken as
 * the text of a UTF-8 CSV. Errors carry the line of the file they are on (0 for the file as a whole).
 */
export async function parseRosterFile(input: Buffer | string): Promise<RosterParseResult> {
  const table = await readHeadedTable(input, ROSTER_COLUMNS);
  if (!table.ok) return table;
  const errors: RosterError[] = [];
  const rows: RosterRow[] = [];
  const emailLines = new Map<string, number>();
  const explicitKinds = new Map<string, { kind: UnitKind; line: number }>();

  for (const { line, cell } of table.records) {
    const fail = (message: string) => errors.push({ line, message: `第 ${line} 行：${message}` });
    const errorsBefore = errors.length;
    // A cell split over lines is almost always a paste accident; report only that, since every later check on the
    // cell would repeat the same problem in other words.
    const multiline = [...table.columns.keys()].filter((column) => /[\r\n]/.test(cell(column)));
    for (const column of multiline) fail(`${COLUMN_LABELS[column]}不能换行（${shown(cell(column))}）`);
    if (multiline.length > 0) continue;
    const [unitName, kindText, name, rawEmail, rawPhone, roleText] = [
      cell('unit'),
      cell('unitKind'),
      cell('name'),
      cell('email'),
      cell('phone'),
      cell('role'),
    ];

    const role = roleText === '' ? 'informant' : ROLE_ALIASES.get(roleText.toLowerCase());
    if (role === undefined) fail(`角色无法识别（${shown(roleText)}），应为 信息员、编辑 或 领导`);

    if (unitName === '' && role === 'informant') fail('信息员必须填写单位');
    if (/\p{Cc}/u.test(unitName)) fail('单位名称含有控制字符');
    if ([...unitName].length > MAX_UNIT) fail(`单位名称超过 ${MAX_UNIT} 个字`);

    let kind: UnitKind | undefined;
    if (kindText !== '') {
      kind = KIND_ALIASES.get(kindText.toLowerCase());
      if (kind === undefined) fail(`单位类型无法识别（${shown(kindText)}），应为 部门 或 乡镇`);
    }
    if (kind !== undefined && unitName !== '') {
      const first = explicitKinds.get(unitName);
      if (first === undefined) explicitKinds.set(unitName, { kind, line });
      else if (first.kind !== kind) {
        fail(
          `单位「${shown(unitName)}」的类型（${KIND_LABELS[kind]}）与第 ${first.line} 行（${KIND_LABELS[first.kind]}）不一致`,
        );
      }
    }

    if (name === '') fail('姓名不能为空');
    else if (/\p{Cc}/u.test(name)) fail('姓名含有控制字符');
    else if ([...name].length > MAX_NAME) fail(`姓名超过 ${MAX_NAME} 个字`);

    const email = asSesAddress(rawEmail);
    if (email === '') fail('邮箱不能为空');
    else if (NON_ASCII_LOCAL.test(email)) {
      fail(`邮箱 @ 前面的部分只能用英文字母、数字和 . _ - + 等符号，邮件系统不接受汉字（${shown(rawEmail)}）`);
    } else if (email.length > 254 || !EMAIL.test(email)) fail(`邮箱格式不正确（${shown(rawEmail)}）`);
    else {
      const firstLine = emailLines.get(email);
      if (firstLine === undefined) emailLines.set(email, line);
      else fail(`邮箱 ${email} 与第 ${firstLine} 行重复`);
    }

    let phone: string | undefined;
    if (rawPhone !== '') {
      const mobile = MOBILE.exec(rawPhone.replace(/[\s-]/g, ''));
      const landline = rawPhone.replace(/\s/g, '');
      if (mobile?.[1] !== undefined) phone = mobile[1];
      else if (LANDLINE.test(landline)) phone = landline;
      else fail(`手机号码格式不正确（${shown(rawPhone)}）`);
    }

    if (errors.length > errorsBefore || role === undefined) continue;
    rows.push({
      line,
      ...(unitName !== '' && { unitName, unitKind: kind }),
      name,
      email,
      ...(phone !== undefined && { phone }),
      role,
    });
  }
  if (errors.length > 0) return { ok: false, errors };

  // A unit typed once in the file is that kind on every row; otherwise guess from its name.
  for (const row of rows) {
    if (row.unitName !== undefined && row.unitKind === undefined) {
      row.unitKind = explicitKinds.get(row.unitName)?.kind ?? inferKind(row.unitName);
    }
  }
  return { ok: true, rows };
}
