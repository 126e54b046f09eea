// Use case: 停用 a person who has left, or 启用 them again. 停用: every link of theirs stops (submission, review,
// desk, receipt), they get no more email (pending emails to them are dropped when due), an editor no longer gets
// review requests; their pieces, decisions and points stay in the record. 启用 restores all that, with the same links.
import { now } from '../core/clock';
import { config } from '../core/config';
import { NotFoundError } from '../core/errors';
import { personIdOf } from '../store/keys';
import { getPerson, type Person, refreshSummary, setPersonActive } from './people';

/** `who`: the person's email (the CLI) or id (the desk). Idempotent: 停用 twice is 停用. */
export async function setActive(who: { email?: string; personId?: string }, active: boolean): Promise<Person> {
  const county = config().countyId;
  const personId = who.personId ?? personIdOf(county, who.email ?? '');
  const person = await getPerson(county, personId, { consistent: true });
  if (!person) throw new NotFoundError(`名单中没有这个人员${who.email ? `：${who.email}` : ''}`);
  await setPersonActive(county, personId, active, now().toISOString());
  // Who reviews is read from the summary: an editor 停用 must leave it at once (and come back when 启用).
  if (person.role === 'editor') await refreshSummary(county);
  return { ...person, ...(active ? { inactive: undefined } : { inactive: true }) };
}
