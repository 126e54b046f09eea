// Signed links instead of logins: HMAC-SHA256 over the purpose and claims, base64url, checked in constant time.
// A token for one purpose never verifies for another, because the purpose is inside what is signed.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { ExpiredLinkError, InvalidLinkError } from '../core/errors';

export type TokenPurpose = 'submit' | 'review' | 'revise' | 'receipt' | 'desk' | 'mine' | 'adoption' | 'bulletin';

export type Claims = Record<string, string | number>;

const MAX_TOKEN_LENGTH = 1024;
const TOKEN_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/;

function mac(key: Buffer, payload: string): Buffer {
  return createHmac('sha256', key).update(payload).digest();
}

/** `exp` (seconds since epoch), when present, makes the token expire. */
export function signToken(key: Buffer, purpose: TokenPurpose, claims: Claims): string {
  const payload = Buffer.from(JSON.stringify({ ...claims, p: purpose })).toString('base64url');
  return `${payload}.${mac(key, payload).toString('base64url')}`;
}

/** `nowMs: null` skips the expiry check: only for offering a fresh link in place of a genuine expired one. */
export function verifyToken(key: Buffer, purpose: TokenPurpose, token: unknown, nowMs: number | null): Claims {
  if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH || !TOKEN_SHAPE.test(token)) {
    throw new InvalidLinkError();
  }
  const [payload = '', signature = ''] = token.split('.');
  const expected = mac(key, payload);
  const given = Buffer.from(signature, 'base64url');
  // Only the canonical spelling: base64url of 32 bytes has 2 spare bits, which must not make 4 tokens of one.
  if (
    given.length !== expected.length ||
    !timingSafeEqual(given, expected) ||
    given.toString('base64url') !== signature
  ) {
    throw new InvalidLinkError();
  }
  let claims: Claims;
  try {
    claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch (cause) {
    throw new InvalidLinkError(undefined, { cause });
  }
  if (typeof claims !== 'object' || claims === null || claims.p !== purpose) {
    throw new InvalidLinkError();
  }
  if (nowMs !== null && typeof claims.exp === 'number' && claims.exp * 1000 <= nowMs) {
    throw new ExpiredLinkError(claims);
  }
  return claims;
}
