// The operators' commands for 重点调研 research tasks (`npm run admin -- task …`), registered by scripts/admin.ts:
// assigning one (its email to the units' informants) or a table of them, listing a quarter's, closing one, and the
// status matrix of units by tasks (with its .xlsx and CSV).
import { readFileSync } from 'node:fs';
import { type Command, str, table, unitIdsOf, type Values, writeFiles } from '../core/cli';
import { listRoster, reportingUnits } from '../roster/people';
import { OPERATOR } from '../roster/rosterEvents';
import { sheetFile } from '../sheets/write';
import { audienceOf, isOpen } from '../topics/topics';
import { addTask } from './addTask';
import { closeTask } from './closeTask';
import { deliverTask } from './deliverNow';
import { importTasks } from './importTasks';
import { matrixFileName, matrixSheet } from './matrixSheet';
import { isQuarter, quarterLabel, thisQuarter } from './quarters';
import { STATE_LABELS, taskMatrix } from './status';
import { listTasks } from './tasks';

export const TASK_COMMANDS: Record<string, Command> = {
  'task add': {
    summary: '部署重点调研任务：承担单位的信息员收到邮件，截止日期前调研文稿可选择本任务',
    options: {
      quarter: { type: 'string', value: 'YYYYQN', help: '季度，例如 2026Q4（必填）' },
      title: { type: 'string', value: '名称', help: '任务名称（必填）' },
      description: { type: 'string', value: '说明', help: '说明（可选）' },
      units: { type: 'string', value: 'ID,ID|all', help: '承担单位：单位编号或名称，逗号分隔；all 为全部单位（默认）' },
      due: { type: 'string', value: 'YYYY-MM-DD', help: '截止日期（必填，在该季度内，今天或以后）' },
      lead: { type: 'string', value: '姓名', help: '牵头人（可选）' },
    },
    details: ['同一季度、名称和截止日期再部署一次不会重复（也不重发邮件）。单位编号见 roster list。'],
    run: async ({ values, county, sweep }) => {
      const roster = await listRoster(county);
      const result = await addTask({ ...values, units: unitIdsOf(roster, str(values.units)) }, OPERATOR, {
        deliver: deliverTask,
        roster,
      });
      const t = result.task;
      if (!result.added) {
        console.log(`调研任务“${t.title}”（${t.taskId}）已经部署过，没有重复部署。`);
        return 0;
      }
      const r = await sweep();
      console.log(
        `已部署${quarterLabel(t.quarter)}重点调研任务“${t.title}”（编号 ${t.taskId}，${t.due} 截止），承担单位：${audienceOf(t, reportingUnits(roster).names)}。`,
      );
      console.log(`通知 ${result.recipients} 位信息员（发送 ${r.sent} 封，等待重试 ${r.pending} 封）。`);
      return 0;
    },
  },
  'task import': {
    summary: '按表格批量部署重点调研任务（.xlsx，或 CSV：UTF-8 或 GBK）',
    args: ['FILE'],
    details: [
      '表头：季度,任务名称,说明,单位,截止日期,牵头人（也可用英文 quarter,title,description,units,due,lead；说明、单位、牵头人可不填，单位不填为全部单位，多个单位用顿号分隔）。',
      '任何一行有错误时不部署任何任务，并列出全部有错误的行；已部署过的任务不会重复，同一文件可重新导入。',
    ],
    run: async ({ args: [file = ''] }) => {
      const result = await importTasks(readFileSync(file), OPERATOR, { deliver: deliverTask });
      if (!result.ok) {
        console.error(`任务表有 ${result.errors.length} 处错误，未部署任何任务：`);
        for (const e of result.errors) console.error(`  ${e.message}`);
        return 1;
      }
      console.log(
        `导入完成：共 ${result.lines} 行，新部署 ${result.added} 项，已部署过 ${result.duplicates} 项（未重复部署）。`,
      );
      return 0;
    },
  },
  'task list': {
    summary: '列出一个季度的重点调研任务',
    options: { quarter: { type: 'string', value: 'YYYYQN', help: '季度（默认本季度）' } },
    run: async ({ values, county }) => {
      const quarter = cliQuarter(values);
      if (!quarter) return 2;
      const [tasks, roster] = await Promise.all([listTasks(county, quarter), listRoster(county)]);
      if (tasks.length === 0) {
        console.log(`${quarterLabel(quarter)}还没有重点调研任务。`);
        return 0;
      }
      const names = reportingUnits(roster).names;
      const rows = tasks.map((t) => [
        t.taskId,
        t.title,
        t.due,
        t.lead || '—',
        t.closedAt ? '已结束' : isOpen(t) ? '进行中' : '已截止',
        audienceOf(t, names),
      ]);
      for (const line of table([['编号', '任务名称', '截止', '牵头人', '状态', '承担单位'], ...rows]))
        console.log(line);
      return 0;
    },
  },
  'task close': {
    summary: '结束重点调研任务：调研文稿不再能选择；已报送的仍计入',
    args: ['ID'],
    run: async ({ args: [id = ''] }) => {
      const { task, closed } = await closeTask(id, OPERATOR);
      console.log(closed ? `调研任务“${task.title}”已结束。` : `调研任务“${task.title}”此前已经结束。`);
      return 0;
    },
  },
  'task status': {
    summary: '重点调研任务完成情况（单位 × 任务：未提交、已提交、已退回、已采用、逾期）',
    options: {
      quarter: { type: 'string', value: 'YYYYQN', help: '季度（默认本季度）' },
      xlsx: { type: 'string', value: 'FILE', help: '另存为 Excel 文件' },
      csv: { type: 'string', value: 'FILE', help: '另存为 CSV 文件（UTF-8，带 BOM）' },
    },
    run: async ({ values }) => {
      const quarter = cliQuarter(values);
      if (!quarter) return 2;
      const m = await taskMatrix(quarter);
      console.log(`${quarterLabel(quarter)}重点调研任务完成情况（${m.tasks.length} 项任务，${m.units.length} 个单位）`);
      if (m.tasks.length) {
        const rows = m.units.map((u) => [
          u.name,
          ...m.tasks.map((t) => {
            const c = m.cells[t.taskId]?.[u.unitId];
            return c ? `${STATE_LABELS[c.state]}${c.on ? ` ${c.on}` : ''}` : '—';
          }),
        ]);
        for (const line of table([['单位', ...m.tasks.map((t) => t.taskId)], ...rows])) console.log(line);
        for (const t of m.tasks) console.log(`${t.taskId}：${t.title}（${t.due} 截止）`);
      }
      await writeFiles(values, (format) => sheetFile(matrixSheet(m), matrixFileName(m), format));
      return 0;
    },
  },
};

/** `--quarter` (default this quarter), or undefined after saying what is wrong with it. */
function cliQuarter(values: Values): string | undefined {
  const quarter = (str(values.quarter) ?? thisQuarter()).toUpperCase();
  if (isQuarter(quarter)) return quarter;
  console.error(`季度格式不正确：${quarter}（应为 2026Q4 这样的年份加 Q1—Q4）`);
  return undefined;
}
