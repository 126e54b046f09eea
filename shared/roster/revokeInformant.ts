// Use case: revoke an informant's personal link (lost phone, forwarded email) and send them a fresh one.
import { now } from '../core/clock';
import { config } from '../core/config';
import { NotFoundError } from '../core/errors';
import { personIdOf } from '../store/keys';
import { bumpKeyVersion, getPerson, getUnit } from './people';
import { recordLinkEmail } from './rosterEvents';

export async function revokeInformant(email: string): Promise<{ name: string; keyVersion: number }> {
  const county = config().countyId;
  const person = await getPerson(county, personIdOf(county, email));
  if (person?.role !== 'informant') throw new NotFoundError(`名单中没有这位信息员：${email}`);
  const keyVersion = await bumpKeyVersion(county, person.personId, now().toISOString());
  const unit = person.unitId ? await getUnit(county, person.unitId) : undefined;
  await recordLinkEmail({ ...person, keyVersion }, `NEWLINK#${person.personId}#v${keyVersion}`, 'newLink', {
    unitName: unit?.name,
    sendNow: true,
  });
  return { name: person.name, keyVersion };
}
