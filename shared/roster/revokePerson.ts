// Use case: revoke a person's links (lost phone, forwarded email): every link they hold stops at once, whatever
// their role. An informant is sent a fresh personal link; an editor's review links are renewed from the old link's
// page (a button emails a fresh one) or come with the next review request or reminder.
import { now } from '../core/clock';
import { config } from '../core/config';
import { NotFoundError } from '../core/errors';
import { personIdOf } from '../store/keys';
import { bumpKeyVersion, getPerson, getUnit, type Person, refreshSummary } from './people';
import { recordLinkEmail } from './rosterEvents';

export async function revokePerson(email: string): Promise<{ person: Person; keyVersion: number; emailed: boolean }> {
  const county = config().countyId;
  const person = await getPerson(county, personIdOf(county, email), { consistent: true });
  if (!person) throw new NotFoundError(`名单中没有这个邮箱：${email}`);
  const keyVersion = await bumpKeyVersion(county, person, now().toISOString());
  // Review requests sign editors' links with the key versions in the roster summary: it must know the new one.
  if (person.role === 'editor') await refreshSummary(county);
  if (person.role !== 'informant') return { person, keyVersion, emailed: false };
  const unit = person.unitId ? await getUnit(county, person.unitId) : undefined;
  await recordLinkEmail({ ...person, keyVersion }, `NEWLINK#${person.personId}#v${keyVersion}`, 'newLink', {
    unitName: unit?.name,
    sendNow: true,
  });
  return { person, keyVersion, emailed: true };
}
