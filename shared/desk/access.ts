// Who opens the desk (信息科工作台): the person whose session the request's cookie names, read against the roster at
// every request (one consistent BatchGet with the session, the roster summary and whatever else the page needs
// first), so a revoke, 停用 or 退出 ends it at once. Editors may act; a leader's desk only shows (figures and pieces,
// no buttons, every POST refused).
import { config } from '../core/config';
import { FORM_KEPT_NOTICE, InactiveLinkError, InvalidLinkError, ReadOnlyLinkError } from '../core/errors';
import { type Person, type RosterRead, readWithRoster } from '../roster/people';
import { type ItemKey, keyId } from '../store/db';
import { failureOf, type HttpResponse } from '../web/http';
import { admit, assertSessionStands, DESK_PATH, type DeskAccess, sessionKey, sessionOf } from './session';

export interface DeskUser {
  person: Person;
  roster: RosterRead;
  /** An editor: the decision buttons, the roster's upload and buttons. A leader only reads. */
  canAct: boolean;
  /** The desk's path: every page and form of the desk hangs under it (no token: the session is a cookie). */
  base: string;
}

/**
 * The desk user of a request's session (shared/desk/session.ts): the session item is read in the one BatchGet with
 * the person and the summary. SignInRequiredError (401) without a live session; InvalidLinkError (403) for someone
 * no longer an editor or a leader or 停用; FormExpiredError for a POST without the session's form token.
 */
export async function deskUser(access: DeskAccess, also: ItemKey[] = []): Promise<DeskUser> {
  const claims = await sessionOf(access);
  const county = config().countyId;
  const key = sessionKey(county, claims.secret);
  const roster = await readWithRoster(county, [claims.personId], [key, ...also]);
  const person = roster.people.get(claims.personId);
  if (person?.role !== 'editor' && person?.role !== 'leader') {
    throw new InvalidLinkError('您已不在编辑、领导名单中，不能使用信息科工作台。');
  }
  if (person.inactive) throw new InactiveLinkError();
  const session = roster.items.get(keyId(key));
  assertSessionStands(session, claims, person);
  await admit(access, claims);
  return { person, roster, canAct: person.role === 'editor', base: DESK_PATH };
}

/**
 * The editor of an action's request; when the store cannot even tell (503), instead the page `kept` makes with the
 * notice (the form again with what was typed, so nothing is lost).
 */
export async function editorOrKept(
  access: DeskAccess,
  kept: (notice: string) => string,
): Promise<DeskUser | HttpResponse> {
  try {
    return await deskEditor(access);
  } catch (err) {
    const failure = failureOf(err);
    if (failure.status !== 503) throw err;
    return {
      status: 503,
      html: kept(`${failure.message}${FORM_KEPT_NOTICE}`),
      json: { error: failure.code, message: failure.message },
    };
  }
}

/** The same, for an action (POST): a leader's session is refused before anything is written. */
export async function deskEditor(access: DeskAccess, also: ItemKey[] = []): Promise<DeskUser> {
  const user = await deskUser(access, also);
  if (!user.canAct) throw new ReadOnlyLinkError();
  return user;
}
