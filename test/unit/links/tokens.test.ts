import fc from 'fast-check';
import { ExpiredLinkError, InvalidLinkError } from '../../../shared/core/errors';
import { type KeyRing, rotateRing } from '../../../shared/links/keyRing';
import { signToken, tokenKeyId, verifyToken } from '../../../shared/links/tokens';

const now = Date.UTC(2026, 10, 26);
const legacySecret = 'k'.repeat(64);
/** A ring as it is before any rotation: the one key of old, which signed the links that name no key. */
const ring: KeyRing = { keys: [{ id: 'k0', secret: legacySecret }] };
const DAY = 86_400_000;

/** The ring after a rotation at `now` whose old key retires `days` later; its new key is `k1`. */
function rotated(days: number): KeyRing {
  const key = { id: 'k1', secret: 'n'.repeat(43), created: new Date(now).toISOString() };
  return rotateRing(ring, { now: new Date(now), retireAt: new Date(now + days * DAY), key }).ring;
}

const payloadOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString());

describe('signed link tokens', () => {
  it('verify for the purpose they were signed for and carry their claims', () => {
    const token = signToken(ring, 'review', { pc: '2026-0001', r: 2, e: 'ed1', exp: now / 1000 + 60 });

    expect(verifyToken(ring, 'review', token, now)).toMatchObject({ pc: '2026-0001', r: 2, e: 'ed1', p: 'review' });
  });

  it('never verify for another purpose', () => {
    const token = signToken(ring, 'submit', { c: 'demo', i: 'p1', v: 1 });

    expect(() => verifyToken(ring, 'review', token, now)).toThrow(InvalidLinkError);
    expect(() => verifyToken(ring, 'revise', token, now)).toThrow(InvalidLinkError);
  });

  it('refuse a token signed with another key', () => {
    const other: KeyRing = { keys: [{ id: 'k0', secret: 'x'.repeat(64) }] };
    const token = signToken(other, 'submit', { c: 'demo', i: 'p1', v: 1 });

    expect(() => verifyToken(ring, 'submit', token, now)).toThrow(InvalidLinkError);
    expect(() => verifyToken(ring, 'submit', signToken(Buffer.from('x'.repeat(64)), 'submit', {}), now)).toThrow(
      InvalidLinkError,
    );
  });

  it('refuse any change to the payload or the signature', () => {
    const token = signToken(ring, 'submit', { c: 'demo', i: 'p1', v: 1 });
    fc.assert(
      fc.property(fc.nat({ max: token.length - 1 }), fc.constantFrom(...'ABCxyz019-_'), (at, ch) => {
        fc.pre(token[at] !== ch && token[at] !== '.');
        const changed = token.slice(0, at) + ch + token.slice(at + 1);
        expect(() => verifyToken(ring, 'submit', changed, now)).toThrow(InvalidLinkError);
      }),
    );
  });

  it('expire at their expiry, saying so rather than calling them forged', () => {
    const token = signToken(ring, 'review', { pc: '2026-0001', r: 1, e: 'ed1', exp: now / 1000 });

    expect(() => verifyToken(ring, 'review', token, now - 1000)).not.toThrow();
    expect(() => verifyToken(ring, 'review', token, now)).toThrow(ExpiredLinkError);
    expect(verifyToken(ring, 'review', token, now, { allowExpired: true })).toMatchObject({ pc: '2026-0001' });
  });

  it('refuse anything that is not a token at all without throwing anything else', () => {
    fc.assert(
      fc.property(fc.anything(), (input) => {
        expect(() => verifyToken(ring, 'submit', input, now)).toThrow(InvalidLinkError);
      }),
    );
  });
});

describe('signed link tokens, spelled', () => {
  it('only one way: the spare bits of the last signature character must not give one token four spellings', () => {
    const token = signToken(ring, 'submit', { c: 'demo', i: 'p1', v: 1 });
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const last = alphabet.indexOf(token.at(-1)!);
    const group = alphabet.slice(last - (last % 4), last - (last % 4) + 4);

    for (const ch of group.replace(token.at(-1)!, '')) {
      expect(() => verifyToken(ring, 'submit', token.slice(0, -1) + ch, now)).toThrow(InvalidLinkError);
    }
  });
});

