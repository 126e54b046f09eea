// Where a process reads its signing keys (the data dir's file, the environment, the secret) and how its copy stays
// fresh: refreshed after five minutes, reloaded at once for a key it lacks, at most once a minute.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type KeyRing, serializeRing } from '../../../shared/links/keyRing';
import {
  RING_MAX_AGE_MS,
  readRing,
  ringCache,
  ringSource,
  UNKNOWN_KEY_RELOAD_MS,
} from '../../../shared/links/signingKey';

const secret = (c: string) => c.repeat(43);
const before: KeyRing = { keys: [{ id: 'k0', secret: secret('a') }] };
const rotated: KeyRing = {
  keys: [
    { id: 'k0', secret: secret('a'), retiresAt: '2027-03-01T00:00:00.000Z' },
    { id: 'k1', secret: secret('b'), created: '2026-11-26T02:00:00.000Z' },
  ],
};

/** A ring kept somewhere this test controls, and a clock it moves: what a warm function sees across a rotation. */
function kept(first: KeyRing) {
  const store = { ring: first, reads: 0, fail: false };
  let t = 1_000_000;
  const cache = ringCache(
    async () => {
      store.reads += 1;
      if (store.fail) throw new Error('Secrets Manager is unreachable');
      return store.ring;
    },
    () => t,
  );
  return { store, cache, advance: (ms: number) => (t += ms) };
}

describe("a process's copy of the key ring", () => {
  it('is read once and kept while fresh', async () => {
    const { store, cache, advance } = kept(before);

    expect(await cache.current()).toBe(before);
    advance(RING_MAX_AGE_MS - 1);
    expect(await cache.forKey('k0')).toBe(before);
    expect(await cache.forKey(undefined)).toBe(before);
    expect(store.reads).toBe(1);
  });

  it('is read again once older than its maximum age, so a rotation reaches every warm function', async () => {
    const { store, cache, advance } = kept(before);
    await cache.current();
    store.ring = rotated;

    advance(RING_MAX_AGE_MS);
    expect(await cache.current()).toBe(rotated);
    expect(store.reads).toBe(2);
  });

  it('is reloaded at once for a token naming a key it lacks (signed elsewhere after a rotation)', async () => {
    const { store, cache, advance } = kept(before);
    await cache.current();
    advance(1000);
    store.ring = rotated;

    expect(await cache.forKey('k1')).toBe(rotated);
    expect(store.reads).toBe(2);
  });

  it('is reloaded for unknown keys at most once a minute, so forged key ids cannot make every request a read', async () => {
    const { store, cache, advance } = kept(before);
    await cache.current();

    expect(await cache.forKey('k9')).toBe(before);
    expect(store.reads).toBe(2);
    advance(UNKNOWN_KEY_RELOAD_MS - 1);
    expect(await cache.forKey('k8')).toBe(before);
    expect(await cache.forKey('k1')).toBe(before);
    expect(store.reads).toBe(2);
    advance(1);
    store.ring = rotated;
    expect(await cache.forKey('k1')).toBe(rotated);
    expect(store.reads).toBe(3);
  });

  it('reads once, not twice, when a stale copy meets an unknown key', async () => {
    const { store, cache, advance } = kept(before);
    await cache.current();
    advance(RING_MAX_AGE_MS);

    await cache.forKey('k9');
    expect(store.reads).toBe(2);
  });

  it('keeps the keys it has when a refresh fails, says so, and tries again a minute later', async () => {
    const logged = jest.spyOn(console, 'log').mockImplementation(() => {});
    const { store, cache, advance } = kept(before);
    await cache.current();
    store.fail = true;
    advance(RING_MAX_AGE_MS);

    expect(await cache.current()).toBe(before);
    expect(await cache.current()).toBe(before);
    expect(store.reads).toBe(2);
    expect(logged).toHaveBeenCalledWith(expect.stringContaining('"level":"warn"'));
    logged.mockRestore();
    advance(UNKNOWN_KEY_RELOAD_MS);
    store.fail = false;
    store.ring = rotated;
    expect(await cache.current()).toBe(rotated);
  });

  it('fails the request when the first read fails, and reads again on the next', async () => {
    const { store, cache } = kept(before);
    store.fail = true;

    await expect(cache.current()).rejects.toThrow('unreachable');
    store.fail = false;
    expect(await cache.current()).toBe(before);
  });

  it('shares one read among requests arriving together', async () => {
    const { store, cache } = kept(before);

    const rings = await Promise.all([cache.current(), cache.forKey('k0'), cache.current()]);
    expect(rings).toEqual([before, before, before]);
    expect(store.reads).toBe(1);
  });
});

describe('where the key ring is read', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'baosong-keys-unit-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("is the data dir's file when SIGNING_KEY_FILE names one, before a key given directly", async () => {
    const file = join(dir, 'signing-keys.json');
    writeFileSync(file, serializeRing(rotated));

    expect(ringSource({ SIGNING_KEY_FILE: file, SIGNING_KEY: secret('z') })).toEqual({ kind: 'file', path: file });
    expect(await readRing({ kind: 'file', path: file })).toEqual({ ring: rotated });
  });

  it('takes a plain key given directly as the legacy key, and JSON as a ring', async () => {
    expect(await readRing({ kind: 'env', text: secret('c') })).toEqual({
      ring: { keys: [{ id: 'k0', secret: secret('c') }] },
    });
    expect(await readRing({ kind: 'env', text: serializeRing(rotated) })).toEqual({ ring: rotated });
  });
});
