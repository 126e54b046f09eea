// Starts dynalite (in memory), aws-ses-v2-local and s3rver (in a temporary folder) once per jest run, on free ports. Workers inherit the
// endpoints through the environment; each test file then creates its own table (test/support/harness.ts). The
// fault-injection suite's files report their case counts into one file, which the teardown sums up.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LOCAL_FILES_BUCKET } from '../local/env';
import { startDynalite, startS3, startSes } from '../local/standins';

export default async function globalSetup(): Promise<void> {
  const ddb = await startDynalite({ port: 0 });
  const ses = await startSes({ port: 0 });
  const files = mkdtempSync(join(tmpdir(), 'baosong-s3-'));
  const started = await startS3({ port: 0, directory: files, bucket: LOCAL_FILES_BUCKET });
  const s3 = { ...started, close: () => started.close().then(() => rmSync(files, { recursive: true, force: true })) };
  process.env.S3_ENDPOINT = `http://127.0.0.1:${s3.port}`;
  process.env.FILES_BUCKET = LOCAL_FILES_BUCKET;
  process.env.DDB_ENDPOINT = `http://127.0.0.1:${ddb.port}`;
  process.env.SES_ENDPOINT = `http://127.0.0.1:${ses.port}`;
  process.env.BAOSONG_FAULT_REPORT = join(mkdtempSync(join(tmpdir(), 'baosong-faults-')), 'cases.jsonl');
  (globalThis as { __standins?: unknown }).__standins = [ddb, ses, s3];
}
