// A quarter's task matrix as a table: one row per task and assigned unit (task, due day, lead, unit, status, the day,
// the papers, their adoptions) — for the desk's and the CLI's .xlsx and CSV and the quarterly email's attachment.
import type { Sheet } from '../sheets/write';
import { quarterLabel } from './quarters';
import { STATE_LABELS, type TaskMatrix } from './status';

export function matrixSheet(m: TaskMatrix): Sheet {
  const names = new Map(m.units.map((u) => [u.unitId, u.name]));
  return {
    name: m.quarter,
    columns: [
      { header: '任务编号', width: 14 },
      { header: '调研任务', width: 30 },
      { header: '截止日期', width: 12 },
      { header: '牵头人', width: 10 },
      { header: '单位', width: 24 },
      { header: '状态', width: 10 },
      { header: '日期', width: 12 },
      { header: '稿件回执号', width: 20 },
      { header: '上级采用', width: 9 },
    ],
    rows: m.tasks.flatMap((t) =>
      Object.entries(m.cells[t.taskId] ?? {})
        .map(([unitId, cell]) => ({ unitId, name: names.get(unitId) ?? unitId, cell }))
        .sort((a, b) => a.name.localeCompare(b.name, 'zh'))
        .map(({ name, cell }) => [
          t.taskId,
          t.title,
          t.due,
          t.lead,
          name,
          STATE_LABELS[cell.state],
          cell.on ?? '',
          cell.receipts.join('、'),
          cell.adoptions,
        ]),
    ),
  };
}

export const matrixFileName = (m: Pick<TaskMatrix, 'quarter'>): string => `${quarterLabel(m.quarter)}重点调研任务情况`;
