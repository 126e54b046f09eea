// The bench's own county: in-memory dynalite and the SES stand-in on free ports, a fresh table and a generated roster,
// configured through the environment as the test harness does. shared/core/config is read once per process, so one bench
// process has one county: every part shares it (each takes informants of its own with `takeInformants`, so one
// part's pieces never count in another's checks) and releases it with `close`; the last release stops the stand-ins
// so the process can exit, and a later part restarts them on the same ports (the cached config points there).
import { randomBytes } from 'node:crypto';
import { applyLocalEnv, ensureTable } from '../local/env';
import { type RunningServer, startDynalite, startSes } from '../local/standins';
import { now } from '../shared/core/clock';
import { config } from '../shared/core/config';
import { reviewExpiry, reviewUrl, submitKey } from '../shared/links/links';
import { importRoster } from '../shared/roster/importRoster';
import { queryAll } from '../shared/store/db';
import { keys, personIdOf } from '../shared/store/keys';

export interface BenchPerson {
  personId: string;
  name: string;
  email: string;
}

export interface BenchInformant extends BenchPerson {
  /** The personal key (the `k` of the submission link). */
  key: string;
}

export interface BenchCountyOptions {
  editors: number;
  informants: number;
}

export interface BenchCounty {
  countyId: string;
  tableName: string;
  ddbEndpoint: string;
  sesEndpoint: string;
  editors: BenchPerson[];
  /** Informants no other part has taken; throws when the roster has too few left. */
  takeInformants: (count: number) => BenchInformant[];
  /** An editor's review token for one revision (the last path segment of the review link), valid for the usual days. */
  reviewToken: (pieceId: string, revision: number, editorId: string, informantId: string) => Promise<string>;
  /** The roster items as stored, e.g. to seed another table with the same people. */
  rosterItems: () => Promise<Record<string, unknown>[]>;
  /** Releases this part's hold; the last release stops the stand-ins. */
  close: () => Promise<void>;
}

/** The roster every bench part asks for: one county per process, so one size for all. */
export const BENCH_ROSTER: BenchCountyOptions = { editors: 3, informants: 60 };

const UNITS = ['县委办公室', '县委宣传部', '城关镇党委', '红旗乡党委', '东风街道党工委', '县人社局'];
const DOMAIN = 'bench.example.com';

interface Running {
  ddb: RunningServer;
  ses: RunningServer;
  options: BenchCountyOptions;
  editors: BenchPerson[];
  informants: BenchInformant[];
  taken: number;
}

let running: Promise<Running> | undefined;
let holders = 0;
/** Ports of the first start: the cached config and SDK clients keep pointing there for the life of the process. */
let ports: { ddb: number; ses: number } | undefined;

/** A roster CSV: `informants` spread over a few units, `editors` in the 信息科, one leader. */
export function benchRosterCsv(options: BenchCountyOptions): string {
  const rows = ['单位,姓名,邮箱,手机,角色'];
  for (let i = 1; i <= options.informants; i++) {
    const n = String(i).padStart(3, '0');
    rows.push(`${UNITS[i % UNITS.length]},信息员${n},informant${n}@${DOMAIN},,信息员`);
  }
  for (let i = 1; i <= options.editors; i++) rows.push(`县委组织部信息科,编辑${i},editor${i}@${DOMAIN},,编辑`);
  rows.push(`县委组织部,部长,leader@${DOMAIN},,领导`);
  return rows.join('\n');
}

async function start(options: BenchCountyOptions): Promise<Running> {
  const servers: RunningServer[] = [];
  try {
    const ddb = await startDynalite({ port: ports?.ddb ?? 0 });
    servers.push(ddb);
    const ses = await startSes({ port: ports?.ses ?? 0 });
    servers.push(ses);
    return await prepare(ddb, ses, options);
  } catch (err) {
    await Promise.all(servers.map((s) => s.close()));
    throw err;
  }
}

