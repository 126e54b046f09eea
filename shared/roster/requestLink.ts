// Use case: "send me my link". Neither the answer nor the work done depends on whether the address is in the roster
// (no enumeration, not even by timing): every well-formed request makes the same one conditional write, a request
// item per address that at most one request in ten minutes replaces; the sweeper then looks the address up, sends
// the link to an informant and drops the rest.
import { now } from '../core/clock';
import { config } from '../core/config';
import { ValidationError } from '../core/errors';
import { isReadable } from '../core/text';
import { outboxAttributes } from '../mail/outbox';
import { putIf } from '../store/db';
import { digest, keys, personIdOf } from '../store/keys';
import { expiresAt } from '../store/tableDefinition';

const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,189}\.[^\s@]{2,}$/;
/** At most one link email per address in this window, however often the form is sent. */
const WINDOW_MS = 10 * 60_000;
/** How long a request item is kept once handled (it holds an address someone typed). */
const KEEP_MS = 24 * 3600_000;

export async function requestLink(rawEmail: unknown): Promise<void> {
  const email = typeof rawEmail === 'string' ? rawEmail.trim().toLowerCase() : '';
  if (!EMAIL.test(email) || email.length > 254 || !isReadable(email)) {
    throw new ValidationError([{ field: 'email', message: '请填写正确的邮箱地址。' }]);
  }
  const county = config().countyId;
  const t = now();
  const at = t.toISOString();
  // Within the window of the last request for this address, nothing is written (and the answer is the same).
  await putIf(
    {
      pk: keys.rosterEvents(county),
      sk: `LINKREQ#${digest('link', email)}`,
      type: 'linkRequest',
      at: t.getTime(),
      expiresAt: expiresAt(t.getTime() + KEEP_MS),
      ...outboxAttributes(
        county,
        [
          {
            to: email,
            template: 'link',
            personId: personIdOf(county, email),
            data: { personId: personIdOf(county, email) },
          },
        ],
        at,
        { held: false },
      ),
    },
    {
      expression: 'attribute_not_exists(pk) OR #at <= :cutoff',
      names: { '#at': 'at' },
      values: { ':cutoff': t.getTime() - WINDOW_MS },
    },
  );
}
