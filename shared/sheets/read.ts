// Ground: reads the table a person uploads — an .xlsx as Excel or WPS saves it, or a CSV in UTF-8 or in GBK/GB18030
// (what Chinese Excel writes for plain "CSV") — as rows of trimmed text that keep their line numbers in the file. It
// knows no feature's columns: the roster (and any later upload) checks the rows. A file that is not a readable table
// gets a message in Chinese saying what to do, never an exception.
//
// Libraries, as this module bundles (esbuild, minified CJS, node22): read-excel-file/universal 9.3 (55 KB) on
// fflate (9 KB), papaparse 5.7 (21 KB); all in 90 KB (92,161 bytes). papaparse rather than csv-parse (30 KB): the
// function that carries the reader, the multipart parser and the DynamoDB client is the largest of all, and 9 KB is
// what keeps it inside the bench's bundle goals. The universal entry of read-excel-file, not its node one (88 KB
// alone): that one adds graceful-fs and unzipper and parses in a worker thread, none of which a Lambda needs.

// The libraries are loaded when a file comes, not when the function starts: most requests of a function that can take
// an upload (the roster page's buttons) never read one, and a cold start should not pay for them.
const libraries = () => import('./libraries.js');
type Libraries = Awaited<ReturnType<typeof libraries>>;

export interface TableRow {
  /** The row's line in the file (header = 1): its row number in the sheet, or the line a CSV record starts on. */
  line: number;
  fields: string[];
}

export type TableFormat = 'xlsx' | 'csv-utf8' | 'csv-gb18030';

/** Why a file could not be read; `message` says it to a person, this says it to the code that asked. */
export type TableProblem =
  | 'empty'
  | 'blank'
  | 'old-excel'
  | 'not-xlsx'
  | 'damaged'
  | 'too-big'
  | 'binary'
  | 'csv-syntax';

export type TableRead =
  | { ok: true; rows: TableRow[]; format: TableFormat }
  | { ok: false; problem: TableProblem; message: string; line?: number };

const SAVE_AS = '请在 Excel 中另存为「Excel 工作簿 (.xlsx)」或「CSV UTF-8（逗号分隔）」后重新上传。';
const MESSAGES = {
  empty: '文件是空的：请选择填好内容的表格文件（.xlsx 或 CSV）后重新上传。',
  blank: '表格是空的：没有找到填写了内容的行。如果用的是 Excel 文件，请把内容放在第一个工作表中，保存后重新上传。',
  oldExcel:
    '这是旧版 Excel（.xls）文件或设置了打开密码的表格，无法读取：如有密码请先取消，再在 Excel 中另存为「Excel 工作簿 (.xlsx)」或「CSV UTF-8（逗号分隔）」后重新上传。',
  notXlsx: '不是 Excel 表格文件（可能是 Word 文档或其他压缩包）：请另存为 .xlsx 或 CSV 后重新上传。',
  damaged: `无法读取这个 Excel 文件，文件可能已损坏：${SAVE_AS}`,
  unicodeText: `这是「Unicode 文本」格式的文件，无法读取：${SAVE_AS}`,
  binary: '不是表格文件（可能是图片、PDF 或其他文件）：请上传 Excel 表格（.xlsx）或 CSV 文件。',
} as const;

/** What the sheets of an .xlsx may unzip to: a roster of 10,000 rows is a few MB of XML; more is a mistake or a zip bomb. */
export const MAX_XLSX_XML_BYTES = 50 * 1024 * 1024;

const startsWith = (bytes: Buffer, magic: number[]) => magic.every((byte, i) => bytes[i] === byte);
const ZIP = [0x50, 0x4b, 0x03, 0x04];
const OLE = [0xd0, 0xcf, 0x11, 0xe0]; // Compound File: .xls, .doc, and an .xlsx saved with a password
const UTF8_BOM = [0xef, 0xbb, 0xbf];
const UTF16_BOMS = [
  [0xff, 0xfe],
  [0xfe, 0xff],
];
// Files people upload by mistake whose first bytes are text-like enough to decode: PDF ("%PDF-"), RTF ("{\rtf").
const TEXT_LIKE_BINARY = [
  [0x25, 0x50, 0x44, 0x46, 0x2d],
  [0x7b, 0x5c, 0x72, 0x74, 0x66],
];

/**
 * Reads the first sheet of an .xlsx, or a CSV. Every field is trimmed text, blank rows are left out (the others keep
 * their true line numbers), and a file that is no table is `ok: false` with a message for the person who sent it.
 */
export async function readTable(bytes: Buffer): Promise<TableRead> {
  if (!Buffer.isBuffer(bytes)) throw new TypeError('readTable takes the file as a Buffer');
  const libs = await libraries();
  if (startsWith(bytes, ZIP)) return readXlsx(bytes, libs);
  if (startsWith(bytes, OLE)) return failure('old-excel', MESSAGES.oldExcel);
  if (UTF16_BOMS.some((bom) => startsWith(bytes, bom))) return failure('binary', MESSAGES.unicodeText);
  if (bytes.includes(0) || TEXT_LIKE_BINARY.some((magic) => startsWith(bytes, magic))) {
    return failure('binary', MESSAGES.binary);
  }
  const { text, format } = decode(bytes);
  if (text.trim() === '') return failure('empty', MESSAGES.empty);
  if (looksBinary(text, format)) return failure('binary', MESSAGES.binary);
  return readCsv(text, format, libs);
}

function failure(problem: TableProblem, message: string, line?: number): TableRead {
  return { ok: false, problem, message, ...(line !== undefined && { line }) };
}

