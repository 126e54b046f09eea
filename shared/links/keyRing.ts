// The ring of link-signing keys, as data: the newest key signs, every key not past its retire date verifies, and a
// token names the key that signed it. Rotating adds a key and gives the older ones a retire date, so links already
// in people's mailboxes keep working for a stated time instead of all dying at once. Pure: where the ring is kept
// is signingKey.ts's business (reading) and keysCli.ts's (writing).
import { randomBytes } from 'node:crypto';

export interface SigningKeyEntry {
  /** Named in every token it signs (`kid`): `k0`, `k1`, … in the order the keys were made. */
  id: string;
  /** The HMAC key is this text's UTF-8 bytes (as the single key always was). */
  secret: string;
  /** ISO time it was made; unknown for the key that signed before keys had ids. */
  created?: string;
  /** ISO time from which tokens it signed no longer verify. Never set on the newest key, which signs. */
  retiresAt?: string;
}

/** Oldest first; the last key signs. */
export interface KeyRing {
  keys: SigningKeyEntry[];
}

/**
 * The key that signed every link made before tokens named their key: a token without a key id is checked with it
 * (and only with it), so those links keep working until this key retires.
 */
export const LEGACY_KEY_ID = 'k0';

const KEY_ID = /^[A-Za-z0-9_-]{1,16}$/;
const MIN_SECRET_LENGTH = 32;

/** A fresh key: 32 random bytes, written as base64url text. */
export function newKey(id: string, created: Date): SigningKeyEntry {
  return { id, secret: randomBytes(32).toString('base64url'), created: created.toISOString() };
}

/** A ring of one key, the legacy one: what a plain secret (the single key of old) is read as. */
export function legacyRing(secret: string, where = 'the signing key'): KeyRing {
  return checkRing({ keys: [{ id: LEGACY_KEY_ID, secret }] }, where);
}

/**
 * The ring kept at `where` (named in errors, which never quote the text: it is secret): JSON `{ "keys": [...] }`, or
 * a plain secret, which is the legacy key alone.
 */
export function parseRing(text: string, where: string): KeyRing {
  const trimmed = text.trim();
  if (!trimmed.startsWith('{')) return legacyRing(trimmed, where);
  let raw: unknown;
  try {
    raw = JSON.parse(trimmed);
  } catch {
    // JSON.parse's message quotes the text around the fault: a secret must not reach a log or a terminal.
    throw new Error(`The key ring in ${where} is not valid JSON`);
  }
  const keys = (raw as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys)) throw new Error(`The key ring in ${where} has no "keys" list`);
  return checkRing(
    {
      keys: keys.map((k: Record<string, unknown> | null, i) => {
        const { id, secret, created, retiresAt } = k ?? {};
        if (typeof id !== 'string' || typeof secret !== 'string') {
          throw new Error(`Key ${i + 1} of the key ring in ${where} lacks an "id" or a "secret"`);
        }
        if (created !== undefined && typeof created !== 'string') throw badDate(where, id, 'created');
        if (retiresAt !== undefined && typeof retiresAt !== 'string') throw badDate(where, id, 'retiresAt');
        return {
          id,
          secret,
          ...(created !== undefined ? { created } : {}),
          ...(retiresAt !== undefined ? { retiresAt } : {}),
        };
      }),
    },
    where,
  );
}

const badDate = (where: string, id: string, field: string) =>
  new Error(`Key ${id} of the key ring in ${where} has a "${field}" that is not an ISO time`);

