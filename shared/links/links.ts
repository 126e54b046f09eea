// The links users receive, signed and read: what each purpose's token claims and how long it lives. An informant's
// personal key signs (county, person, key version): revoking bumps the version, so every older link stops working
// without a list of revoked tokens. Whether a person still holds that version is the roster's to say.
import { now } from '../core/clock';
import { config } from '../core/config';
import { ExpiredLinkError, InvalidLinkError } from '../core/errors';
import { signingRing, verifyingRing } from './signingKey';
import { type Claims, signToken, type TokenPurpose, verifyToken } from './tokens';

/** A token for `purpose`, signed with the newest key and naming it. */
async function sign(purpose: TokenPurpose, claims: Claims): Promise<string> {
  return signToken(await signingRing(), purpose, claims);
}

/** The claims of a genuine token for `purpose`, checked with the key it names (see tokens.ts for what is refused). */
async function verify(
  purpose: TokenPurpose,
  token: unknown,
  options: { allowExpired?: boolean } = {},
): Promise<Claims> {
  return verifyToken(await verifyingRing(token), purpose, token, now().getTime(), options);
}

export async function submitKey(personId: string, keyVersion: number): Promise<string> {
  return sign('submit', { c: config().countyId, i: personId, v: keyVersion });
}

/** The claims of a personal key; InvalidLinkError when forged or for another county or purpose. */
export async function submitClaims(k: unknown): Promise<PersonClaims> {
  return personClaims(await verify('submit', k));
}

/** A person's link that names only who they are (county, person, key version): what the roster must still vouch for. */
export interface PersonClaims {
  personId: string;
  keyVersion: number;
}

function personClaims(raw: Record<string, string | number>): PersonClaims {
  if (raw.c !== config().countyId || typeof raw.i !== 'string') throw new InvalidLinkError();
  return { personId: raw.i, keyVersion: typeof raw.v === 'number' ? raw.v : Number.NaN };
}

/** How long a desk sign-in link works (it can be used again meanwhile); then its page offers a fresh one by email. */
export const SIGNIN_LINK_DAYS = 7;

export interface SigninClaims extends PersonClaims {
  /** Expiry, seconds since the epoch; 0 for a desk link of before sign-in links (never valid now). */
  exp: number;
}

/**
 * An editor's or leader's sign-in link to the desk (信息科工作台), for their emails: it signs in (a POST from its page
 * sets the session cookie) until it expires or their links are revoked. A token of its own purpose, so an
 * informant's key never opens the desk and a sign-in link never submits.
 */
export async function signinToken(personId: string, keyVersion: number): Promise<string> {
  const exp = Math.floor(now().getTime() / 1000) + SIGNIN_LINK_DAYS * DAY_S;
  return sign('signin', { c: config().countyId, i: personId, v: keyVersion, exp });
}

/**
 * The claims of a sign-in link. Past its time: ExpiredLinkError carrying the claims (unless `allowExpired`, for
 * offering a fresh one). The permanent desk links of before (purpose `desk`) count as expired: genuine, so their
 * owner may ask for a sign-in link, but they open nothing.
 */
export async function signinClaims(token: unknown, options: { allowExpired?: boolean } = {}): Promise<SigninClaims> {
  const raw = await verify('signin', token, options).catch(async (err) => {
    if (!(err instanceof InvalidLinkError)) throw err;
    const legacy = await verify('desk', token).catch(() => undefined);
    if (!legacy) throw err;
    return { ...legacy, exp: 0 };
  });
  const claims = { ...personClaims(raw), exp: typeof raw.exp === 'number' ? raw.exp : 0 };
  if (!options.allowExpired) assertNotExpired(claims.exp);
  return claims;
}

/** The claims a desk session's cookie carries: whose session, its secret, and the end of its idle time. */
export interface SessionClaims {
  personId: string;
  /** The session's secret (its item is found by a digest of it). */
  secret: string;
  /** Seconds since the epoch: the cookie is re-signed with a later end at every desk request. */
  exp: number;
}

export async function sessionToken(claims: SessionClaims): Promise<string> {
  return sign('session', { c: config().countyId, i: claims.personId, s: claims.secret, exp: claims.exp });
}

/** The claims of a session cookie; ExpiredLinkError once its idle time is up, InvalidLinkError when forged. */
export async function sessionClaims(token: unknown): Promise<SessionClaims> {
  const raw = await verify('session', token);
  if (raw.c !== config().countyId || typeof raw.i !== 'string' || typeof raw.s !== 'string') {
    throw new InvalidLinkError();
  }
  return { personId: raw.i, secret: raw.s, exp: Number(raw.exp) };
}

