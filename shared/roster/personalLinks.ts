// A person's own links, read against the roster: a personal key is good only while its key version is the person's
// current one, and links in an email are signed with the version current when the email is rendered.
import { config } from '../core/config';
import { DroppedEmailError, InvalidLinkError } from '../core/errors';
import { submitClaims, submitKey } from '../links/links';
import { getPerson, type Person } from './people';

/**
 * The key version links are signed with when an email is rendered: the person's current one, so an email that waited
 * in the outbox across a revoke still carries a working link. Nobody to send to any more: the email is dropped.
 */
export async function currentKeyVersion(personId: string): Promise<number> {
  const person = await getPerson(config().countyId, personId);
  if (!person) throw new DroppedEmailError('the recipient is no longer in the roster');
  return person.keyVersion;
}

export async function submitUrl(personId: string): Promise<string> {
  return `${config().publicUrl}/submit?k=${await submitKey(personId, await currentKeyVersion(personId))}`;
}

export async function receiptUrl(pieceId: string, personId: string): Promise<string> {
  const k = await submitKey(personId, await currentKeyVersion(personId));
  return `${config().publicUrl}/submissions/${encodeURIComponent(pieceId)}?k=${k}`;
}

/** The informant a personal key belongs to; InvalidLinkError when forged, revoked, or not an informant's. */
export async function informantByKey(k: unknown): Promise<Person> {
  const claims = await submitClaims(k);
  const person = await getPerson(config().countyId, claims.personId);
  if (person?.role !== 'informant' || person.keyVersion !== claims.keyVersion) throw new InvalidLinkError();
  return person;
}

/** The receipt page of a piece, for a redirect: signed with the informant's current personal key. */
export async function receiptPath(pieceId: string, informantId: string): Promise<string> {
  const person = await getPerson(config().countyId, informantId);
  if (!person) throw new InvalidLinkError();
  return `/submissions/${encodeURIComponent(pieceId)}?k=${await submitKey(person.personId, person.keyVersion)}`;
}
