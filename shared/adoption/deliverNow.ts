// An adoption's email sent at once, by the request that recorded it; if that fails, the sweeper sends it. Its own
// module: whoever leaves the email to the sweeper (the desk's table import) bundles no SES client.
import { config } from '../core/config';
import { errorFields, log } from '../core/log';
import { deliverWritten } from '../mail/outbox';
import { rosterRecipients } from '../roster/people';
import type { Deliver } from '../roster/rosterEvents';
import { adoptionTemplates } from './emails';

export const deliverAdoption: Deliver = async (item, person) => {
  const sender = {
    templates: adoptionTemplates,
    recipients: rosterRecipients(config().countyId, { people: [person] }),
  };
  await deliverWritten(item, sender).catch((err) =>
    log.warn('adoption email left to the sweeper', { personId: person.personId, ...errorFields(err) }),
  );
};
