// Use case: an editor assigns a research task (重点调研) — on the desk, with `task add`, or a row of `task import`.
// 1. Check the fields against the roster's units (nothing is written when one is wrong).
// 2. Put the task item only if absent: its id is derived from (quarter, title, due day), so the same task sent twice
//    (a second press, a retry, a file imported again) is one task. The item carries one email per active informant
//    of its units (outbox).
// 3. Add it to the open list. A crash between 2 and 3 is mended by assigning it again, which finds it and lists it.
import { now } from '../core/clock';
import { config } from '../core/config';
import { outboxAttributes } from '../mail/outbox';
import { listRoster, type Roster } from '../roster/people';
import type { Deliver } from '../roster/rosterEvents';
import { putIfAbsent } from '../store/db';
import { digest } from '../store/keys';
import { callNotifications, informantsOf } from '../topics/addTopic';
import { editList } from '../topics/openList';
import { checkTask, type TaskInput } from './taskInput';
import { type OpenTask, openTasksKey, openTasksOf, readTask, type Task, taskKey } from './tasks';

export interface AddTaskResult {
  task: Task;
  /** False: the same task was assigned before (its emails went then). */
  added: boolean;
  /** Informants told. */
  recipients: number;
}

/** `R26Q4` + a short hash of (quarter, title, due day): readable on the command line, the same for the same task. */
export const taskIdOf = (county: string, input: Pick<TaskInput, 'quarter' | 'title' | 'due'>): string =>
  `R${input.quarter.slice(2, 4)}${input.quarter.slice(4)}${digest(county, input.quarter, input.title, input.due).slice(0, 6)}`;

/** The open tasks' list. */
export const editOpenTasks = (county: string, change: (open: OpenTask[]) => OpenTask[] | undefined) =>
  editList(openTasksKey(county), 'tasks', openTasksOf, change);

export async function addTask(
  fields: Record<string, unknown>,
  by: { name: string },
  options: { deliver?: Deliver | undefined; roster?: Roster } = {},
): Promise<AddTaskResult> {
  const county = config().countyId;
  const roster = options.roster ?? (await listRoster(county));
  const input = checkTask(fields, Object.fromEntries(roster.units.map((u) => [u.unitId, u.name])));
  return assignTask(input, roster, by, options.deliver);
}

/** Writes a checked task (and its emails) once, and lists it open. */
export async function assignTask(
  input: TaskInput,
  roster: Roster,
  by: { name: string },
  deliver?: Deliver,
): Promise<AddTaskResult> {
  const county = config().countyId;
  const taskId = taskIdOf(county, input);
  const task: Task = { taskId, ...input, createdAt: now().toISOString(), createdBy: by.name };
  const informants = informantsOf(roster.people, input.units);
  const notifications = callNotifications(informants, 'task');
  const item = {
    ...taskKey(county, taskId),
    type: 'task',
    ...task,
    ...(notifications.length
      ? outboxAttributes(county, notifications, task.createdAt, { held: deliver !== undefined })
      : {}),
  };
  const added = await putIfAbsent(item);
  const stored = added ? task : ((await readTask(county, taskId)) ?? task);
  if (!stored.closedAt) {
    await editOpenTasks(county, (list) =>
      list.some((t) => t.taskId === taskId)
        ? undefined
        : [...list, { taskId, quarter: stored.quarter, title: stored.title, due: stored.due, units: stored.units }],
    );
  }
  if (added && deliver && informants[0]) await deliver(item, informants[0]);
  return { task: stored, added, recipients: added ? informants.length : 0 };
}
