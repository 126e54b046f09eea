// The ring of link-signing keys as data: the newest key signs, every key not past its retirement verifies, a token
// without a key id is the legacy key's, and a rotation retires the older keys at a stated date.
import {
  holdsKey,
  type KeyRing,
  LEGACY_KEY_ID,
  parseRing,
  rotateRing,
  serializeRing,
  signerOf,
  verifierOf,
} from '../../../shared/links/keyRing';

const now = new Date('2026-11-26T02:00:00Z');
const DAY = 86_400_000;
const secret = (c: string) => c.repeat(43);
const inDays = (days: number) => new Date(now.getTime() + days * DAY);

describe('a key ring, read', () => {
  it('takes a plain secret (the single key of old) as the legacy key alone', () => {
    const ring = parseRing(`  ${'a'.repeat(64)}\n`, 'test');

    expect(ring).toEqual({ keys: [{ id: LEGACY_KEY_ID, secret: 'a'.repeat(64) }] });
    expect(signerOf(ring).id).toBe('k0');
  });

  it('takes JSON with its keys, oldest first, the last one signing', () => {
    const text = JSON.stringify({
      keys: [
        { id: 'k0', secret: secret('a'), retiresAt: inDays(30).toISOString() },
        { id: 'k1', secret: secret('b'), created: now.toISOString() },
      ],
    });
    const ring = parseRing(text, 'test');

    expect(signerOf(ring)).toEqual({ id: 'k1', secret: secret('b'), created: now.toISOString() });
    expect(parseRing(serializeRing(ring), 'test')).toEqual(ring);
  });

  it('refuses a ring it cannot trust, saying where it is and never quoting a secret', () => {
    const bad = {
      'not JSON': `{ "keys": [ "${secret('s')}" `,
      'no keys': '{ "keys": [] }',
      'a short secret': JSON.stringify({ keys: [{ id: 'k0', secret: 'short' }] }),
      'a key twice': JSON.stringify({
        keys: [
          { id: 'k0', secret: secret('s') },
          { id: 'k0', secret: secret('t') },
        ],
      }),
      'a bad id': JSON.stringify({ keys: [{ id: 'k 0', secret: secret('s') }] }),
      'a bad date': JSON.stringify({ keys: [{ id: 'k0', secret: secret('s'), retiresAt: 'soon' }] }),
      'a signer that retires': JSON.stringify({
        keys: [{ id: 'k1', secret: secret('s'), retiresAt: inDays(1).toISOString() }],
      }),
      'a plain key too short': 'abc',
    };
    for (const [what, text] of Object.entries(bad)) {
      let message = '';
      try {
        parseRing(text, 'the test file');
      } catch (err) {
        message = (err as Error).message;
        expect((err as Error).cause).toBeUndefined();
      }
      expect([what, message]).toEqual([what, expect.stringContaining('the test file')]);
      expect([what, message]).not.toEqual([what, expect.stringMatching(/sss|abc/)]);
    }
  });
});

describe('a key ring, used', () => {
  const ring: KeyRing = {
    keys: [
      { id: 'k0', secret: secret('a'), retiresAt: inDays(30).toISOString() },
      { id: 'k1', secret: secret('b') },
    ],
  };

  it('verifies with a key it holds until that key retires; a token without key id is the legacy key', () => {
    expect(verifierOf(ring, 'k1', inDays(1000).getTime())?.id).toBe('k1');
    expect(verifierOf(ring, 'k0', inDays(30).getTime() - 1)?.id).toBe('k0');
    expect(verifierOf(ring, undefined, now.getTime())?.id).toBe('k0');
    expect(verifierOf(ring, 'k0', inDays(30).getTime())).toBeUndefined();
    expect(verifierOf(ring, undefined, inDays(30).getTime())).toBeUndefined();
    expect(verifierOf(ring, 'k2', now.getTime())).toBeUndefined();
    expect(holdsKey(ring, 'k0')).toBe(true);
    expect(holdsKey(ring, undefined)).toBe(true);
    expect(holdsKey(ring, 'k2')).toBe(false);
  });
});

describe('rotating a key ring', () => {
  const legacy: KeyRing = { keys: [{ id: 'k0', secret: secret('a') }] };

  it('adds a fresh random key that signs, and retires the old one at the stated time', () => {
    const { ring, added, retiring, dropped } = rotateRing(legacy, { now, retireAt: inDays(90) });

    expect(added).toEqual({
      id: 'k1',
      secret: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      created: now.toISOString(),
    });
    expect(signerOf(ring)).toBe(added);
    expect(retiring).toEqual([{ id: 'k0', secret: secret('a'), retiresAt: inDays(90).toISOString() }]);
    expect(dropped).toEqual([]);
    expect(ring.keys.map((k) => k.id)).toEqual(['k0', 'k1']);
    expect(rotateRing(legacy, { now, retireAt: inDays(90) }).added.secret).not.toBe(added.secret);
  });

  it('never lengthens an old key, so rotating at once after a leak ends every older key', () => {
    const once = rotateRing(legacy, { now, retireAt: inDays(90) }).ring;
    const leak = rotateRing(once, { now: inDays(10), retireAt: inDays(10) });

    expect(leak.ring.keys.map((k) => [k.id, k.retiresAt])).toEqual([
      ['k0', inDays(10).toISOString()],
      ['k1', inDays(10).toISOString()],
      ['k2', undefined],
    ]);
    const later = rotateRing(once, { now: inDays(10), retireAt: inDays(200) });
    expect(later.ring.keys.find((k) => k.id === 'k0')?.retiresAt).toBe(inDays(90).toISOString());
    expect(later.ring.keys.find((k) => k.id === 'k1')?.retiresAt).toBe(inDays(200).toISOString());
  });

  it('leaves out keys already retired, and never reuses their ids', () => {
    const once = rotateRing(legacy, { now, retireAt: inDays(90) }).ring;
    const twice = rotateRing(once, { now: inDays(100), retireAt: inDays(190) });

    expect(twice.dropped.map((k) => k.id)).toEqual(['k0']);
    expect(twice.ring.keys.map((k) => k.id)).toEqual(['k1', 'k2']);
    expect(rotateRing(twice.ring, { now: inDays(300), retireAt: inDays(390) }).added.id).toBe('k3');
  });
});
