import fc from 'fast-check';
import { ExpiredLinkError, InvalidLinkError } from '../../../shared/core/errors';
import { signToken, verifyToken } from '../../../shared/links/tokens';

const key = Buffer.from('k'.repeat(64));
const now = Date.UTC(2026, 10, 26);

describe('signed link tokens', () => {
  it('verify for the purpose they were signed for and carry their claims', () => {
    const token = signToken(key, 'review', { pc: '2026-0001', r: 2, e: 'ed1', exp: now / 1000 + 60 });

    expect(verifyToken(key, 'review', token, now)).toMatchObject({ pc: '2026-0001', r: 2, e: 'ed1', p: 'review' });
  });

  it('never verify for another purpose', () => {
    const token = signToken(key, 'submit', { c: 'demo', i: 'p1', v: 1 });

    expect(() => verifyToken(key, 'review', token, now)).toThrow(InvalidLinkError);
    expect(() => verifyToken(key, 'revise', token, now)).toThrow(InvalidLinkError);
  });

  it('refuse a token signed with another key', () => {
    const token = signToken(Buffer.from('x'.repeat(64)), 'submit', { c: 'demo', i: 'p1', v: 1 });

    expect(() => verifyToken(key, 'submit', token, now)).toThrow(InvalidLinkError);
  });

  it('refuse any change to the payload or the signature', () => {
    const token = signToken(key, 'submit', { c: 'demo', i: 'p1', v: 1 });
    fc.assert(
      fc.property(fc.nat({ max: token.length - 1 }), fc.constantFrom(...'ABCxyz019-_'), (at, ch) => {
        fc.pre(token[at] !== ch && token[at] !== '.');
        const changed = token.slice(0, at) + ch + token.slice(at + 1);
        expect(() => verifyToken(key, 'submit', changed, now)).toThrow(InvalidLinkError);
      }),
    );
  });

  it('expire at their expiry, saying so rather than calling them forged', () => {
    const token = signToken(key, 'review', { pc: '2026-0001', r: 1, e: 'ed1', exp: now / 1000 });

    expect(() => verifyToken(key, 'review', token, now - 1000)).not.toThrow();
    expect(() => verifyToken(key, 'review', token, now)).toThrow(ExpiredLinkError);
    expect(verifyToken(key, 'review', token, null)).toMatchObject({ pc: '2026-0001' });
  });

  it('refuse anything that is not a token at all without throwing anything else', () => {
    fc.assert(
      fc.property(fc.anything(), (input) => {
        expect(() => verifyToken(key, 'submit', input, now)).toThrow(InvalidLinkError);
      }),
    );
  });
});

describe('signed link tokens, spelled', () => {
  it('only one way: the spare bits of the last signature character must not give one token four spellings', () => {
    const token = signToken(key, 'submit', { c: 'demo', i: 'p1', v: 1 });
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const last = alphabet.indexOf(token.at(-1)!);
    const group = alphabet.slice(last - (last % 4), last - (last % 4) + 4);

    for (const ch of group.replace(token.at(-1)!, '')) {
      expect(() => verifyToken(key, 'submit', token.slice(0, -1) + ch, now)).toThrow(InvalidLinkError);
    }
  });
});
