// A roster email sent at once, by the request that wrote it (the outbox's held delivery); if that fails, the
// sweeper sends it. Its own module: whoever does not send at once (the desk's upload) bundles no SES client.
import { config } from '../core/config';
import { errorFields, log } from '../core/log';
import { deliverWritten } from '../mail/outbox';
import { rosterTemplates } from './emails';
import { rosterRecipients } from './people';
import type { Deliver } from './rosterEvents';

export const deliverNow: Deliver = async (item, person) => {
  const sender = { templates: rosterTemplates, recipients: rosterRecipients(config().countyId, { people: [person] }) };
  await deliverWritten(item, sender).catch((err) =>
    log.warn('roster email left to the sweeper', { personId: person.personId, ...errorFields(err) }),
  );
};