function decode(bytes: Buffer): { text: string; format: 'csv-utf8' | 'csv-gb18030' } {
  // The decoders drop a UTF-8 BOM themselves; a file with one is UTF-8 even if a stray byte further on is not.
  if (startsWith(bytes, UTF8_BOM)) return { text: new TextDecoder('utf-8').decode(bytes), format: 'csv-utf8' };
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes), format: 'csv-utf8' };
  } catch {
    // GBK is a subset of GB18030, so one decoder reads both; a stray byte becomes U+FFFD instead of an error.
    return { text: new TextDecoder('gb18030').decode(bytes).replace(/^\uFEFF/, ''), format: 'csv-gb18030' };
  }
}

/**
 * Text a person typed has at most a stray control character; a binary file decoded as text has them everywhere, and
 * bytes that are not GBK either become U+FFFD. (In valid UTF-8 a U+FFFD was in the file already: mojibake from an
 * earlier mistake, which is text, and which the reader of the rows can name.)
 */
function looksBinary(text: string, format: 'csv-utf8' | 'csv-gb18030'): boolean {
  let odd = 0;
  for (const char of text) {
    const code = char.charCodeAt(0);
    if ((code < 0x20 && !'\t\n\f\r'.includes(char)) || (code === 0xfffd && format === 'csv-gb18030')) odd++;
  }
  return odd >= 8 && odd * 100 > text.length;
}

/** Line breaks inside a record's fields, so the next record's line is right (CRLF counts once). */
function lineBreaks(fields: string[]): number {
  let count = 0;
  for (const field of fields) count += field.match(/\r\n|\r|\n/g)?.length ?? 0;
  return count;
}

function readCsv(text: string, format: 'csv-utf8' | 'csv-gb18030', { Papa }: Libraries): TableRead {
  // One kind of line end (a file edited by hand may mix all three), so the parser splits records on every one of
  // them; a CRLF inside a quoted cell becomes a LF, which changes nothing of the trimmed text.
  const parsed = Papa.parse<string[]>(text.replace(/\r\n?/g, '\n'), {
    delimiter: ',',
    newline: '\n',
    skipEmptyLines: false,
  });
  // The lines are counted here, record by record: with blank lines kept as records, each record starts one line
  // after the previous one's last line.
  const lines: number[] = [];
  let nextLine = 1;
  for (const record of parsed.data) {
    lines.push(nextLine);
    nextLine += 1 + lineBreaks(record);
  }
  const quoteError = parsed.errors.find((e) => e.type === 'Quotes');
  if (quoteError) {
    const line = lines[quoteError.row ?? 0] ?? nextLine;
    const message =
      quoteError.code === 'MissingQuotes'
        ? `第 ${line} 行：引号没有闭合（从这一行开始的引号一直到文件末尾）`
        : `第 ${line} 行：引号用法不对：含有逗号、引号或换行的内容要整个放在英文双引号中，内容里的双引号要写成两个（""）`;
    return failure('csv-syntax', message, line);
  }
  const rows: TableRow[] = [];
  parsed.data.forEach((record, i) => {
    const fields = record.map((field) => field.trim());
    // Excel writes rows of bare commas for empty rows; they count as blank lines.
    if (fields.some((field) => field !== '')) rows.push({ line: lines[i]!, fields });
  });
  if (rows.length === 0) return failure('blank', MESSAGES.blank);
  return { ok: true, rows, format };
}

async function readXlsx(bytes: Buffer, { unzipSync, readSheet }: Libraries): Promise<TableRead> {
  // The zip's directory first, without inflating anything: is it a workbook at all, and how big would it unzip?
  const names = new Set<string>();
  let xmlBytes = 0;
  try {
    unzipSync(bytes, {
      filter: ({ name, originalSize }) => {
        names.add(name);
        if (/\.(xml|rels)$/.test(name)) xmlBytes += originalSize;
        return false;
      },
    });
  } catch {
    return failure('damaged', MESSAGES.damaged);
  }
  if (!names.has('xl/workbook.xml')) return failure('not-xlsx', MESSAGES.notXlsx);
  if (xmlBytes > MAX_XLSX_XML_BYTES) {
    const mb = Math.ceil(xmlBytes / 1024 / 1024);
    return failure('too-big', `表格太大，无法读取（解压后约 ${mb} MB）：请删去不需要的工作表和内容后重新上传。`);
  }

  let sheet: unknown[][];
  try {
    sheet = await readSheet(new Uint8Array(bytes).buffer, 1, { parseNumber: numberText });
  } catch {
    return failure('damaged', MESSAGES.damaged);
  }
  const rows: TableRow[] = [];
  sheet.forEach((cells, index) => {
    const fields = cells.map(textOf);
    if (fields.some((field) => field !== '')) rows.push({ line: index + 1, fields });
  });
  if (rows.length === 0) return failure('blank', MESSAGES.blank);
  return { ok: true, rows, format: 'xlsx' };
}

/** A cell as the person sees it in the sheet, as text. */
function textOf(cell: unknown): string {
  if (cell === null || cell === undefined) return '';
  if (cell instanceof Date) {
    // read-excel-file gives dates at UTC; a date without a time of day is written as a date alone.
    if (Number.isNaN(cell.getTime())) return '';
    const iso = cell.toISOString();
    return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
  }
  if (typeof cell === 'boolean') return cell ? 'TRUE' : 'FALSE';
  return String(cell).trim();
}

/**
 * A number cell as the text stored in the file, so a phone 13800138000 stays 13800138000. That text is usually
 * plain, but a tool may write 1.3800138E10: then the digits Excel shows.
 */
function numberText(stored: string): string {
  if (!/^-?\d+(\.\d+)?[eE][+-]?\d+$/.test(stored)) return stored;
  const value = Number(stored);
  if (Number.isSafeInteger(value)) return String(value);
  if (Number.isInteger(value) && Math.abs(value) < 1e21) return BigInt(value).toString();
  return stored;
}
