// Use case: "send me my link". The answer never depends on whether the address is in the roster (no enumeration),
// and the email itself goes out through the sweeper, so the response time does not tell either.
import { now } from '../core/clock';
import { config } from '../core/config';
import { ValidationError } from '../core/errors';
import { personIdOf } from '../store/keys';
import { getPerson } from './people';
import { recordLinkEmail, throttle } from './rosterEvents';

const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,189}\.[^\s@]{2,}$/;
/** At most one link email per person in this window, however often the form is sent. */
const WINDOW_MS = 10 * 60_000;

export async function requestLink(rawEmail: unknown): Promise<void> {
  const email = typeof rawEmail === 'string' ? rawEmail.trim().toLowerCase() : '';
  if (!EMAIL.test(email) || email.length > 254) {
    throw new ValidationError([{ field: 'email', message: '请填写正确的邮箱地址。' }]);
  }
  const county = config().countyId;
  const person = await getPerson(county, personIdOf(county, email));
  if (person?.role !== 'informant') return;
  if (!(await throttle('link', person.personId, WINDOW_MS))) return;
  await recordLinkEmail(person, `LINKREQ#${person.personId}#${now().getTime()}`, 'link', { sendNow: false });
}
