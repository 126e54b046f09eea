// The store goes away in the middle of a load and comes back: dynalite (persisted on disk) is stopped while
// informants keep submitting, then started again on the same data. Every answer meanwhile is a clear 503 (never a
// 500, never a 400), nothing is half done: every piece answered 201 is stored whole, every "not saved" stored
// nothing, and each submission retried with its Idempotency-Key after the restart ends as exactly one piece.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { handler as sweep } from '../../functions/sweeper';
import { type RunningServer, startDynalite, startSes } from '../../local/standins';
import { setClock } from '../../shared/core/clock';
import { config } from '../../shared/core/config';
import { HOLE_GRACE_MS } from '../../shared/intake/receiptNumbers';
import { submitKey } from '../../shared/links/links';
import { importRoster } from '../../shared/roster/importRoster';
import { personIdOf } from '../../shared/store/keys';
import { allItems, receiptGaps, unsent } from '../support/faultState';
import { LONG_BODY, startTestCounty, type TestCounty } from '../support/harness';

let county: TestCounty;
let ddb: RunningServer | undefined;
let ses: RunningServer;
let port = 0;
const dataDir = mkdtempSync(join(tmpdir(), 'baosong-restart-'));
let t = new Date('2026-10-12T02:00:00Z').getTime();

// The code under test logs every failed call, as it should; here that is hundreds of expected lines.
const quiet = [jest.spyOn(console, 'log'), jest.spyOn(console, 'error')].map((s) => s.mockImplementation(() => {}));

beforeAll(async () => {
  setClock(new Date(t));
  ddb = await startDynalite({ port: 0, path: dataDir });
  port = ddb.port;
  process.env.DDB_ENDPOINT = `http://127.0.0.1:${port}`;
  process.env.REQUEST_BUDGET_MS = '1500';
  ses = await startSes({ port: 0 });
  county = await startTestCounty({ sesEndpoint: `http://127.0.0.1:${ses.port}` });
  const d = county.domain;
  const rows = ['甲', '乙', '丙', '丁'].map((n, i) => `第${i + 1}单位,${n},p${i}@${d},,信息员`);
  expect(
    (await importRoster(['单位,姓名,邮箱,手机,角色', ...rows, `县委组织部信息科,王编辑,wang@${d},,编辑`].join('\n')))
      .ok,
  ).toBe(true);
}, 60_000);
afterAll(async () => {
  for (const spy of quiet) spy.mockRestore();
  setClock(undefined);
  await county.close();
  await ddb?.close();
  await ses.close();
  rmSync(dataDir, { recursive: true, force: true });
});

/** How many pieces each title has, read in one pass. */
async function submittedByTitle(): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const item of await allItems()) {
    if (item.type === 'submitted') counts.set(String(item.title), (counts.get(String(item.title)) ?? 0) + 1);
  }
  return counts;
}

interface Sent {
  title: string;
  key: string;
  status: number;
  error?: string;
}

describe('the store stopped in the middle of a load, then started again', () => {
  it('answers clear 503s meanwhile, leaves nothing half done, and every retried submission ends as one piece', async () => {
    const keys = await Promise.all(
      [0, 1, 2, 3].map((i) => submitKey(personIdOf(config().countyId, `p${i}@${county.domain}`), 1)),
    );
    const send = async (k: string, title: string, key: string): Promise<Sent> => {
      const res = await fetch(`${county.baseUrl}/submissions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', 'idempotency-key': key },
        body: JSON.stringify({ k, kind: 'info', title, body: LONG_BODY }),
      });
      const body = (await res.json()) as { error?: string };
      return { title, key, status: res.status, error: body.error };
    };
    let running = true;
    const load = keys.map(async (k, i) => {
      const sent: Sent[] = [];
      for (let j = 0; running && j < 200; j++) sent.push(await send(k, `重启 ${i}-${j}`, `restart-${i}-${j}`));
      return sent;
    });

    await new Promise((r) => setTimeout(r, 700));
    await ddb?.close();
    ddb = undefined;
    await new Promise((r) => setTimeout(r, 1500));
    ddb = await startDynalite({ port, path: dataDir });
    await new Promise((r) => setTimeout(r, 700));
    running = false;
    const sent = (await Promise.all(load)).flat();

    // Meanwhile: 201 or a clear 503, nothing else.
    expect(sent.filter((s) => s.status !== 201 && s.status !== 503)).toEqual([]);
    const failed = sent.filter((s) => s.status === 503);
    expect(failed.length).toBeGreaterThan(0);
    expect(sent.filter((s) => s.status === 201).length).toBeGreaterThan(0);
    // Answered 201: stored, once. "Not saved": nothing stored.
    const piecesTitled = await submittedByTitle();
    expect(sent.filter((s) => s.status === 201 && piecesTitled.get(s.title) !== 1)).toEqual([]);
    expect(failed.filter((s) => s.error === 'unavailable' && piecesTitled.has(s.title))).toEqual([]);
    // Every failed one sent again with its key (each client its own, one after another): one piece each.
    const retried = await Promise.all(
      keys.map(async (k, i) => {
        const outcomes: string[] = [];
        for (const s of failed.filter((f) => f.key.startsWith(`restart-${i}-`))) {
          let again = await send(k, s.title, s.key);
          // "Still in progress, try again in a few seconds": the client does.
          for (let tries = 0; again.status === 409 && tries < 3; tries++) {
            await new Promise((r) => setTimeout(r, 500));
            t += 20_000;
            setClock(new Date(t));
            again = await send(k, s.title, s.key);
          }
          outcomes.push(`${s.title} ${again.status}`);
        }
        return outcomes;
      }),
    );
    expect(retried.flat().filter((o) => !o.endsWith(' 201'))).toEqual([]);
    const after = await submittedByTitle();
    expect(failed.filter((s) => after.get(s.title) !== 1)).toEqual([]);
    // The sweeper finishes the email and gives back any number left without its piece; then no gap remains.
    for (let i = 0; i < 3; i++) {
      t += HOLE_GRACE_MS + 20 * 60_000;
      setClock(new Date(t));
      await sweep();
    }
    expect(await unsent()).toEqual([]);
    const gaps = await receiptGaps(2026);
    for (const _ of gaps)
      expect((await send(keys[0]!, `补号 ${Math.random()}`, `fill-${Math.random()}`)).status).toBe(201);
    expect(await receiptGaps(2026)).toEqual([]);
  }, 120_000);
});
