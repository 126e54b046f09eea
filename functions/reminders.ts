// Timed job (EventBridge Scheduler daily at 09:00 Asia/Shanghai; a timer under `npm start`): remind editors of
// pieces waiting too long for a decision, and the units of a 重点调研 task that have sent nothing for it (a week
// before its due day; the day after it they and the editors hear it is overdue).
import { log } from '../shared/core/log';
import { type TaskReminderResult, taskReminders } from '../shared/research/reminders';
import { type ReminderResult, sendReminders } from '../shared/review/sendReminders';

export const handler = async (): Promise<ReminderResult & { tasks: TaskReminderResult }> => {
  // The two do not wait on each other: a failure of one still lets the other go, and the run fails for a retry.
  const [pieces, tasks] = await Promise.allSettled([sendReminders(), taskReminders()]);
  if (pieces.status === 'rejected') throw pieces.reason;
  if (tasks.status === 'rejected') throw tasks.reason;
  const result = { ...pieces.value, tasks: tasks.value };
  if (result.reminded || result.cleared) log.info('reminders sent', { ...pieces.value });
  return result;
};
