// Use case: an editor closes a research task (`task close ID`, the desk's 结束 button): the task closed with one
// conditional update (closing twice is the first close), then it leaves the open list; its status stays.
import { config } from '../core/config';
import { NotFoundError } from '../core/errors';
import { markClosed } from '../topics/closeTopic';
import { editOpenTasks } from './addTask';
import { readTask, type Task, taskKey } from './tasks';

export async function closeTask(taskId: string, by: { name: string }): Promise<{ task: Task; closed: boolean }> {
  const county = config().countyId;
  const task = await readTask(county, taskId);
  if (!task) throw new NotFoundError(`没有编号为 ${taskId} 的调研任务。`);
  const at = task.closedAt ? undefined : await markClosed(taskKey(county, taskId), by);
  await editOpenTasks(county, (list) =>
    list.some((t) => t.taskId === taskId) ? list.filter((t) => t.taskId !== taskId) : undefined,
  );
  if (at) return { task: { ...task, closedAt: at, closedBy: by.name }, closed: true };
  return { task: (await readTask(county, taskId)) ?? task, closed: false };
}
