// Use case (the daily reminders job, 09:00 Asia/Shanghai): the research tasks' reminders — a week before a task's due
// day to the informants of its units that have sent nothing for it, and from the day after it an overdue notice to
// those units and one to the editors naming them. Each once: one item per (task, notice, unit), put only if absent,
// carrying its emails (sent at once, what fails left to the sweeper). A task assigned within its last week gets no
// reminder (its assignment email is fresh); a closed task gets none. Reads the task partition's two quarters and,
// only when some task is in its window, the month partitions its status needs.
import { dayOf, now, shiftDay as shift } from '../core/clock';
import { config } from '../core/config';
import { errorFields, log } from '../core/log';
import { deliverWritten, type NotificationDraft, outboxAttributes } from '../mail/outbox';
import { monthsEvents } from '../reports/issueStats';
import { isActive, listRoster, type Person, reportingUnits, rosterRecipients } from '../roster/people';
import { putIfAbsent } from '../store/db';
import { keys } from '../store/keys';
import { callNotifications, informantsOf } from '../topics/addTopic';
import { researchTemplates } from './emails';
import { quarterOf, shiftQuarter } from './quarters';
import { matrixMonths, taskCells } from './status';
import { listTasks, type Task } from './tasks';

/** Days before the due day the reminder goes; days after it the overdue notice may still go (a job missed a day). */
const REMIND_DAYS = 7;
const OVERDUE_DAYS = 7;

export interface TaskReminderResult {
  reminded: number;
  overdue: number;
}

type Notice = 'remind' | 'overdue';

export async function taskReminders(): Promise<TaskReminderResult> {
  const county = config().countyId;
  const today = dayOf(now());
  const quarter = quarterOf(today);
  // Last quarter's too (a task due on its last day is overdue in this one), and next quarter's when its first week
  // is within reach (a reminder a week ahead): one Query of the quarters' range.
  const tasks = (
    await listTasks(county, shiftQuarter(quarter, -1), undefined, quarterOf(shift(today, REMIND_DAYS)))
  ).filter((t) => !t.closedAt);
  const reminding = (t: Task) =>
    today >= shift(t.due, -REMIND_DAYS) && today < t.due && dayOf(t.createdAt) < shift(t.due, -REMIND_DAYS);
  const overdue = (t: Task) => today > t.due && today <= shift(t.due, OVERDUE_DAYS);
  const due = tasks.filter((t) => reminding(t) || overdue(t));
  const result: TaskReminderResult = { reminded: 0, overdue: 0 };
  if (due.length === 0) return result;

  const roster = await listRoster(county);
  const { names, reporting } = reportingUnits(roster);
  const months = [...new Set(due.flatMap((t) => matrixMonths(t.quarter, [t], today)))].sort();
  const cells = taskCells(due, reporting, (await monthsEvents(county, months)).flat(), today);
  const sender = { templates: researchTemplates, recipients: rosterRecipients(county) };
  const at = now().toISOString();
  const notify = async (task: Task, notice: Notice, to: string, notifications: NotificationDraft[]) => {
    if (notifications.length === 0) return false;
    const item = {
      pk: keys.tasks(county),
      sk: `N#${task.taskId}#${notice}#${to}`,
      type: 'taskNotice',
      task: { taskId: task.taskId, quarter: task.quarter, title: task.title, due: task.due, lead: task.lead },
      ...outboxAttributes(county, notifications, at),
    };
    // The same notice again (a second run the same day, or the next day) finds it and sends nothing.
    if (!(await putIfAbsent(item))) return false;
    await deliverWritten(item, sender).catch((err) => log.warn('task notice left to the sweeper', errorFields(err)));
    return true;
  };
  const editors = roster.people.filter((p: Person) => p.role === 'editor' && isActive(p));
  for (const task of due) {
    const notice: Notice = overdue(task) ? 'overdue' : 'remind';
    const late = Object.entries(cells[task.taskId] ?? {})
      .filter(([, cell]) => cell.state === (notice === 'overdue' ? 'overdue' : 'none'))
      .map(([unitId]) => unitId)
      .sort((a, b) => (names[a] ?? a).localeCompare(names[b] ?? b, 'zh'));
    for (const unitId of late) {
      const template = notice === 'overdue' ? 'taskOverdue' : 'taskReminder';
      if (await notify(task, notice, unitId, callNotifications(informantsOf(roster.people, [unitId]), template))) {
        if (notice === 'overdue') result.overdue += 1;
        else result.reminded += 1;
      }
    }
    if (notice === 'overdue' && late.length > 0) {
      const units = late.map((u) => names[u] ?? u).join('、');
      await notify(
        task,
        notice,
        'editors',
        editors.map((p) => ({
          to: p.email,
          template: 'taskOverdueEditors',
          personId: p.personId,
          data: { name: p.name, personId: p.personId, units, count: late.length },
        })),
      );
    }
  }
  if (result.reminded || result.overdue) log.info('task reminders sent', { ...result });
  return result;
}
