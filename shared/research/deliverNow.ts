// The research task's emails sent at once by the request that issued it; what fails is the sweeper's. Its own module, so a
// function that leaves them to the sweeper bundles no SES client.
import { config } from '../core/config';
import { errorFields, log } from '../core/log';
import { deliverWritten } from '../mail/outbox';
import { rosterRecipients } from '../roster/people';
import type { Deliver } from '../roster/rosterEvents';
import { researchTemplates } from './emails';

export const deliverTask: Deliver = async (item) => {
  const sender = { templates: researchTemplates, recipients: rosterRecipients(config().countyId) };
  await deliverWritten(item, sender).catch((err) => log.warn('task emails left to the sweeper', errorFields(err)));
};
