// `npm start`: the whole county on this machine. dynalite (persisted in DATA_DIR), aws-ses-v2-local (the mailbox),
// s3rver (the uploaded files, under DATA_DIR/files),
// the local gateway serving every route with the Lambda handlers, and the outbox sweeper on a timer. The first start
// on an empty data dir creates the table and seeds the demo county from data/demo-roster.csv. Ctrl-C stops it all.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { handler as remindersJob } from '../functions/reminders';
import { startGateway } from '../local/app';
import { applyLocalEnv, ensureTable, localSettings, localSigningKey } from '../local/env';
import { assertPortFree, type RunningServer, startDynalite, startS3, startSes } from '../local/standins';
import { sweepAll } from '../shared/app/sweep';
import { config } from '../shared/core/config';
import { errorFields, log } from '../shared/core/log';
import { importRoster } from '../shared/roster/importRoster';
import { listRoster } from '../shared/roster/people';
import { submitUrl } from '../shared/roster/personalLinks';

const SWEEP_MS = Number(process.env.SWEEP_MS || 3000);
const DEMO_ROSTER = join(__dirname, '..', 'data', 'demo-roster.csv');

async function main(): Promise<void> {
  const settings = localSettings();
  // Every port is checked before anything starts, so a clash is one clear message and nothing is left running.
  await assertPortFree(settings.port, 'the local API gateway (PORT)');
  await assertPortFree(settings.sesPort, 'SES (SES_PORT)');
  await assertPortFree(settings.ddbPort, 'DynamoDB (DDB_PORT)');
  await assertPortFree(settings.s3Port, 'S3 (S3_PORT)');
  applyLocalEnv(settings, localSigningKey(settings.dataDir));

  const running: RunningServer[] = [];
  let sweeper: NodeJS.Timeout | undefined;
  const stop = async (code: number) => {
    if (sweeper) clearInterval(sweeper);
    await Promise.allSettled(running.reverse().map((s) => s.close()));
    process.exit(code);
  };
  process.once('SIGINT', () => void stop(0));
  process.once('SIGTERM', () => void stop(0));

  try {
    running.push(await startDynalite({ port: settings.ddbPort, path: join(settings.dataDir, 'dynamodb') }));
    running.push(await startSes({ port: settings.sesPort }));
    running.push(
      await startS3({
        port: settings.s3Port,
        directory: join(settings.dataDir, 'files'),
        bucket: config().filesBucket ?? '',
      }),
    );
    await ensureTable(process.env.DDB_ENDPOINT!, config().tableName);

    const county = config().countyId;
    if ((await listRoster(county)).people.length === 0) {
      const seeded = await importRoster(readFileSync(DEMO_ROSTER));
      if (!seeded.ok) throw new Error(`The demo roster is invalid: ${JSON.stringify(seeded.errors)}`);
      console.log(`已导入演示名单：${seeded.summary.added} 人，${seeded.summary.units} 个单位；欢迎邮件已发出。`);
    }

    running.push(await startGateway(settings.port, (line) => console.log(line)));

    // The timed jobs of the stack, on timers: the sweeper every few seconds, the reminder job every minute (it
    // reminds each waiting piece at most once a day, and each research task's units once, whenever it runs).
    let busy = false;
    let ticks = 0;
    sweeper = setInterval(() => {
      if (busy) return;
      busy = true;
      const remind = ticks++ % Math.max(1, Math.round(60_000 / SWEEP_MS)) === 0;
      (remind ? remindersJob() : Promise.resolve())
        .then(() => sweepAll(county))
        .catch((err) => log.error('timed job failed', errorFields(err)))
        .finally(() => {
          busy = false;
        });
    }, SWEEP_MS);

    const demo = (await listRoster(county)).people.find((p) => p.role === 'informant');
    // A local demo convenience the issue asks for: this one link is printed to your own terminal, never logged.
    const demoLink = demo ? await submitUrl(demo.personId, demo.keyVersion) : '（名单中没有信息员）';
    console.log(
      `baosong 已就绪 — 首页 ${settings.publicUrl}/ · 邮箱 http://127.0.0.1:${settings.sesPort}/ · 演示信息员${demo ? `（${demo.name}）` : ''}链接 ${demoLink}`,
    );
  } catch (err) {
    console.error(err instanceof Error ? err.message : err);
    await stop(1);
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
