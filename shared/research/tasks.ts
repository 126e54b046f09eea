// 重点调研 research tasks: the department's key research effort of a quarter, assigned to every unit or to chosen
// ones, with a due day and a lead. One item per task under the county's task partition, sorted by quarter
// (`Q#2026Q4#<id>`), so a quarter's tasks are one range whatever the years behind; and one small list of the open
// ones (`OPEN`) that the submission form reads in the BatchGet it makes anyway. A task is open until it is closed or
// its due day (Asia/Shanghai) has passed; a research paper of an assigned unit may name it.
import { getItems, type ItemKey, keyId, queryAll, type ReadUsage } from '../store/db';
import { keys } from '../store/keys';
import { openForUnit, openListOf } from '../topics/topics';

export interface Task {
  taskId: string;
  /** `2026Q4`. */
  quarter: string;
  title: string;
  description: string;
  /** `2026-12-20`: the last day to submit, inside the quarter. */
  due: string;
  /** Every unit, or the chosen units' ids. */
  units: 'all' | string[];
  /** Who leads it (牵头人), as typed. */
  lead: string;
  createdAt: string;
  createdBy: string;
  closedAt?: string;
  closedBy?: string;
}

/** What the open list keeps of a task: enough to offer it on the form and to check a paper naming it. */
export type OpenTask = Pick<Task, 'taskId' | 'quarter' | 'title' | 'due' | 'units'>;

/** `R26Q4a1b2c3`: R, the quarter, a short hash. Anything else names no task and is read for none. */
export const isTaskId = (text: string): boolean => /^R\d{2}Q[1-4][0-9a-f]{6}$/.test(text);

/** The quarter a task id names (`R26Q4…` → `2026Q4`). */
export const quarterOfTask = (taskId: string): string => `20${taskId.slice(1, 3)}Q${taskId.slice(4, 5)}`;

const taskSk = (quarter: string, taskId: string) => `Q#${quarter}#${taskId}`;

export const taskKey = (county: string, taskId: string): ItemKey => ({
  pk: keys.tasks(county),
  sk: taskSk(quarterOfTask(taskId), taskId),
});

export const openTasksKey = (county: string): ItemKey => ({ pk: keys.tasks(county), sk: 'OPEN' });

export const openTasksOf = (item: Record<string, unknown> | undefined): OpenTask[] => openListOf(item, 'tasks');

/** The open tasks a unit's research paper may name, soonest due first. */
export const openTasksFor = (item: Record<string, unknown> | undefined, unitId: string | undefined): OpenTask[] =>
  openForUnit(openTasksOf(item), unitId);

/** A task as stored, without what its item also carries (its emails, leases, keys). */
function taskOf(item: Record<string, unknown>): Task {
  const t = item as unknown as Task;
  return {
    taskId: t.taskId,
    quarter: t.quarter,
    title: t.title,
    description: t.description ?? '',
    due: t.due,
    units: t.units,
    lead: t.lead ?? '',
    createdAt: t.createdAt,
    createdBy: t.createdBy,
    ...(t.closedAt ? { closedAt: t.closedAt, closedBy: t.closedBy ?? '' } : {}),
  };
}

export async function readTask(county: string, taskId: string): Promise<Task | undefined> {
  if (!isTaskId(taskId)) return undefined;
  const key = taskKey(county, taskId);
  const item = (await getItems([key], { consistent: true })).get(keyId(key));
  return item ? taskOf(item) : undefined;
}

/** A quarter's tasks (or those of the quarters `quarter` to `to`), soonest due first: one Query of one range. */
export async function listTasks(county: string, quarter: string, usage?: ReadUsage, to = quarter): Promise<Task[]> {
  const items = await queryAll(
    {
      KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
      ExpressionAttributeValues: { ':pk': keys.tasks(county), ':from': `Q#${quarter}#`, ':to': `Q#${to}#~` },
    },
    usage,
  );
  return items.map(taskOf).sort((a, b) => a.due.localeCompare(b.due) || a.createdAt.localeCompare(b.createdAt));
}

/** The units a task is assigned to, of those reporting (ids). */
export function assignedUnits(task: Pick<Task, 'units'>, reporting: string[]): string[] {
  return task.units === 'all' ? reporting : reporting.filter((u) => task.units.includes(u));
}
