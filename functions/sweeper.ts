// Timed job (EventBridge Scheduler every minute; a timer under `npm start`): send whatever email is still pending.
import { config } from '../shared/config';
import { log } from '../shared/log';
import { sweepOutbox } from '../shared/outbox';

export const handler = async (): Promise<{ sent: number; failed: number; pending: number }> => {
  const result = await sweepOutbox(config().countyId);
  if (result.sent || result.failed) log.info('outbox swept', { ...result });
  return result;
};
