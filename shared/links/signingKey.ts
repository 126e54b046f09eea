// Where the ring of link-signing keys is kept, and this process's copy of it. Locally, a JSON file in the data dir
// (SIGNING_KEY_FILE, written by `npm start` and `keys rotate`) or the ring given directly (SIGNING_KEY: JSON, or a
// plain key, which is the legacy key alone); on AWS, a Secrets Manager secret (SIGNING_KEY_SECRET_ARN) holding the
// same JSON or, until the first rotation, the plain generated string. The copy is refreshed when older than five
// minutes, so a rotation reaches every warm function soon; a token naming a key the copy lacks (signed elsewhere
// after a rotation) reloads it at once, at most once a minute, so forged key ids cannot make every request a read.
import { readFile } from 'node:fs/promises';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { now } from '../core/clock';
import { config } from '../core/config';
import { errorFields, log } from '../core/log';
import { holdsKey, type KeyRing, parseRing } from './keyRing';
import { tokenKeyId } from './tokens';

/** A copy older than this is read again before use. */
export const RING_MAX_AGE_MS = 5 * 60_000;
/** A token naming an unknown key reloads the ring at most this often. */
export const UNKNOWN_KEY_RELOAD_MS = 60_000;

export type RingSource =
  | { kind: 'file'; path: string }
  | { kind: 'env'; text: string }
  | { kind: 'secret'; secretId: string; region: string };

/**
 * Where this process reads the ring. SIGNING_KEY_FILE is read here rather than in core/config because it only
 * exists locally (the stand-in for the secret) and must win over SIGNING_KEY, which config requires to be set.
 */
export function ringSource(env: NodeJS.ProcessEnv = process.env): RingSource {
  const file = env.SIGNING_KEY_FILE?.trim();
  if (file) return { kind: 'file', path: file };
  const { signingKey, signingKeySecretArn, region } = config();
  if (signingKey) return { kind: 'env', text: signingKey };
  return { kind: 'secret', secretId: signingKeySecretArn!, region };
}

let client: SecretsManagerClient | undefined;

/** The Secrets Manager client, made once for the process. */
export function secretsClient(region: string): SecretsManagerClient {
  client ??= new SecretsManagerClient({ region });
  return client;
}

/** The ring as `source` holds it now, with the secret's version (to notice a rotation racing another). */
export async function readRing(source: RingSource = ringSource()): Promise<{ ring: KeyRing; versionId?: string }> {
  if (source.kind === 'file') return { ring: parseRing(await readFile(source.path, 'utf8'), source.path) };
  if (source.kind === 'env') return { ring: parseRing(source.text, 'SIGNING_KEY') };
  const secret = await secretsClient(source.region).send(new GetSecretValueCommand({ SecretId: source.secretId }));
  if (!secret.SecretString) throw new Error('The signing-key secret is empty');
  return {
    ring: parseRing(secret.SecretString, 'the signing-key secret'),
    ...(secret.VersionId ? { versionId: secret.VersionId } : {}),
  };
}

export interface RingCache {
  /** The ring to sign with (and to check tokens naming keys it holds). */
  current(): Promise<KeyRing>;
  /** The ring to check a token naming `keyId` (undefined: the legacy key) with, reloaded first if it lacks that key. */
  forKey(keyId: string | undefined): Promise<KeyRing>;
}

/**
 * A process's copy of the ring. `clock` is the app's clock (tests move it); a failed refresh keeps the copy it has
 * (stale keys beat no links) and tries again a minute later; a failed first read fails the request and is retried.
 */
export function ringCache(load: () => Promise<KeyRing>, clock: () => number = () => now().getTime()): RingCache {
  let ring: KeyRing | undefined;
  let loadedAt = 0;
  let loading: Promise<KeyRing> | undefined;
  let unknownKeyReloadAt = Number.NEGATIVE_INFINITY;

  const stale = () => ring === undefined || clock() - loadedAt >= RING_MAX_AGE_MS;
  const reload = (): Promise<KeyRing> => {
    loading ??= load()
      .then(
        (fresh) => {
          ring = fresh;
          loadedAt = clock();
          return fresh;
        },
        (err: unknown) => {
          if (!ring) throw err;
          log.warn('signing keys not reloaded; keeping the keys read before', errorFields(err));
          loadedAt = clock() - RING_MAX_AGE_MS + UNKNOWN_KEY_RELOAD_MS;
          return ring;
        },
      )
      .finally(() => {
        loading = undefined;
      });
    return loading;
  };
  const current = async () => (stale() ? reload() : (ring as KeyRing));

  return {
    current,
    async forKey(keyId) {
      const refreshed = stale();
      const held = await current();
      if (refreshed || holdsKey(held, keyId) || clock() - unknownKeyReloadAt < UNKNOWN_KEY_RELOAD_MS) return held;
      unknownKeyReloadAt = clock();
      return reload();
    },
  };
}

// One copy per process, shared by every handler module of a function: each is a bundle of its own with its own copy of
// this file (infra/functionBuild.ts), so a module-scoped copy would cost a secret read per route, not per cold start.
const SHARED = Symbol.for('baosong.signingKeys');
const processWide = globalThis as { [SHARED]?: RingCache };
processWide[SHARED] ??= ringCache(async () => (await readRing()).ring);
const cache: RingCache = processWide[SHARED];

/** The ring links are signed with: its newest key signs. */
export function signingRing(): Promise<KeyRing> {
  return cache.current();
}

/** The ring to check `token` with: the one that holds the key it names, if any process has that key yet. */
export function verifyingRing(token: unknown): Promise<KeyRing> {
  return cache.forKey(tokenKeyId(token));
}
