// Timed job (EventBridge Scheduler every minute; a timer under `npm start`): send whatever email is still pending.

import { sweepAll } from '../shared/app/sweep';
import { config } from '../shared/core/config';
import { log } from '../shared/core/log';

export const handler = async (): Promise<{ sent: number; failed: number; pending: number }> => {
  const result = await sweepAll(config().countyId);
  if (result.sent || result.failed) log.info('outbox swept', { ...result });
  // The heartbeat: the stack's SweeperSilent alarm fires when no run has finished for 15 minutes.
  log.info('sweep finished', { pending: result.pending });
  return result;
};
