// Roster events: a welcome, a fresh link after a revoke, a link someone asked for. Each is an item that carries
// its email through the outbox, under a deterministic key, so repeating the action never repeats the email.

import { now } from '../core/clock';
import { config } from '../core/config';
import { errorFields, log } from '../core/log';
import { deliverWritten, outboxAttributes } from '../mail/outbox';
import { putIfAbsent } from '../store/db';
import { keys } from '../store/keys';
import { type RosterTemplate, rosterTemplates } from './emails';
import { type Person, rosterRecipients } from './people';

/**
 * Writes the event `sk` for `person` with one email of `template`; false when it already exists.
 * `sendNow` tries the email at once; otherwise the sweeper sends it.
 */
export async function recordLinkEmail(
  person: Person,
  sk: string,
  template: RosterTemplate,
  extra: { unitName?: string; sendNow: boolean },
): Promise<boolean> {
  const county = config().countyId;
  const at = now().toISOString();
  const item = {
    pk: keys.rosterEvents(county),
    sk,
    type: template,
    personId: person.personId,
    at,
    ...outboxAttributes(
      county,
      [
        {
          to: person.email,
          template,
          personId: person.personId,
          data: {
            name: person.name,
            personId: person.personId,
            unitName: extra.unitName ?? '',
          },
        },
      ],
      at,
      { held: extra.sendNow },
    ),
  };
  if (!(await putIfAbsent(item))) return false;
  if (extra.sendNow) {
    const sender = { templates: rosterTemplates, recipients: rosterRecipients(county, { people: [person] }) };
    await deliverWritten(item, sender).catch((err) =>
      log.warn('roster email left to the sweeper', { personId: person.personId, ...errorFields(err) }),
    );
  }
  return true;
}