describe('signed link tokens, when keys rotate', () => {
  it('name the key that signed them, inside what is signed, and are signed with the newest key', () => {
    const before = signToken(ring, 'submit', { c: 'demo', i: 'p1', v: 1 });
    const after = signToken(rotated(90), 'submit', { c: 'demo', i: 'p1', v: 1 });

    expect(payloadOf(before)).toMatchObject({ kid: 'k0', p: 'submit' });
    expect(payloadOf(after)).toMatchObject({ kid: 'k1', p: 'submit' });
    expect(tokenKeyId(after)).toBe('k1');
    // The old key alone cannot check what the new one signed.
    expect(() => verifyToken(ring, 'submit', after, now)).toThrow(InvalidLinkError);
  });

  it('let no claim stand in for the key id or the purpose', () => {
    const token = signToken(rotated(90), 'submit', { kid: 'k0', p: 'desk', c: 'demo' });

    expect(payloadOf(token)).toMatchObject({ kid: 'k1', p: 'submit' });
  });

  it('verify with any key of the ring not past its retire date', () => {
    const before = signToken(ring, 'submit', { c: 'demo', i: 'p1', v: 1 });
    const after = signToken(rotated(90), 'submit', { c: 'demo', i: 'p1', v: 1 });

    expect(verifyToken(rotated(90), 'submit', before, now + 89 * DAY)).toMatchObject({ i: 'p1', kid: 'k0' });
    expect(verifyToken(rotated(90), 'submit', after, now + 89 * DAY)).toMatchObject({ i: 'p1', kid: 'k1' });
  });

  it('verify a token that names no key (every link made before key ids) with the legacy key only', () => {
    const legacy = signToken(Buffer.from(legacySecret), 'submit', { c: 'demo', i: 'p1', v: 1 });
    const newKeyOnly = signToken(Buffer.from('n'.repeat(43)), 'submit', { c: 'demo', i: 'p1', v: 1 });

    expect(payloadOf(legacy)).not.toHaveProperty('kid');
    expect(verifyToken(ring, 'submit', legacy, now)).toMatchObject({ i: 'p1' });
    expect(verifyToken(rotated(90), 'submit', legacy, now + 89 * DAY)).toMatchObject({ i: 'p1' });
    // A token without a key id signed with the new key is not one the legacy key made.
    expect(() => verifyToken(rotated(90), 'submit', newKeyOnly, now)).toThrow(InvalidLinkError);
  });

  it('refuse a token signed with a retired key, from its retire date on, like a forged one', () => {
    const before = signToken(ring, 'review', { pc: '2026-0001', r: 1, e: 'ed1', exp: now / 1000 - 60 });
    const legacy = signToken(Buffer.from(legacySecret), 'submit', { c: 'demo', i: 'p1', v: 1 });
    const retireAt = now + 90 * DAY;

    expect(verifyToken(rotated(90), 'review', before, retireAt - 1, { allowExpired: true })).toBeDefined();
    // Not "expired" (which offers a fresh link): a retired key may have leaked.
    expect(() => verifyToken(rotated(90), 'review', before, retireAt)).toThrow(InvalidLinkError);
    expect(() => verifyToken(rotated(90), 'review', before, retireAt, { allowExpired: true })).toThrow(
      InvalidLinkError,
    );
    expect(() => verifyToken(rotated(90), 'submit', legacy, retireAt)).toThrow(InvalidLinkError);
  });

  it('refuse a token naming a key the ring does not hold, or naming one wrongly', () => {
    const unknown = signToken({ keys: [{ id: 'k7', secret: legacySecret }] }, 'submit', { c: 'demo' });
    const notText = signToken(Buffer.from(legacySecret), 'submit', { c: 'demo', kid: 0 });

    expect(tokenKeyId(unknown)).toBe('k7');
    expect(() => verifyToken(ring, 'submit', unknown, now)).toThrow(InvalidLinkError);
    expect(() => verifyToken(ring, 'submit', notText, now)).toThrow(InvalidLinkError);
  });

  it('keep the purpose bound whichever key signed', () => {
    const after = signToken(rotated(90), 'mine', { c: 'demo', i: 'p1', v: 1 });

    for (const other of ['submit', 'desk', 'receipt', 'review'] as const) {
      expect(() => verifyToken(rotated(90), other, after, now)).toThrow(InvalidLinkError);
    }
    expect(verifyToken(rotated(90), 'mine', after, now)).toMatchObject({ p: 'mine' });
  });
});