function checkRing(ring: KeyRing, where: string): KeyRing {
  if (ring.keys.length === 0) throw new Error(`The key ring in ${where} is empty`);
  const seen = new Set<string>();
  for (const key of ring.keys) {
    if (!KEY_ID.test(key.id))
      throw new Error(`The key ring in ${where} has a key id that is not 1-16 letters or digits`);
    if (seen.has(key.id)) throw new Error(`The key ring in ${where} has key ${key.id} twice`);
    seen.add(key.id);
    if (key.secret.length < MIN_SECRET_LENGTH) {
      throw new Error(`Key ${key.id} of the key ring in ${where} is shorter than ${MIN_SECRET_LENGTH} characters`);
    }
    if (key.created !== undefined && Number.isNaN(Date.parse(key.created))) throw badDate(where, key.id, 'created');
    if (key.retiresAt !== undefined && Number.isNaN(Date.parse(key.retiresAt))) {
      throw badDate(where, key.id, 'retiresAt');
    }
  }
  if (signerOf(ring).retiresAt !== undefined) {
    throw new Error(`The newest key of the key ring in ${where} signs, so it cannot have a retire date`);
  }
  return ring;
}

/** The ring as it is kept (a file, a secret): JSON, one key a line. */
export function serializeRing(ring: KeyRing): string {
  return `{\n  "keys": [\n${ring.keys.map((k) => `    ${JSON.stringify(k)}`).join(',\n')}\n  ]\n}\n`;
}

/** The key that signs: the newest. */
export function signerOf(ring: KeyRing): SigningKeyEntry {
  return ring.keys.at(-1)!;
}

/** Whether the ring holds the key a token names (without a key id: the legacy key), retired or not. */
export function holdsKey(ring: KeyRing, keyId: string | undefined): boolean {
  const id = keyId ?? LEGACY_KEY_ID;
  return ring.keys.some((k) => k.id === id);
}

export function isRetired(key: SigningKeyEntry, nowMs: number): boolean {
  return key.retiresAt !== undefined && Date.parse(key.retiresAt) <= nowMs;
}

/** The key that checks a token naming `keyId` (none: the legacy key), if it is in the ring and not retired. */
export function verifierOf(ring: KeyRing, keyId: string | undefined, nowMs: number): SigningKeyEntry | undefined {
  const id = keyId ?? LEGACY_KEY_ID;
  const key = ring.keys.find((k) => k.id === id);
  return key && !isRetired(key, nowMs) ? key : undefined;
}

export interface Rotation {
  ring: KeyRing;
  /** The new key, which signs from now on. */
  added: SigningKeyEntry;
  /** The older keys that still verify, each until its retire date. */
  retiring: SigningKeyEntry[];
  /** Keys already retired before this rotation, left out of the new ring: they verified nothing any more. */
  dropped: SigningKeyEntry[];
}

/**
 * Adds a key that signs from `now` on, and retires every older key at `retireAt` (a key already retiring sooner
 * keeps its date: a rotation never lengthens an old key's life, so rotating after a leak with `retireAt = now`
 * ends them all). Ids count up and are never reused, so a token naming a dropped key never meets another secret.
 */
export function rotateRing(ring: KeyRing, options: { now: Date; retireAt: Date; key?: SigningKeyEntry }): Rotation {
  const nowMs = options.now.getTime();
  const dropped = ring.keys.filter((k) => isRetired(k, nowMs));
  const retiring = ring.keys
    .filter((k) => !isRetired(k, nowMs))
    .map((k) => {
      const at = Math.min(k.retiresAt ? Date.parse(k.retiresAt) : Number.POSITIVE_INFINITY, options.retireAt.getTime());
      return { ...k, retiresAt: new Date(at).toISOString() };
    });
  const numbers = ring.keys.map((k) => /^k(\d+)$/.exec(k.id)?.[1]).filter((n) => n !== undefined);
  const next = Math.max(0, ...numbers.map(Number)) + 1; // k0 is the legacy key's alone
  const added = options.key ?? newKey(`k${next}`, options.now);
  if (ring.keys.some((k) => k.id === added.id)) throw new Error(`The key ring already has a key ${added.id}`);
  return { ring: checkRing({ keys: [...retiring, added] }, 'the rotated ring'), added, retiring, dropped };
}
