// Signed links instead of logins: HMAC-SHA256 over the purpose and claims, base64url, checked in constant time.
// A token for one purpose never verifies for another, because the purpose is inside what is signed; so is the id of
// the key that signed it (`kid`), so keys can rotate: the ring's newest key signs, and a token is checked with the
// key it names while that key is not retired. A token without a key id (every link made before keys had ids) is
// checked with the legacy key alone.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { ExpiredLinkError, InvalidLinkError } from '../core/errors';
import { type KeyRing, signerOf, verifierOf } from './keyRing';

export type TokenPurpose =
  | 'submit'
  | 'answer'
  | 'review'
  | 'revise'
  | 'receipt'
  | 'desk'
  | 'signin'
  | 'session'
  | 'mine'
  | 'adoption'
  | 'bulletin';

export type Claims = Record<string, string | number>;

const MAX_TOKEN_LENGTH = 1024;
const TOKEN_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/;

function mac(secret: Buffer | string, payload: string): Buffer {
  return createHmac('sha256', typeof secret === 'string' ? Buffer.from(secret, 'utf8') : secret)
    .update(payload)
    .digest();
}

/**
 * Signs with the ring's newest key, naming it. A bare key signs a token that names none, as every link was signed
 * before keys had ids (tests make such links to show they still work, or forge links with a key of their own).
 * `exp` (seconds since epoch), when present, makes the token expire.
 */
export function signToken(signer: KeyRing | Buffer, purpose: TokenPurpose, claims: Claims): string {
  const key = Buffer.isBuffer(signer) ? undefined : signerOf(signer);
  // The key id and the purpose come last, so no claim can stand in for them.
  const signed = key ? { ...claims, kid: key.id, p: purpose } : { ...claims, p: purpose };
  const payload = Buffer.from(JSON.stringify(signed)).toString('base64url');
  return `${payload}.${mac(key ? key.secret : (signer as Buffer), payload).toString('base64url')}`;
}

/** The claims of a token shaped like one, unverified: only for finding the key to check it with. */
function unverifiedClaims(token: unknown): Record<string, unknown> | undefined {
  if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH || !TOKEN_SHAPE.test(token)) return undefined;
  try {
    const claims: unknown = JSON.parse(Buffer.from(token.slice(0, token.indexOf('.')), 'base64url').toString('utf8'));
    return typeof claims === 'object' && claims !== null && !Array.isArray(claims)
      ? (claims as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** The key id a token names, unverified (undefined when it names none or is no token): which ring to check it with. */
export function tokenKeyId(token: unknown): string | undefined {
  const kid = unverifiedClaims(token)?.kid;
  return typeof kid === 'string' ? kid : undefined;
}

/**
 * The claims of a genuine token for `purpose`. Forged, malformed, for another purpose, naming a key the ring does not
 * hold or one retired at `nowMs`: InvalidLinkError. Past its `exp`: ExpiredLinkError carrying the claims, unless
 * `allowExpired` (only for offering a fresh link in place of a genuine expired one).
 */
export function verifyToken(
  ring: KeyRing,
  purpose: TokenPurpose,
  token: unknown,
  nowMs: number,
  options: { allowExpired?: boolean } = {},
): Claims {
  const claims = unverifiedClaims(token);
  if (!claims) throw new InvalidLinkError();
  if (claims.kid !== undefined && typeof claims.kid !== 'string') throw new InvalidLinkError();
  // A retired key is refused like a forged token: after a leak, what it signs must not even be offered a fresh link.
  const key = verifierOf(ring, claims.kid, nowMs);
  if (!key) throw new InvalidLinkError();
  const [payload = '', signature = ''] = (token as string).split('.');
  const expected = mac(key.secret, payload);
  const given = Buffer.from(signature, 'base64url');
  // Only the canonical spelling: base64url of 32 bytes has 2 spare bits, which must not make 4 tokens of one.
  if (
    given.length !== expected.length ||
    !timingSafeEqual(given, expected) ||
    given.toString('base64url') !== signature
  ) {
    throw new InvalidLinkError();
  }
  if (claims.p !== purpose) throw new InvalidLinkError();
  const verified = claims as Claims;
  if (!options.allowExpired && typeof verified.exp === 'number' && verified.exp * 1000 <= nowMs) {
    throw new ExpiredLinkError(verified);
  }
  return verified;
}
