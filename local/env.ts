// The local configuration shared by `npm start`, the admin CLI and the tests: ports, data dir (the table, the files),
// the signing key
// (generated into the data dir on first start), and the table (created from the one table definition).

import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
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

/** The signing key of this data dir: made once, kept with the data, so links keep working across restarts. */
export function localSigningKey(dataDir: string): string {
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, 'signing.key');
  if (!existsSync(file)) writeFileSync(file, randomBytes(32).toString('hex'), { mode: 0o600 });
  return readFileSync(file, 'utf8').trim();
}

/** Points shared/core/config at the local stand-ins (before its first use). */
export function applyLocalEnv(s: LocalSettings, signingKey: string): void {
  process.env.TABLE_NAME ||= 'baosong';
  process.env.COUNTY_ID ||= 'demo';
  process.env.SENDER ||= 'baosong@example.com';
  process.env.AWS_REGION ||= 'cn-north-1';
  process.env.PUBLIC_URL = s.publicUrl;
  process.env.DDB_ENDPOINT = `http://127.0.0.1:${s.ddbPort}`;
  process.env.SES_ENDPOINT = `http://127.0.0.1:${s.sesPort}`;
  process.env.S3_ENDPOINT = `http://127.0.0.1:${s.s3Port}`;
  process.env.FILES_BUCKET ||= LOCAL_FILES_BUCKET;
  process.env.SIGNING_KEY = signingKey;
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
