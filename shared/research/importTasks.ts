// Use case: assign a quarter's research tasks in bulk (`task import FILE`) — an .xlsx or a CSV (UTF-8 with or without
// BOM, or GBK) with the columns 季度, 任务名称, 说明, 单位, 截止日期, 牵头人 (or their English names). 单位 names the
// units (separated by 、 , ; or spaces), or says 全部 (empty: every unit).
// 1. Read the table by its header; check every line against the roster (unknown units named).
// 2. Any bad line: every one reported by its line number, nothing written.
// 3. Otherwise assign each task once (the same task again, in the file or from an earlier import, adds nothing).

import { config } from '../core/config';
import type { FieldError } from '../core/errors';
import { limiter } from '../core/limit';
import { listRoster } from '../roster/people';
import type { Deliver } from '../roster/rosterEvents';
import { type ColumnSpec, columnKey, type LineError, readHeadedTable, shown } from '../sheets/columns';
import { assignTask, taskIdOf } from './addTask';
import { type TaskInput, taskFields } from './taskInput';

type Column = 'quarter' | 'title' | 'description' | 'units' | 'due' | 'lead';

const LABELS: Record<Column, string> = {
  quarter: '季度',
  title: '任务名称',
  description: '说明',
  units: '单位',
  due: '截止日期',
  lead: '牵头人',
};

const ALIASES = /* @__PURE__ */ new Map<string, Column>(
  (
    [
      ['quarter', ['季度', 'quarter']],
      ['title', ['任务名称', '调研任务', '任务', '题目', '标题', 'title', 'task']],
      ['description', ['说明', '任务说明', '内容', '要求', 'description']],
      ['units', ['单位', '承担单位', '责任单位', 'units', 'unit']],
      ['due', ['截止日期', '截止时间', '完成时限', 'due', 'duedate']],
      ['lead', ['牵头人', '牵头领导', '负责人', 'lead']],
    ] as const
  ).flatMap(([column, names]) => names.map((n) => [columnKey(n), column] as const)),
);

const SPEC: ColumnSpec<Column> = {
  aliases: ALIASES,
  labels: LABELS,
  required: ['quarter', 'title', 'due'],
  empty: '表格中没有调研任务',
};

/** A quarter has a few tasks; hundreds of lines is a wrong file. */
export const MAX_TASK_LINES = 200;

export type TaskImportResult =
  | { ok: true; lines: number; added: number; duplicates: number }
  | { ok: false; errors: LineError[] };

const ALL = new Set(['', '全部', '全部单位', '所有单位', 'all']);

export async function importTasks(
  file: Buffer | string,
  by: { name: string },
  options: { deliver?: Deliver | undefined } = {},
): Promise<TaskImportResult> {
  const table = await readHeadedTable(file, SPEC);
  if (!table.ok) return table;
  if (table.records.length > MAX_TASK_LINES) {
    return {
      ok: false,
      errors: [{ line: 0, message: `表格有 ${table.records.length} 行，超过 ${MAX_TASK_LINES} 行：请检查文件。` }],
    };
  }
  const roster = await listRoster(config().countyId);
  const known = Object.fromEntries(roster.units.map((u) => [u.unitId, u.name]));
  const byName = new Map(roster.units.map((u) => [u.name.normalize('NFKC').trim(), u.unitId]));
  const errors: LineError[] = [];
  const fail = (line: number, e: FieldError | string) =>
    errors.push({ line, message: `第 ${line} 行：${(typeof e === 'string' ? e : e.message).replace(/[。.]$/, '')}` });
  const tasks = new Map<string, { line: number; input: TaskInput }>();
  for (const { line, cell } of table.records) {
    const named = cell('units').normalize('NFKC').trim();
    const names = ALL.has(named) ? [] : named.split(/[、,，;；\s]+/).filter((n) => n !== '');
    const unknown = names.filter((n) => !byName.has(n));
    if (unknown.length) fail(line, `名单中没有这些单位：${unknown.slice(0, 5).map(shown).join('、')}`);
    const { values, errors: problems } = taskFields(
      {
        quarter: cell('quarter'),
        title: cell('title'),
        description: cell('description'),
        due: cell('due'),
        lead: cell('lead'),
        units: names.length ? names.map((n) => byName.get(n) ?? '').filter((id) => id !== '') : 'all',
      },
      known,
    );
    for (const p of problems) fail(line, p);
    if (problems.length || unknown.length) continue;
    const id = taskIdOf(config().countyId, values);
    const first = tasks.get(id);
    if (!first) tasks.set(id, { line, input: values });
    else if (JSON.stringify(first.input) !== JSON.stringify(values)) {
      fail(
        line,
        `与第 ${first.line} 行是同一任务（同一季度、任务名称、截止日期），但单位、说明或牵头人不同：请只保留正确的一行`,
      );
    }
  }
  if (errors.length > 0) return { ok: false, errors: errors.sort((a, b) => a.line - b.line) };
  const limit = limiter(1); // one at a time: each one changes the open list
  let added = 0;
  await Promise.all(
    [...tasks.values()].map(({ input }) =>
      limit(async () => {
        if ((await assignTask(input, roster, by, options.deliver)).added) added += 1;
      }),
    ),
  );
  return { ok: true, lines: table.records.length, added, duplicates: table.records.length - added };
}