/** Environment (first start only), table and roster of a county whose stand-ins are running. */
async function prepare(ddb: RunningServer, ses: RunningServer, options: BenchCountyOptions): Promise<Running> {
  if (!ports) {
    ports = { ddb: ddb.port, ses: ses.port };
    const tag = randomBytes(4).toString('hex');
    applyLocalEnv(
      // Links in the bench's emails are never followed; the gateway, when a part starts one, picks its own port.
      { port: 0, sesPort: ses.port, ddbPort: ddb.port, s3Port: 0, dataDir: '', publicUrl: 'http://127.0.0.1' },
      randomBytes(32).toString('hex'),
    );
    Object.assign(process.env, { TABLE_NAME: `bench_${tag}`, COUNTY_ID: `b${tag}`, BAOSONG_QUIET: '1' });
  }
  const { countyId, tableName, ddbEndpoint } = config();
  if (ddbEndpoint !== `http://127.0.0.1:${ddb.port}`) {
    throw new Error('shared/core/config was read before the bench county set the environment: start the county first');
  }
  await ensureTable(`http://127.0.0.1:${ddb.port}`, tableName);
  const imported = await importRoster(benchRosterCsv(options));
  if (!imported.ok) throw new Error(`bench roster refused: ${JSON.stringify(imported.errors.slice(0, 3))}`);

  const person = (name: string, email: string): BenchPerson => ({ personId: personIdOf(countyId, email), name, email });
  const editors = Array.from({ length: options.editors }, (_, i) => person(`编辑${i + 1}`, `editor${i + 1}@${DOMAIN}`));
  const informants = await Promise.all(
    Array.from({ length: options.informants }, async (_, i) => {
      const n = String(i + 1).padStart(3, '0');
      const p = person(`信息员${n}`, `informant${n}@${DOMAIN}`);
      return { ...p, key: await submitKey(p.personId, 1) };
    }),
  );
  return { ddb, ses, options, editors, informants, taken: 0 };
}

/**
 * Starts the bench county, or joins it while another part holds it: a part joining must ask for the same editors and
 * at most as many informants as it runs with. Once the last holder has released it, the next start makes a fresh
 * table and roster with that part's numbers (same county, same signing key, same ports).
 */
export async function startBenchCounty(options: BenchCountyOptions): Promise<BenchCounty> {
  if (!running) {
    const starting = start(options);
    running = starting;
    starting.catch(() => {
      if (running === starting) running = undefined;
    });
  }
  holders += 1;
  let county: Running;
  try {
    county = await running;
    if (county.options.editors !== options.editors || county.options.informants < options.informants) {
      throw new Error(
        `the bench county runs with ${county.options.editors} editors and ${county.options.informants} informants; ` +
          `a part asked for ${options.editors} and ${options.informants} (one county per process: ask for the same)`,
      );
    }
  } catch (err) {
    holders -= 1;
    throw err;
  }

  let released = false;
  const { countyId, tableName } = config();
  return {
    countyId,
    tableName,
    ddbEndpoint: `http://127.0.0.1:${county.ddb.port}`,
    sesEndpoint: `http://127.0.0.1:${county.ses.port}`,
    editors: county.editors,
    takeInformants: (count) => {
      if (county.taken + count > county.informants.length) {
        throw new Error(
          `the bench roster has ${county.informants.length - county.taken} informants left, ${count} asked`,
        );
      }
      county.taken += count;
      return county.informants.slice(county.taken - count, county.taken);
    },
    reviewToken: async (pieceId, revision, editorId, informantId) => {
      const exp = reviewExpiry(now());
      const url = await reviewUrl({ pieceId, revision, editorId, informantId, keyVersion: 1, exp });
      return url.slice(url.lastIndexOf('/') + 1);
    },
    rosterItems: () =>
      queryAll({ KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': keys.roster(countyId) } }),
    close: async () => {
      if (released) return;
      released = true;
      holders -= 1;
      if (holders > 0) return;
      running = undefined;
      await Promise.all([county.ddb.close(), county.ses.close()]);
    },
  };
}
