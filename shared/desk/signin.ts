// Use cases of signing in to the desk (信息科工作台) and out again. The sign-in link in an editor's or a leader's
// emails opens a page with a button (GET changes nothing: mail scanners open every link); pressing it starts a
// session (shared/desk/session.ts) and records the sign-in in the 操作记录. The link can be used again while it is
// unexpired; an expired one (or a permanent desk link of before) offers a fresh one, sent to the address in the
// roster. 退出 deletes the session, so the cookie opens nothing any more, wherever it was copied.
import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import { config } from '../core/config';
import { InactiveLinkError, InvalidLinkError, RevokedLinkError, SignInRequiredError } from '../core/errors';
import { type SigninClaims, signinClaims } from '../links/links';
import { type Person, readWithRoster } from '../roster/people';
import { requestLink } from '../roster/requestLink';
import { logAction } from '../roster/rosterEvents';
import { db, keyId, tableName } from '../store/db';
import { checkFormToken, type DeskAccess, sessionKey, sessionOf, startSession } from './session';

export const DESK_HOME = '/desk';

/** Where a sign-in may lead: a desk page (its path and query, from an email's link), never elsewhere. */
export function deskTarget(to: unknown): string {
  if (typeof to !== 'string' || to.length > 300) return DESK_HOME;
  return /^\/desk(\/[A-Za-z0-9_-]+)*(\?[A-Za-z0-9_=&%.-]*)?$/.test(to) && !to.startsWith('/desk/signin')
    ? to
    : DESK_HOME;
}

/**
 * The editor or leader a sign-in link names, as the roster has them now. Expired: ExpiredLinkError (unless
 * `allowExpired`); revoked since: RevokedLinkError; 停用: InactiveLinkError; anyone else's: InvalidLinkError.
 */
export async function signinPerson(
  token: unknown,
  options: { allowExpired?: boolean } = {},
): Promise<{ person: Person; claims: SigninClaims }> {
  const claims = await signinClaims(token, options);
  const roster = await readWithRoster(config().countyId, [claims.personId]);
  const person = roster.people.get(claims.personId);
  if (person?.role !== 'editor' && person?.role !== 'leader') {
    throw new InvalidLinkError('此链接不是信息科工作台的登录链接，或您已不在编辑、领导名单中。');
  }
  if (person.keyVersion !== claims.keyVersion) throw new RevokedLinkError();
  if (person.inactive) throw new InactiveLinkError();
  return { person, claims };
}

/** Signs in by a sign-in link: the session started and the sign-in recorded; the cookie and the form token. */
export async function signIn(token: unknown): Promise<{ person: Person; cookie: string; csrf: string }> {
  const { person } = await signinPerson(token);
  const session = await startSession(person);
  // After the session, so a sign-in in the record happened; a failure here answers 503 and the cookie is not sent.
  await logAction({ type: 'signin', by: { personId: person.personId, name: person.name }, personId: person.personId });
  return { person, ...session };
}

/**
 * 退出: the sign-out recorded (once per session: its line is keyed by the session), then the session's item deleted,
 * so a 退出 whose answer was lost and is pressed again still finds the session and ends it, and the record never
 * lacks a 退出 that happened. A request without a live session has nothing to end. FormExpiredError without the
 * form token.
 */
export async function signOut(access: DeskAccess): Promise<void> {
  const claims = await sessionOf(access).catch((err) => {
    if (err instanceof SignInRequiredError) return undefined;
    throw err;
  });
  if (!claims) return;
  checkFormToken(access, claims);
  const county = config().countyId;
  const key = sessionKey(county, claims.secret);
  const roster = await readWithRoster(county, [claims.personId], [key]);
  const session = roster.items.get(keyId(key));
  if (!session || session.personId !== claims.personId) return;
  const person = roster.people.get(claims.personId);
  const by = { personId: claims.personId, name: person?.name ?? '' };
  await logAction({ type: 'signout', by, personId: claims.personId, once: key.pk.slice(key.pk.lastIndexOf('#') + 1) });
  await db().send(new DeleteCommand({ TableName: tableName(), Key: key }));
}

/**
 * A fresh sign-in link for a genuine expired, revoked or permanent (old) desk link, sent to the address in the
 * roster through the front page's own request (at most one in ten minutes per address); nothing for anyone no longer
 * an editor or a leader. The answer is the same either way.
 */
export async function renewSignin(token: unknown): Promise<void> {
  const claims = await signinClaims(token, { allowExpired: true });
  const roster = await readWithRoster(config().countyId, [claims.personId]);
  const person = roster.people.get(claims.personId);
  if ((person?.role === 'editor' || person?.role === 'leader') && !person.inactive) await requestLink(person.email);
}
