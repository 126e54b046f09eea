// Timed job (EventBridge Scheduler on the first day of each quarter, 09:00 Asia/Shanghai; `npm run admin --
// schedule run quarterly` locally): the research status of the quarter before the scheduled time, to leaders and
// editors, once per recipient. What could not be sent makes the run fail, so Lambda's retry (and at last the
// dead-letter queue) comes back for the rest; the sweeper resumes it too.
import { dayOf, now } from '../shared/core/clock';
import { log } from '../shared/core/log';
import type { SendResult } from '../shared/mail/runs';
import { sendQuarterly } from '../shared/research/quarterly';
import { quarterOf, shiftQuarter } from '../shared/research/quarters';

export const handler = async (event: { scheduledTime?: string } = {}): Promise<SendResult> => {
  const at = event.scheduledTime ? new Date(event.scheduledTime) : now();
  const quarter = shiftQuarter(quarterOf(dayOf(Number.isNaN(at.getTime()) ? now() : at)), -1);
  const result = await sendQuarterly(quarter);
  if (result.failed > 0) {
    log.error('quarterly emails left unsent', { quarter, failed: result.failed });
    throw new Error(`quarterly ${quarter}: ${result.failed} emails left unsent`);
  }
  return result;
};
