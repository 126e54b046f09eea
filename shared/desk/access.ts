// Who opens the desk (信息科工作台): the person a desk link names, read against the roster at every request (one
// consistent BatchGet with the roster summary and whatever else the page needs first), so a revoke or 停用 stops the
// link at once. Editors may act; a leader's desk only shows (figures and pieces, no buttons, every POST refused).
import { config } from '../core/config';
import {
  FORM_KEPT_NOTICE,
  InactiveLinkError,
  InvalidLinkError,
  ReadOnlyLinkError,
  RevokedLinkError,
} from '../core/errors';
import { deskClaims } from '../links/links';
import { type Person, type RosterRead, readWithRoster } from '../roster/people';
import type { ItemKey } from '../store/db';
import { failureOf, type HttpResponse } from '../web/http';

export interface DeskUser {
  person: Person;
  roster: RosterRead;
  /** An editor: the decision buttons, the roster's upload and buttons. A leader only reads. */
  canAct: boolean;
  /** The desk's own path (`/desk/{token}`): every page and form of the desk hangs under it. */
  base: string;
}

/** The desk user of a token; InvalidLinkError (403) when forged, revoked, 停用, or not an editor's or a leader's. */
export async function deskUser(token: unknown, also: ItemKey[] = []): Promise<DeskUser> {
  const claims = await deskClaims(token);
  const roster = await readWithRoster(config().countyId, [claims.personId], also);
  const person = roster.people.get(claims.personId);
  if (person?.role !== 'editor' && person?.role !== 'leader') {
    throw new InvalidLinkError('此链接不是信息科工作台链接，或您已不在编辑、领导名单中。');
  }
  if (person.keyVersion !== claims.keyVersion) throw new RevokedLinkError();
  if (person.inactive) throw new InactiveLinkError();
  return { person, roster, canAct: person.role === 'editor', base: `/desk/${String(token)}` };
}

/**
 * The editor of an action's link; when the store cannot even tell (503), instead the page `kept` makes with the
 * notice (the form again with what was typed, so nothing is lost).
 */
export async function editorOrKept(token: string, kept: (notice: string) => string): Promise<DeskUser | HttpResponse> {
  try {
    return await deskEditor(token);
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

/** The same, for an action (POST): a leader's read-only link is refused before anything is read or written. */
export async function deskEditor(token: unknown, also: ItemKey[] = []): Promise<DeskUser> {
  const user = await deskUser(token, also);
  if (!user.canAct) throw new ReadOnlyLinkError();
  return user;
}
