// A person's own links, read against the roster: a personal key is good only while its key version is the person's
// current one, and links in an email are signed with the version current when the email is rendered (the outbox
// hands each template its recipient as the roster has them then).
import { config } from '../core/config';
import { InactiveLinkError, InvalidLinkError } from '../core/errors';
import { html, type SafeHtml } from '../core/html';
import { mineToken, receiptClaims, receiptPathOf, signinToken, submitClaims, submitKey } from '../links/links';
import type { ItemKey } from '../store/db';
import { isActive, type Person, type RosterRead, readWithRoster } from './people';

export async function submitUrl(personId: string, keyVersion: number): Promise<string> {
  return `${config().publicUrl}/submit?k=${await submitKey(personId, keyVersion)}`;
}

/**
 * An editor's or leader's sign-in link to the desk (信息科工作台), for their emails: its page signs in and goes on to
 * `to` (a desk page with its query, e.g. `/desk/tasks?quarter=2026Q4`) when given.
 */
export async function deskUrl(personId: string, keyVersion: number, to?: string): Promise<string> {
  const query = to ? `?to=${encodeURIComponent(to)}` : '';
  return `${config().publicUrl}/desk/signin/${await signinToken(personId, keyVersion)}${query}`;
}

/** An informant's own page (我的报送), read-only: what their emails link to (emails are forwarded). */
export async function mineUrl(personId: string, keyVersion: number): Promise<string> {
  return `${config().publicUrl}/mine?m=${await mineToken(personId, keyVersion)}`;
}

/** The 我的报送 line every email to an informant ends with, in both parts. */
export async function mineLine(personId: string, keyVersion: number): Promise<{ html: SafeHtml; text: string }> {
  const url = await mineUrl(personId, keyVersion);
  return {
    html: html`<p style="margin-top:16px">查看本人今年报送的全部稿件、审核结果和修改意见：<a href="${url}" target="_blank">我的报送</a></p>`,
    text: `\n我的报送（本人今年的全部稿件和审核结果）：${url}\n`,
  };
}

/** A piece's receipt page, read-only (receipts get forwarded): never the personal key. */
export async function receiptUrl(pieceId: string, personId: string, keyVersion: number): Promise<string> {
  return `${config().publicUrl}${await receiptPathOf({ pieceId, informantId: personId, keyVersion })}`;
}

/** The informant a link names, and the roster read with them. */
export interface Verified {
  informant: Person;
  roster: RosterRead;
}

/** One consistent read of the person, the roster summary and whatever else the caller needs first. */
async function verify(personId: string, keyVersion: number, also: ItemKey[]): Promise<Verified> {
  const roster = await readWithRoster(config().countyId, [personId], also);
  const person = roster.people.get(personId);
  if (person?.role !== 'informant' || person.keyVersion !== keyVersion) throw new InvalidLinkError();
  if (!isActive(person)) throw new InactiveLinkError();
  return { informant: person, roster };
}

/** The informant a link of another purpose names (the read-only 我的报送 link), at the key version it carries. */
export function informantOf(personId: string, keyVersion: number, also: ItemKey[] = []): Promise<Verified> {
  return verify(personId, keyVersion, also);
}

/**
 * The informant a personal key belongs to (with the summary, and the items `also` names, read in the same call);
 * InvalidLinkError when forged, revoked, or not an informant's.
 */
export async function informantByKey(k: unknown, also: ItemKey[] = []): Promise<Verified> {
  const claims = await submitClaims(k);
  return verify(claims.personId, claims.keyVersion, also);
}

/** The receipt page of a piece, for the redirect after sending it: the informant in hand, nothing to read. */
export function receiptPath(pieceId: string, informant: Person): Promise<string> {
  return receiptPathOf({ pieceId, informantId: informant.personId, keyVersion: informant.keyVersion });
}

/**
 * Who may read a piece's receipt page: its informant, by the personal key or by the piece's read-only receipt
 * link, while the key version they carry is current. InvalidLinkError otherwise.
 */
export async function receiptReader(pieceId: string, access: { k?: unknown; r?: unknown }): Promise<Verified> {
  if (access.r === undefined) return informantByKey(access.k);
  const claims = await receiptClaims(access.r);
  if (claims.pieceId !== pieceId) throw new InvalidLinkError();
  return verify(claims.informantId, claims.keyVersion, []);
}
