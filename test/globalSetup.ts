// Starts dynalite (in memory) and aws-ses-v2-local once per jest run, on free ports. Workers inherit the
// endpoints through the environment; each test file then creates its own table (see test/support/env.ts).
import { startDynalite, startSes } from '../local/standins';

export default async function globalSetup(): Promise<void> {
  const ddb = await startDynalite({ port: 0 });
  const ses = await startSes({ port: 0 });
  process.env.DDB_ENDPOINT = `http://127.0.0.1:${ddb.port}`;
  process.env.SES_ENDPOINT = `http://127.0.0.1:${ses.port}`;
  (globalThis as { __standins?: unknown }).__standins = [ddb, ses];
}
