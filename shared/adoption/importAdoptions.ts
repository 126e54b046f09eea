// Use case: record the adoptions of a periodical's table of contents in bulk — an .xlsx or a CSV (UTF-8 with or
// without BOM, or GBK) with the columns 回执号, 采用级别, 刊物, 期号, 采用日期, 领导批示 (or their English names).
// 1. Read the table by its header; check every line's fields.
// 2. Read each receipt's piece once (a few at a time) and check it: known, accepted, the date not before it was sent.
// 3. Any bad line: every one reported by its line number, nothing written.
// 4. Otherwise record each line (the same adoption again, in the file or from an earlier import, adds nothing).
import { NotFoundError, ValidationError } from '../core/errors';
import { limiter } from '../core/limit';
import type { Deliver } from '../roster/rosterEvents';
import { type ColumnSpec, columnKey, type LineError, readHeadedTable, shown } from '../sheets/columns';
import { type AdoptionInput, adoptionIdOf, checkAdoption, FIELD_LABELS } from './adoptionInput';
import type { AdoptionSource, Recorder } from './adoptions';
import { type AdoptionTarget, checkTarget, NotAcceptedError, readTarget, recordAdoption } from './recordAdoption';

type Column = 'receipt' | keyof typeof FIELD_LABELS;

const LABELS: Record<Column, string> = { receipt: '回执号', ...FIELD_LABELS };

const ALIASES = /* @__PURE__ */ new Map<string, Column>(
  (
    [
      ['receipt', ['回执号', '回执编号', '编号', 'receipt', 'receiptno']],
      ['level', ['采用级别', '级别', '层级', '采用层级', 'level']],
      ['outlet', ['刊物', '采用刊物', '刊物名称', '刊名', 'outlet', 'periodical']],
      ['issue', ['期号', '期数', '期次', 'issue', 'issueno']],
      ['date', ['采用日期', '日期', '刊发日期', '刊登日期', 'date']],
      ['instruction', ['领导批示', '批示', '批示情况', 'instruction']],
    ] as const
  ).flatMap(([column, names]) => names.map((n) => [columnKey(n), column] as const)),
);

const SPEC: ColumnSpec<Column> = {
  aliases: ALIASES,
  labels: LABELS,
  required: ['receipt', 'level', 'outlet', 'issue', 'date'],
  empty: '表格中没有采用记录',
};

/** A table of contents is tens of lines; hundreds is a wrong file (and more would not be recorded within a request). */
export const MAX_LINES = 500;

export type ImportResult =
  | { ok: true; lines: number; added: number; duplicates: number }
  | { ok: false; errors: LineError[] };

interface Line {
  line: number;
  receipt: string;
  fields: Record<string, string>;
  input: AdoptionInput;
}

export async function importAdoptions(
  file: Buffer | string,
  by: Recorder,
  options: { source: AdoptionSource; deliver?: Deliver | undefined },
): Promise<ImportResult> {
  const table = await readHeadedTable(file, SPEC);
  if (!table.ok) return table;
  if (table.records.length > MAX_LINES) {
    return {
      ok: false,
      errors: [{ line: 0, message: `表格有 ${table.records.length} 行，超过 ${MAX_LINES} 行：请分成几个文件导入。` }],
    };
  }
  const errors: LineError[] = [];
  const fail = (line: number, message: string) => errors.push({ line, message: `第 ${line} 行：${message}` });
  const lines: Line[] = [];
  for (const { line, cell } of table.records) {
    const fields = {
      level: cell('level'),
      outlet: cell('outlet'),
      issue: cell('issue'),
      date: cell('date'),
      instruction: cell('instruction'),
    };
    const receipt = cell('receipt').normalize('NFKC').trim();
    if (receipt === '') fail(line, '回执号不能为空');
    try {
      const input = checkAdoption(fields);
      if (receipt !== '') lines.push({ line, receipt, fields, input });
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      for (const e of err.errors) fail(line, e.message.replace(/[。.]$/, ''));
    }
  }
  // Every piece named, read once, a few at a time.
  const limit = limiter(8);
  const targets = new Map<string, AdoptionTarget | Error>();
  await Promise.all(
    [...new Set(lines.map((l) => l.receipt))].map((receipt) =>
      limit(() =>
        readTarget(receipt).then(
          (t) => targets.set(receipt, t),
          (err: unknown) => {
            if (err instanceof NotFoundError) targets.set(receipt, err);
            else throw err;
          },
        ),
      ),
    ),
  );
  const seen = new Map<string, Line>();
  const unique: Line[] = [];
  for (const l of lines) {
    const target = targets.get(l.receipt)!;
    if (target instanceof Error) {
      fail(l.line, `没有回执号为 ${shown(l.receipt)} 的稿件`);
      continue;
    }
    try {
      checkTarget(target, l.input);
      const withdrawn = target.items.find((i) => i.type === 'withdrawn' && i.adoptionId === adoptionIdOf(l.input));
      if (withdrawn) fail(l.line, `这条采用记录已于 ${withdrawn.at.slice(0, 10)} 撤销，不能重复登记`);
    } catch (err) {
      if (!(err instanceof NotAcceptedError || err instanceof ValidationError)) throw err;
      if (err instanceof ValidationError) for (const e of err.errors) fail(l.line, e.message.replace(/[。.]$/, ''));
      else fail(l.line, err.message.replace(/[。.]$/, ''));
      continue;
    }
    const key = `${l.receipt}#${adoptionIdOf(l.input)}`;
    const first = seen.get(key);
    if (!first) {
      seen.set(key, l);
      unique.push(l);
    } else if (first.input.adoptedOn !== l.input.adoptedOn || first.input.instruction !== l.input.instruction) {
      // The same adoption twice is once; twice with another date or 批示 is a mistake in one of the lines.
      fail(
        l.line,
        `与第 ${first.line} 行是同一采用（同一回执号、级别、刊物、期号），但采用日期或领导批示不同：请只保留正确的一行`,
      );
    }
  }
  if (errors.length > 0) return { ok: false, errors: errors.sort((a, b) => a.line - b.line) };

  // Each line is an item of its own: recorded a few at a time.
  let added = 0;
  await Promise.all(
    unique.map((l) =>
      limit(async () => {
        const result = await recordAdoption(l.receipt, l.fields, by, {
          source: options.source,
          deliver: options.deliver,
          target: targets.get(l.receipt) as AdoptionTarget,
        });
        if (result.added) added += 1;
      }),
    ),
  );
  return { ok: true, lines: lines.length, added, duplicates: lines.length - added };
}