/**
 * A read-only link to an informant's own page (我的报送), for the emails they get: emails are forwarded, so it shows
 * their pieces and grants nothing else (not submitting). It ends with their key version.
 */
export async function mineToken(personId: string, keyVersion: number): Promise<string> {
  return sign('mine', { c: config().countyId, i: personId, v: keyVersion });
}

export async function mineClaims(token: unknown): Promise<PersonClaims> {
  return personClaims(await verify('mine', token));
}

const DAY_S = 24 * 3600;

/** What an answer link (回应点题 / 重点调研任务) is for: one topic or one research task, never both. */
export type AnswerCall = { topicId: string } | { taskId: string };

export type AnswerClaims = PersonClaims &
  AnswerCall & {
    /** Expiry, seconds since the epoch: the end of the call's due day. */
    exp: number;
  };

/**
 * A link that submits one thing only: a piece answering one topic (点题), or a research paper for one research task
 * (重点调研), by one informant, until the end of its due day. What the routine emails of a call carry instead of the
 * personal key: forwarded, it can do no more than answer that call in its informant's name while the call is open,
 * and it ends with their key version (a revoke) like every link of theirs.
 */
export async function answerToken(claims: AnswerClaims): Promise<string> {
  return sign('answer', {
    c: config().countyId,
    i: claims.personId,
    v: claims.keyVersion,
    ...('topicId' in claims ? { tp: claims.topicId } : { tk: claims.taskId }),
    exp: claims.exp,
  });
}

/** The end of a due day (`2026-11-30`) in Asia/Shanghai (UTC+8, no daylight saving), in seconds since the epoch. */
export function answerExpiry(due: string): number {
  return Date.parse(`${due}T00:00:00+08:00`) / 1000 + DAY_S;
}

/**
 * The claims of an answer link. Past its due day: ExpiredLinkError carrying its claims (unless `allowExpired`);
 * forged, for another purpose or county, or naming neither or both of a topic and a task: InvalidLinkError.
 */
export async function answerClaims(token: unknown, options: { allowExpired?: boolean } = {}): Promise<AnswerClaims> {
  const raw = await verify('answer', token, options);
  const person = personClaims(raw);
  const { tp, tk, exp } = raw;
  if (typeof exp !== 'number' || (typeof tp === 'string') === (typeof tk === 'string')) throw new InvalidLinkError();
  return { ...person, ...(typeof tp === 'string' ? { topicId: tp } : { taskId: tk as string }), exp };
}

/** For links checked with `allowExpired` first (so other answers can take precedence), the expiry check itself. */
export function assertNotExpired(exp: number): void {
  if (exp * 1000 <= now().getTime()) throw new ExpiredLinkError({ exp });
}

export interface ReviewClaims {
  pieceId: string;
  revision: number;
  editorId: string;
  /** Whose piece it is (links made before it was added lack it): read with the editor when the link is used. */
  informantId?: string;
  /** The editor's key version when the link was made: a revoke ends it. */
  keyVersion: number;
  /** Expiry, seconds since the epoch. */
  exp: number;
}

/** An editor's link to decide one revision of one piece, until `exp`. */
export async function reviewUrl(claims: ReviewClaims): Promise<string> {
  const token = await sign('review', {
    c: config().countyId,
    pc: claims.pieceId,
    r: claims.revision,
    e: claims.editorId,
    ...(claims.informantId ? { i: claims.informantId } : {}),
    v: claims.keyVersion,
    exp: claims.exp,
  });
  return `${config().publicUrl}/review/${token}`;
}

export function reviewExpiry(from: Date): number {
  return Math.floor(from.getTime() / 1000) + Math.round(config().reviewLinkDays * DAY_S);
}

function claimsOf(raw: Record<string, string | number>): ReviewClaims {
  if (raw.c !== config().countyId || typeof raw.pc !== 'string' || typeof raw.r !== 'number') {
    throw new InvalidLinkError();
  }
  return {
    pieceId: raw.pc,
    revision: raw.r,
    editorId: String(raw.e ?? ''),
    ...(typeof raw.i === 'string' ? { informantId: raw.i } : {}),
    keyVersion: typeof raw.v === 'number' ? raw.v : Number.NaN,
    exp: Number(raw.exp ?? 0),
  };
}

