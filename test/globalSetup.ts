// Starts dynalite (in memory) and aws-ses-v2-local once per jest run, on free ports. Workers inherit the
// endpoints through the environment; each test file then creates its own table (test/support/harness.ts). The
// fault-injection suite's files report their case counts into one file, which the teardown sums up.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDynalite, startSes } from '../local/standins';

export default async function globalSetup(): Promise<void> {
  const ddb = await startDynalite({ port: 0 });
  const ses = await startSes({ port: 0 });
  process.env.DDB_ENDPOINT = `http://127.0.0.1:${ddb.port}`;
  process.env.SES_ENDPOINT = `http://127.0.0.1:${ses.port}`;
  process.env.BAOSONG_FAULT_REPORT = join(mkdtempSync(join(tmpdir(), 'baosong-faults-')), 'cases.jsonl');
  (globalThis as { __standins?: unknown }).__standins = [ddb, ses];
}
