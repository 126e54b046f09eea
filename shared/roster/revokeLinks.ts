// Use case: revoke a person's links (lost phone, forwarded email): every link they hold stops at once, whatever
// their role, and a fresh one goes to their address in the roster — an informant's personal link, an editor's or a
// leader's desk link — sent by `deliver` at once (the CLI: revokePerson) or by the sweeper (the desk's button). An
// editor's review links are renewed from the old link's page (a button emails a fresh one) or come with the next
// review request or reminder.
import { now } from '../core/clock';
import { config } from '../core/config';
import { NotFoundError } from '../core/errors';
import { personIdOf } from '../store/keys';
import { bumpKeyVersion, getPerson, getUnit, type Person, refreshSummary } from './people';
import { type Actor, type Deliver, logAction, recordLinkEmail } from './rosterEvents';

export interface Revoked {
  person: Person;
  keyVersion: number;
  emailed: boolean;
}

/**
 * `seen`: the key version the asker saw (the desk's button carries it). Already past it, the revoke was done —
 * by this press whose answer was lost, or by someone else — and is not done again; only its email is made sure of
 * (its key names the version, so it is written once).
 */
export async function revokeLinks(email: string, deliver?: Deliver, seen?: number, by?: Actor): Promise<Revoked> {
  const county = config().countyId;
  const person = await getPerson(county, personIdOf(county, email), { consistent: true });
  if (!person) throw new NotFoundError(`名单中没有这个邮箱：${email}`);
  const keyVersion =
    seen !== undefined && person.keyVersion > seen
      ? person.keyVersion
      : await bumpKeyVersion(county, person, now().toISOString());
  // Review requests sign editors' links with the key versions in the roster summary: it must know the new one.
  if (person.role === 'editor') await refreshSummary(county);
  // Someone 停用 gets nothing: their links stay stopped until they are 启用 again; the 操作记录 still lists the revoke.
  if (person.inactive) {
    if (by) await logAction({ type: 'revoke', by, personId: person.personId });
    return { person, keyVersion, emailed: false };
  }
  const fresh = { ...person, keyVersion };
  if (person.role !== 'informant') {
    await recordLinkEmail(fresh, `DESKNEW#${person.personId}#v${keyVersion}`, 'deskNewLink', { deliver, by });
    return { person, keyVersion, emailed: true };
  }
  const unit = person.unitId ? await getUnit(county, person.unitId) : undefined;
  await recordLinkEmail(fresh, `NEWLINK#${person.personId}#v${keyVersion}`, 'newLink', {
    unitName: unit?.name,
    deliver,
    by,
  });
  return { person, keyVersion, emailed: true };
}
