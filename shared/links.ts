// The links users receive. An informant's personal key signs (county, person, key version): revoking bumps the
// version, so every older link stops working without a list of revoked tokens.
import { now } from './clock';
import { config } from './config';
import { InvalidLinkError } from './errors';
import { getPerson, type Person } from './roster';
import { signingKey } from './signingKey';
import { signToken, verifyToken } from './tokens';

export async function submitKey(personId: string, keyVersion: number): Promise<string> {
  return signToken(await signingKey(), 'submit', { c: config().countyId, i: personId, v: keyVersion });
}

export async function submitUrl(personId: string, keyVersion: number): Promise<string> {
  return `${config().publicUrl}/submit?k=${await submitKey(personId, keyVersion)}`;
}

export async function receiptUrl(pieceId: string, personId: string, keyVersion: number): Promise<string> {
  return `${config().publicUrl}/submissions/${encodeURIComponent(pieceId)}?k=${await submitKey(personId, keyVersion)}`;
}

/** The informant a personal key belongs to; InvalidLinkError when forged, revoked, or not an informant's. */
export async function informantByKey(k: unknown): Promise<Person> {
  const claims = verifyToken(await signingKey(), 'submit', k, now().getTime());
  const county = config().countyId;
  if (claims.c !== county || typeof claims.i !== 'string') throw new InvalidLinkError();
  const person = await getPerson(county, claims.i);
  if (person?.role !== 'informant' || person.keyVersion !== claims.v) throw new InvalidLinkError();
  return person;
}
