// The local configuration shared by `npm start`, the admin CLI and the tests: ports, data dir (the table, the files),
// the ring of link-signing keys (generated into the data dir on first start, rotated by `keys rotate`), and the
// table (created from the one table definition).

import { existsSync, linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type KeyRing, LEGACY_KEY_ID, legacyRing, newKey, serializeRing } from '../shared/links/keyRing';
import { createTableInput } from '../shared/store/tableDefinition';

export interface LocalSettings {
  port: number;
  sesPort: number;
  ddbPort: number;
  s3Port: number;
  dataDir: string;
  publicUrl: string;
}

function portOf(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`${name} must be a port number, got "${raw}"`);
  return port;
}

/** The local files bucket (s3rver makes it on start). */
export const LOCAL_FILES_BUCKET = 'baosong-files';

export function localSettings(): LocalSettings {
  const port = portOf('PORT', 3000);
  return {
    port,
    sesPort: portOf('SES_PORT', 8005),
    ddbPort: portOf('DDB_PORT', 8000),
    s3Port: portOf('S3_PORT', 4569),
    dataDir: resolve(process.env.DATA_DIR || '.data'),
    publicUrl: (process.env.PUBLIC_URL || `http://127.0.0.1:${port}`).replace(/\/+$/, ''),
  };
}

/** The data dir's ring of link-signing keys (the local stand-in for the Secrets Manager secret). */
export const KEY_RING_FILE = 'signing-keys.json';
/** The single key of a data dir from before key rings: it becomes the ring's legacy key, so its links keep working. */
const LEGACY_KEY_FILE = 'signing.key';

/** A data dir's key ring: the file the functions re-read after a rotation, and its text when read now. */
export interface LocalKeyRing {
  file: string;
  text: string;
}

/** The signing keys of this data dir: made once, kept with the data, so links keep working across restarts. */
export function localSigningKey(dataDir: string): LocalKeyRing {
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, KEY_RING_FILE);
  if (!existsSync(file)) {
    const legacy = join(dataDir, LEGACY_KEY_FILE);
    const ring: KeyRing = existsSync(legacy)
      ? legacyRing(readFileSync(legacy, 'utf8').trim())
      : { keys: [newKey(LEGACY_KEY_ID, new Date())] };
    createOnce(file, serializeRing(ring));
  }
  return { file, text: readFileSync(file, 'utf8') };
}

/** Writes `file` unless it exists, whole or not at all: two first starts at once keep one ring, never half of one. */
function createOnce(file: string, text: string): void {
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, text, { mode: 0o600 });
  try {
    linkSync(temporary, file);
  } catch (err) {
    if ((err as { code?: string }).code !== 'EEXIST') throw err;
  } finally {
    unlinkSync(temporary);
  }
}

/**
 * Points shared/core/config at the local stand-ins (before its first use). The signing keys: a data dir's ring
 * (SIGNING_KEY_FILE, re-read after a rotation, and its text in SIGNING_KEY), or a key given directly.
 */
export function applyLocalEnv(s: LocalSettings, signingKey: string | LocalKeyRing): void {
  process.env.TABLE_NAME ||= 'baosong';
  process.env.COUNTY_ID ||= 'demo';
  process.env.SENDER ||= 'baosong@example.com';
  process.env.AWS_REGION ||= 'cn-north-1';
  process.env.PUBLIC_URL = s.publicUrl;
  process.env.DDB_ENDPOINT = `http://127.0.0.1:${s.ddbPort}`;
  process.env.SES_ENDPOINT = `http://127.0.0.1:${s.sesPort}`;
  process.env.S3_ENDPOINT = `http://127.0.0.1:${s.s3Port}`;
  process.env.FILES_BUCKET ||= LOCAL_FILES_BUCKET;
  if (typeof signingKey === 'string') {
    process.env.SIGNING_KEY = signingKey;
    delete process.env.SIGNING_KEY_FILE;
  } else {
    process.env.SIGNING_KEY = signingKey.text;
    process.env.SIGNING_KEY_FILE = signingKey.file;
  }
  process.env.BAOSONG_LOCAL = '1';
}

/** Creates the table if it is missing and waits until it is ACTIVE; true when it was created now. */
export async function ensureTable(endpoint: string, tableName: string): Promise<boolean> {
  const client = new DynamoDBClient({
    endpoint,
    region: process.env.AWS_REGION || 'cn-north-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  let created = false;
  try {
    const existing = await client.send(new DescribeTableCommand({ TableName: tableName }));
    // dynalite cannot add an index to a table, so a data dir from before an index was added cannot be migrated.
    const have = new Set((existing.Table?.GlobalSecondaryIndexes ?? []).map((i) => i.IndexName));
    const missing = (createTableInput(tableName).GlobalSecondaryIndexes ?? [])
      .map((i) => i.IndexName ?? '')
      .filter((name) => !have.has(name));
    if (missing.length > 0) {
      throw new Error(
        `The local table ${tableName} lacks the index(es) ${missing.join(', ')} added by a newer version: ` +
          'move the data dir aside (DATA_DIR, default .data/) to start with a fresh table.',
      );
    }
  } catch (err) {
    if (!(err instanceof Error) || err.name !== 'ResourceNotFoundException') throw err;
    await client.send(new CreateTableCommand(createTableInput(tableName)));
    created = true;
  }
  for (let i = 0; i < 100; i++) {
    const out = await client.send(new DescribeTableCommand({ TableName: tableName }));
    if (out.Table?.TableStatus === 'ACTIVE') break;
    await new Promise((r) => setTimeout(r, 50));
  }
  client.destroy();
  return created;
}
