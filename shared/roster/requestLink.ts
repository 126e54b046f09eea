// Use case: "send me my link". Neither the answer nor the work done depends on whether the address is in the roster
// (no enumeration, not even by timing): every well-formed request writes the same throttle marker and the same
// request item; the sweeper then looks the address up, sends the link to an informant and drops the rest.
import { now } from '../core/clock';
import { config } from '../core/config';
import { ValidationError } from '../core/errors';
import { isReadable } from '../core/text';
import { outboxAttributes } from '../mail/outbox';
import { putIfAbsent } from '../store/db';
import { digest, keys } from '../store/keys';
import { expiresAt } from '../store/tableDefinition';
import { throttle } from './rosterEvents';

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
  const subject = digest('link', email);
  if (!(await throttle('link', subject, WINDOW_MS))) return;
  const t = now();
  const at = t.toISOString();
  await putIfAbsent({
    pk: keys.rosterEvents(county),
    sk: `LINKREQ#${subject}#${t.getTime()}`,
    type: 'linkRequest',
    at,
    expiresAt: expiresAt(t.getTime() + KEEP_MS),
    ...outboxAttributes(county, [{ to: email, template: 'link', data: { email } }], at),
  });
}
