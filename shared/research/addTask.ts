// Use case: an editor assigns a research task (重点调研) — on the desk, with `task add`, or a row of `task import`.
// 1. Check the fields against the roster's units (nothing is written when one is wrong).
// 2. Put the task item only if absent: its id is derived from (quarter, title, due day), so the same task sent twice
//    (a second press, a retry, a file imported again) is one task. The item carries one email per active informant
//    of its units (outbox).
// 3. Add it to the open list. A crash between 2 and 3 is mended by assigning it again, which finds it and lists it.
import { now } from '../core/clock';
import { config } from '../core/config';
import { listRoster, type Roster } from '../roster/people';
import type { Deliver } from '../roster/rosterEvents';
import { digest } from '../store/keys';
import { issueCall } from '../topics/addTopic';
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
  const { stored, added, recipients } = await issueCall({
    key: taskKey(county, taskId),
    type: 'task',
    call: task,
    people: roster.people,
    template: 'task',
    read: () => readTask(county, taskId),
    list: (t) =>
      editOpenTasks(county, (list) =>
        list.some((o) => o.taskId === taskId)
          ? undefined
          : [...list, { taskId, quarter: t.quarter, title: t.title, due: t.due, units: t.units }],
      ),
    deliver,
  });
  return { task: stored, added, recipients };
}
