// A person's own links, read against the roster: a personal key is good only while its key version is the person's
// current one, and links in an email are signed with the version current when the email is rendered.
import { config } from '../core/config';
import { DroppedEmailError, InvalidLinkError } from '../core/errors';
import { receiptClaims, receiptPathOf, submitClaims, submitKey } from '../links/links';
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

/** A piece's receipt page, read-only (receipts get forwarded): never the personal key. */
export async function receiptUrl(pieceId: string, personId: string): Promise<string> {
  const keyVersion = await currentKeyVersion(personId);
  return `${config().publicUrl}${await receiptPathOf({ pieceId, informantId: personId, keyVersion })}`;
}

/** The informant a personal key belongs to; InvalidLinkError when forged, revoked, or not an informant's. */
export async function informantByKey(k: unknown): Promise<Person> {
  const claims = await submitClaims(k);
  const person = await getPerson(config().countyId, claims.personId, { consistent: true });
  if (person?.role !== 'informant' || person.keyVersion !== claims.keyVersion) throw new InvalidLinkError();
  return person;
}

/** The receipt page of a piece, for the redirect after sending it: the informant in hand, nothing to read. */
export function receiptPath(pieceId: string, informant: Person): Promise<string> {
  return receiptPathOf({ pieceId, informantId: informant.personId, keyVersion: informant.keyVersion });
}

/**
 * Who may read a piece's receipt page: its informant, by the personal key or by the piece's read-only receipt
 * link, while the key version they carry is current. InvalidLinkError otherwise.
 */
export async function receiptReader(pieceId: string, access: { k?: unknown; r?: unknown }): Promise<Person> {
  if (access.r === undefined) return informantByKey(access.k);
  const claims = await receiptClaims(access.r);
  if (claims.pieceId !== pieceId) throw new InvalidLinkError();
  const person = await getPerson(config().countyId, claims.informantId, { consistent: true });
  if (person?.role !== 'informant' || person.keyVersion !== claims.keyVersion) throw new InvalidLinkError();
  return person;
}
