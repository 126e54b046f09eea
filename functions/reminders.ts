// Timed job (EventBridge Scheduler daily at 09:00 Asia/Shanghai; a timer under `npm start`): remind editors of
// pieces waiting too long for a decision.
import { log } from '../shared/core/log';
import { type ReminderResult, sendReminders } from '../shared/review/sendReminders';

export const handler = async (): Promise<ReminderResult> => {
  const result = await sendReminders();
  if (result.reminded || result.cleared) log.info('reminders sent', { ...result });
  return result;
};