/**
 * The claims of a review link. An expired but genuine link throws ExpiredLinkError carrying its claims, so the
 * page can offer that editor a fresh link; anything forged or for another purpose is InvalidLinkError.
 */
export async function reviewClaims(token: unknown, options: { allowExpired?: boolean } = {}): Promise<ReviewClaims> {
  return claimsOf(await verify('review', token, options));
}

export interface ReviseClaims {
  pieceId: string;
  revision: number;
  informantId: string;
  keyVersion: number;
  exp: number;
}

/** Revise links live longer than review links: rewriting a paper can take weeks. */
export const REVISE_LINK_DAYS = 30;

export async function reviseUrl(claims: ReviseClaims): Promise<string> {
  const token = await sign('revise', {
    c: config().countyId,
    pc: claims.pieceId,
    r: claims.revision,
    i: claims.informantId,
    v: claims.keyVersion,
    exp: claims.exp,
  });
  return `${config().publicUrl}/revise/${token}`;
}

export function reviseExpiry(from: Date): number {
  return Math.floor(from.getTime() / 1000) + REVISE_LINK_DAYS * DAY_S;
}

/** The claims of a revise link; revoked with the informant's personal key (same key version). */
export async function reviseClaims(token: unknown, options: { allowExpired?: boolean } = {}): Promise<ReviseClaims> {
  const raw = await verify('revise', token, options);
  const base = claimsOf(raw);
  return {
    pieceId: base.pieceId,
    revision: base.revision,
    informantId: String(raw.i ?? ''),
    keyVersion: base.keyVersion,
    exp: base.exp,
  };
}

export interface ReceiptClaims {
  pieceId: string;
  informantId: string;
  keyVersion: number;
}

/**
 * A read-only link to one piece's receipt page. Receipts are forwarded (to the signing leader, to colleagues), so it
 * grants nothing else: not submitting, not the informant's other pieces. It ends with the informant's key version.
 */
export async function receiptToken(claims: ReceiptClaims): Promise<string> {
  return sign('receipt', {
    c: config().countyId,
    pc: claims.pieceId,
    i: claims.informantId,
    v: claims.keyVersion,
  });
}

export async function receiptClaims(token: unknown): Promise<ReceiptClaims> {
  const raw = await verify('receipt', token);
  if (raw.c !== config().countyId || typeof raw.pc !== 'string' || typeof raw.i !== 'string') {
    throw new InvalidLinkError();
  }
  return { pieceId: raw.pc, informantId: raw.i, keyVersion: typeof raw.v === 'number' ? raw.v : Number.NaN };
}

/** The path of a piece's receipt page with its read-only token. */
export async function receiptPathOf(claims: ReceiptClaims): Promise<string> {
  return `/submissions/${encodeURIComponent(claims.pieceId)}?r=${await receiptToken(claims)}`;
}

export interface AdoptionClaims {
  pieceId: string;
  editorId: string;
  keyVersion: number;
}

/**
 * An editor's link to record the adoptions (采用) of one accepted piece, from the email confirming its acceptance.
 * Adoptions upstream come months later, so it does not expire; it ends with the editor's key version (a revoke).
 */
export async function adoptionUrl(claims: AdoptionClaims): Promise<string> {
  const token = await sign('adoption', {
    c: config().countyId,
    pc: claims.pieceId,
    e: claims.editorId,
    v: claims.keyVersion,
  });
  return `${config().publicUrl}/adoption/${token}`;
}

export async function adoptionClaims(token: unknown): Promise<AdoptionClaims> {
  const raw = await verify('adoption', token);
  if (raw.c !== config().countyId || typeof raw.pc !== 'string' || typeof raw.e !== 'string') {
    throw new InvalidLinkError();
  }
  return { pieceId: raw.pc, editorId: raw.e, keyVersion: typeof raw.v === 'number' ? raw.v : Number.NaN };
}

/**
 * The web view of a month's 通报, as sent: read-only and the same for every recipient (it names no one), so it may
 * be forwarded to the 月例会 as the email is. It names the county and the month, nothing else.
 */
export async function bulletinUrl(month: string): Promise<string> {
  const token = await sign('bulletin', { c: config().countyId, mo: month });
  return `${config().publicUrl}/bulletin/${token}`;
}

export async function bulletinClaims(token: unknown): Promise<{ month: string }> {
  const raw = await verify('bulletin', token);
  if (raw.c !== config().countyId || typeof raw.mo !== 'string' || !/^\d{4}-\d{2}$/.test(raw.mo)) {
    throw new InvalidLinkError();
  }
  return { month: raw.mo };
}
