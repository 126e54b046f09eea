// Roster events: a welcome, a fresh link after a revoke, a link someone asked for. Each is an item that carries
// its email through the outbox, under a deterministic key, so repeating the action never repeats the email.

import { now } from '../core/clock';
import { config } from '../core/config';
import { outboxAttributes } from '../mail/outbox';
import { type ItemKey, putIfAbsent } from '../store/db';
import { keys } from '../store/keys';
import type { RosterTemplate } from './emails';
import type { Person } from './people';

/** The one desk-link welcome an editor or a leader gets (from an import, or once for those already there). */
export const deskWelcomeKey = (personId: string): string => `DESKWELCOME#${personId}`;

/** Sends a roster event's email at once (shared/roster/deliverNow.ts); without one, the sweeper sends it. */
export type Deliver = (item: Record<string, unknown> & ItemKey, person: Person) => Promise<void>;

/**
 * Writes the event `sk` for `person` with one email of `template`; false when it already exists.
 * `deliver` tries the email at once (the item is held for it); without it the sweeper sends it.
 */
export async function recordLinkEmail(
  person: Person,
  sk: string,
  template: RosterTemplate,
  extra: { unitName?: string; deliver?: Deliver | undefined },
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
      { held: extra.deliver !== undefined },
    ),
  };
  if (!(await putIfAbsent(item))) return false;
  await extra.deliver?.(item, person);
  return true;
}
