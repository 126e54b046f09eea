// Ground: writes one table for a person to download, as an .xlsx workbook (bold Chinese headers, the header row
// frozen, column widths, numbers as numbers, text as text) or as a CSV that Excel opens right (UTF-8 with a BOM,
// CRLF). It knows no feature's columns: a feature builds the Sheet. Text never becomes a formula: in the workbook every
// string is a string cell, and in the CSV a cell that Excel would run (=, +, -, @) gets a leading ' (safeCell).
//
// Libraries, as this module bundles (esbuild, minified CJS, node22, measured with 4.1.1 / 6.9.0 / 0.8.3):
// write-excel-file/node 60 KB + fflate 14 KB, csv-stringify/sync 11 KB; all in 87 KB (88,788 bytes), xlsxOf alone
// 76 KB. With read.ts in the same function: 182 KB (185,992 bytes), fflate shared.

import type { Cell } from 'write-excel-file/node';

// Loaded when a file is written, not when the function starts (a cold start should not pay for them).
const writers = () => import('./writers.js');

export interface Sheet {
  /** The worksheet's tab: at most 31 characters, none of [ ] / \ : * ? (Excel's rule; write-excel-file throws). */
  name: string;
  /** Width in characters, as Excel's column width; a Chinese character takes about two. */
  columns: { header: string; width: number }[];
  rows: (string | number | null)[][];
}

/** The workbook: row 1 the bold headers, frozen so they stay in view; then the rows, a null cell left empty. */
export async function xlsxOf(sheet: Sheet): Promise<Buffer> {
  const header: Cell[] = sheet.columns.map(({ header }) => ({ value: header, type: String, fontWeight: 'bold' }));
  const rows: Cell[][] = sheet.rows.map((row) =>
    row.map((value): Cell => {
      if (value === null) return null;
      if (typeof value === 'number') return { value: finite(value), type: Number };
      return { value, type: String };
    }),
  );
  const { writeXlsxFile } = await writers();
  return writeXlsxFile([header, ...rows], {
    sheet: sheet.name,
    columns: sheet.columns.map(({ width }) => ({ width })),
    stickyRowsCount: 1,
  }).toBuffer();
}

/** The CSV Excel opens without asking: UTF-8 with a BOM, CRLF, quoted as RFC 4180 says, no cell a formula. */
export async function csvOf(sheet: Sheet): Promise<Buffer> {
  const { stringify } = await writers();
  const records = [sheet.columns.map(({ header }) => header), ...sheet.rows].map((row) =>
    row.map((value) => (typeof value === 'string' ? safeCell(value) : value === null ? '' : finite(value))),
  );
  const text = stringify(records, {
    bom: true,
    record_delimiter: 'windows',
    // csv-stringify quotes a cell holding the record delimiter (CRLF), not a lone LF or CR; Excel needs both quoted.
    quoted_match: /[\r\n]/,
  });
  return Buffer.from(text, 'utf8');
}

/**
 * A text cell as it may go into a CSV: one that Excel (or LibreOffice, WPS) would take for a formula — starting with
 * =, +, -, @, a tab or a CR — gets a leading ' so it shows as the text it is (OWASP, "CSV Injection").
 */
export function safeCell(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

function finite(value: number): number {
  if (!Number.isFinite(value)) throw new RangeError(`A sheet cell must be a finite number, not ${value}`);
  return value;
}

/** A sheet as the file to download (`名字.xlsx` or `名字.csv`): its bytes, type and name. */
export async function sheetFile(
  sheet: Sheet,
  basename: string,
  format: 'xlsx' | 'csv',
): Promise<{ body: Buffer; contentType: string; filename: string }> {
  const filename = `${basename}.${format}`;
  return format === 'xlsx'
    ? {
        body: await xlsxOf(sheet),
        contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
        filename,
      }
    : { body: await csvOf(sheet), contentType: 'text/csv; charset=utf-8', filename };
}
