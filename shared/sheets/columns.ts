// Ground: a table people fill in by hand (a roster, a periodical's table of contents) read by its header — a title
// row or two above it skipped, each column found by any of its names (Chinese or English, case, spaces, '_' and '-'
// ignored), unknown columns left alone, required ones missing said in Chinese, and a header that went through the
// wrong encoding (乱码) recognised as such. What the columns mean is the feature's; this knows only their names.
import { readTable, type TableRow } from './read';

export interface ColumnSpec<C extends string> {
  /** Every name a column goes by, already in the form `columnKey` gives (lower case, no spaces, '_' or '-'). */
  aliases: ReadonlyMap<string, C>;
  labels: Record<C, string>;
  required: readonly C[];
  /** What to say of a file with no rows below its header (in the feature's words). */
  empty: string;
}

export interface LineError {
  /** The line of the file (header = its own line; 0 for the file as a whole). */
  line: number;
  message: string;
}

export interface HeadedRecord<C extends string> {
  line: number;
  cell: (column: C) => string;
}

export type HeadedTable<C extends string> =
  | { ok: true; records: HeadedRecord<C>[]; columns: ReadonlyMap<C, number> }
  | { ok: false; errors: LineError[] };

export const GARBLED =
  '表头无法识别，可能是文件编码有误（乱码）：请在 Excel 中另存为「Excel 工作簿 (.xlsx)」或「CSV UTF-8（逗号分隔）」后重新上传。';

/** A header cell as the aliases are written. */
export const columnKey = (title: string): string => title.toLowerCase().replace(/[\s_-]/g, '');

/** Echo a user's value in a message without letting a huge or multi-line cell swamp it. */
export function shown(value: string): string {
  const flat = value.replace(/\p{Cc}/gu, ' ');
  return flat.length > 40 ? `${flat.slice(0, 40)}…` : flat;
}

// How a header looks when the file went through the wrong encoding on its way: GBK bytes read as UTF-8 leave U+FFFD;
// U+FFFD saved as UTF-8 and read as GBK shows 锟斤拷; GBK read as Latin-1 shows 单位 as µ¥Î»; and a UTF-8 file opened
// in Chinese Excel (which assumes GBK) and saved again shows 单位 as 鍗曚綅 — computed from the aliases.
const GBK_DECODER = new TextDecoder('gb18030');

function looksGarbled(header: TableRow, aliases: Iterable<string>): boolean {
  const text = header.fields.join(',');
  if (/\uFFFD|锟斤拷/.test(text)) return true;
  if ((text.match(/[\u0080-\u00ff]/g)?.length ?? 0) >= 2) return true;
  return [...aliases]
    .filter((alias) => /[^\p{ASCII}]/u.test(alias))
    .map((alias) => GBK_DECODER.decode(Buffer.from(alias)).replace(/\uFFFD+$/, ''))
    .some((garbled) => text.includes(garbled));
}

/**
 * Reads an .xlsx (its first sheet) or a CSV in UTF-8 or GBK, as bytes (a string: the text of a UTF-8 CSV), and finds
 * its columns by the header. Errors carry the line they are on.
 */
export async function readHeadedTable<C extends string>(
  input: Buffer | string,
  spec: ColumnSpec<C>,
): Promise<HeadedTable<C>> {
  const table = await readTable(typeof input === 'string' ? Buffer.from(input, 'utf8') : input);
  if (!table.ok) {
    // An empty file or sheet is said in the feature's words.
    const message = table.problem === 'empty' || table.problem === 'blank' ? spec.empty : table.message;
    return { ok: false, errors: [{ line: table.line ?? 0, message }] };
  }
  // A title above the header ("2025 年信息员名单", often merged across the columns): one cell that names no column.
  const isTitle = (row: TableRow) => {
    const filled = row.fields.filter((field) => field !== '');
    return filled.length === 1 && !spec.aliases.has(columnKey(filled[0] ?? ''));
  };
  let start = 0;
  while (start < Math.min(3, table.rows.length - 1) && isTitle(table.rows[start]!)) start++;
  const [header, ...rows] = table.rows.slice(start);
  if (header === undefined || rows.length === 0) {
    return { ok: false, errors: [{ line: header?.line ?? 0, message: spec.empty }] };
  }
  const columns = new Map<C, number>();
  header.fields.forEach((title, index) => {
    const column = spec.aliases.get(columnKey(title));
    // First occurrence wins; unknown columns (备注, 序号…) are ignored.
    if (column !== undefined && !columns.has(column)) columns.set(column, index);
  });
  const missing = spec.required.filter((c) => !columns.has(c));
  if (missing.length > 0) {
    const names = missing.map((c) => `「${spec.labels[c]}」`).join('');
    const message = looksGarbled(header, spec.aliases.keys()) ? GARBLED : `表头缺少${names}列`;
    return { ok: false, errors: [{ line: header.line, message: `第 ${header.line} 行：${message}` }] };
  }
  return {
    ok: true,
    columns,
    records: rows.map(({ line, fields }) => ({
      line,
      cell: (column: C) => {
        const index = columns.get(column);
        return index === undefined ? '' : (fields[index] ?? '');
      },
    })),
  };
}
