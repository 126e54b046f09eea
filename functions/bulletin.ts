// Timed job (EventBridge Scheduler on the 1st of each month, 09:00 Asia/Shanghai; `npm run admin -- schedule run
// bulletin` locally): the 通报 of the month before the scheduled time, once per recipient. What could not be sent
// makes the run fail, so Lambda's retry (and at last the dead-letter queue) comes back for the rest.
import { previousMonth } from '../shared/bulletin/months';
import { type SendResult, sendBulletin } from '../shared/bulletin/sendBulletin';
import { now } from '../shared/core/clock';
import { log } from '../shared/core/log';

export const handler = async (event: { scheduledTime?: string } = {}): Promise<SendResult> => {
  const at = event.scheduledTime ? new Date(event.scheduledTime) : now();
  const month = previousMonth(Number.isNaN(at.getTime()) ? now() : at);
  const result = await sendBulletin(month);
  if (result.failed > 0) {
    log.error('bulletin emails left unsent', { month, failed: result.failed });
    throw new Error(`bulletin ${month}: ${result.failed} emails left unsent`);
  }
  return result;
};
