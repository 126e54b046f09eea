// Local throughput: the real local gateway and handlers, concurrent informants submitting JSON over keep-alive
// connections for a fixed time. Context only (this is one laptop process, not Lambda), except two goals: no request
// fails, and every piece acknowledged with a 201 is stored exactly once under a receipt of its own.
import http from 'node:http';
import { startGateway } from '../local/app';
import { monthOf, now } from '../shared/core/clock';
import { monthEvents } from '../shared/reports/issueStats';
import { db, isConditionFailed } from '../shared/store/db';
import { BENCH_ROSTER, type BenchInformant, startBenchCounty } from './standins';
import { type BenchOptions, type BenchPart, type Figure, median, percentile } from './types';

const GROUP = 'local throughput';
const BODY = '红旗乡推行“党员联户”制度，每名党员联系十至十五户群众，及时收集反映诉求，全年帮助解决实际困难三百余件。';
const COUNTER = 'benchThroughputCounter';

/** What the requests asked of DynamoDB while the clock ran: calls, and receipt numbers lost to a concurrent request. */
interface StoreUsage {
  counting: boolean;
  calls: number;
  receiptCollisions: number;
}

/** A request that takes longer than this counts as an error (the Lambda timeout is 10 s). */
const REQUEST_TIMEOUT_MS = 15_000;

interface Answer {
  status: number;
  body: string;
}

function post(agent: http.Agent, port: number, path: string, payload: unknown): Promise<Answer> {
  const body = Buffer.from(JSON.stringify(payload));
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        agent,
        host: '127.0.0.1',
        port,
        method: 'POST',
        path,
        headers: { 'content-type': 'application/json', accept: 'application/json', 'content-length': body.length },
        timeout: REQUEST_TIMEOUT_MS,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${REQUEST_TIMEOUT_MS} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

interface Outcome {
  latencies: number[];
  receipts: string[];
  /** What went wrong, by kind ('409 conflict', 'ECONNRESET'), with counts. */
  errors: Map<string, number>;
}

function receiptOf(answer: Answer): string {
  const receipt = (JSON.parse(answer.body) as { receipt?: unknown }).receipt;
  if (typeof receipt !== 'string' || receipt === '') throw new Error('a 201 without a receipt');
  return receipt;
}

/** One informant submitting piece after piece until the deadline, each waiting for the previous answer. */
async function informantLoop(
  agent: http.Agent,
  port: number,
  informant: BenchInformant,
  client: number,
  deadline: number,
  outcome: Outcome,
): Promise<void> {
  for (let n = 1; performance.now() < deadline; n++) {
    const title = `联户经验第${client + 1}-${n}篇`;
    const started = performance.now();
    let kind: string | undefined;
    try {
      const answer = await post(agent, port, '/submissions', { k: informant.key, kind: 'info', title, body: BODY });
      if (answer.status === 201) outcome.receipts.push(receiptOf(answer));
      else {
        const code = /"error":"([a-z_]+)"/.exec(answer.body)?.[1] ?? (answer.status === 400 ? 'invalid_input' : '');
        kind = `${answer.status} ${code}`.trim();
      }
    } catch (err) {
      kind = (err as NodeJS.ErrnoException).code ?? (err instanceof Error ? err.message : String(err));
    }
    outcome.latencies.push(performance.now() - started);
    if (kind) outcome.errors.set(kind, (outcome.errors.get(kind) ?? 0) + 1);
  }
}

export const throughputFigures: BenchPart = async (options: BenchOptions) => {
  const clients = options.quick ? 4 : 20;
  const seconds = options.quick ? 1 : 10;
  const county = await startBenchCounty(BENCH_ROSTER);
  const gateway = await startGateway(0, () => {});
  const agent = new http.Agent({ keepAlive: true, maxSockets: clients });
  const usage: StoreUsage = { counting: false, calls: 0, receiptCollisions: 0 };
  // The gateway runs the handlers in this process, on the shared document client: count what they ask of it.
  db().middlewareStack.add(
    (next, context) => async (args) => {
      if (!usage.counting) return next(args);
      usage.calls += 1;
      try {
        return await next(args);
      } catch (err) {
        const item = (args.input as { Item?: { type?: unknown } }).Item;
        if (context.commandName === 'PutItemCommand' && item?.type === 'submitted' && isConditionFailed(err)) {
          usage.receiptCollisions += 1;
        }
        throw err;
      }
    },
    { step: 'initialize', name: COUNTER, override: true },
  );
  try {
    const informants = county.takeInformants(clients);
    const outcome: Outcome = { latencies: [], receipts: [], errors: new Map() };
    const firstDay = now();

    // One untimed submission loads the handler (the gateway loads it on first use); its piece counts below.
    const warm = await post(agent, gateway.port, '/submissions', {
      k: informants[0]!.key,
      kind: 'info',
      title: '联户经验预热篇',
      body: BODY,
    });
    if (warm.status !== 201) throw new Error(`warm-up submission answered ${warm.status}: ${warm.body.slice(0, 200)}`);
    const warmReceipt = receiptOf(warm);

    usage.counting = true;
    const started = performance.now();
    const deadline = started + seconds * 1000;
    await Promise.all(
      informants.map((informant, i) => informantLoop(agent, gateway.port, informant, i, deadline, outcome)),
    );
    const elapsed = (performance.now() - started) / 1000;
    usage.counting = false;
    const lastDay = now();

    // Stored exactly once: the month index holds one `submitted` event per piece; these informants are ours alone.
    const ours = new Set(informants.map((i) => i.personId));
    const months = [...new Set([monthOf(firstDay), monthOf(lastDay)])];
    const stored = (await Promise.all(months.map((m) => monthEvents(county.countyId, m))))
      .flat()
      .filter((e) => e.type === 'submitted' && ours.has(e.informantId))
      .map((e) => e.receipt);
    const acknowledged = [warmReceipt, ...outcome.receipts];
    const acknowledgedSet = new Set(acknowledged);
    const storedSet = new Set(stored);
    const repeated = acknowledged.length - acknowledgedSet.size + (stored.length - storedSet.size);
    const lost = [...acknowledgedSet].filter((r) => !storedSet.has(r)).length;
    const unacknowledged = [...storedSet].filter((r) => !acknowledgedSet.has(r)).length;

    const completed = outcome.latencies.length;
    const failed = [...outcome.errors.values()].reduce((a, b) => a + b, 0);
    const errorKinds = [...outcome.errors].map(([kind, count]) => `${count}× ${kind}`).join(', ');
    const setting = `${clients} clients, ${seconds} s, keep-alive`;
    options.log(`  ${completed} requests in ${elapsed.toFixed(1)} s, ${failed} failed, ${stored.length} pieces stored`);

    const figures: Figure[] = [
      {
        group: GROUP,
        name: 'requests/s (POST /submissions, JSON)',
        value: Number((completed / elapsed).toFixed(1)),
        unit: 'req/s',
        goal: 'context only',
        pass: null,
        detail:
          `${setting}; all in one Node process; ${completed} requests, ${outcome.receipts.length} answered 201; ` +
          `${(usage.calls / Math.max(1, completed)).toFixed(1)} DynamoDB calls/request, incl. ` +
          `${(usage.receiptCollisions / Math.max(1, completed)).toFixed(1)} receipt numbers lost to a concurrent request`,
      },
      {
        group: GROUP,
        name: 'latency p50',
        value: Number(median(outcome.latencies).toFixed(1)),
        unit: 'ms',
        goal: 'context only',
        pass: null,
        detail: setting,
      },
      {
        group: GROUP,
        name: 'latency p99',
        value: Number(percentile(outcome.latencies, 99).toFixed(1)),
        unit: 'ms',
        goal: 'context only',
        pass: null,
        detail: `${setting}; max ${Math.max(...outcome.latencies).toFixed(0)} ms`,
      },
      {
        group: GROUP,
        name: 'errors (non-201 or network)',
        value: failed,
        unit: '',
        goal: '0',
        pass: failed === 0,
        detail: failed ? errorKinds : `of ${completed} requests`,
      },
      {
        group: GROUP,
        name: 'duplicates or losses',
        value: repeated + lost + unacknowledged,
        unit: '',
        goal: '0',
        pass: repeated + lost + unacknowledged === 0,
        detail:
          `${acknowledged.length} receipts acknowledged (warm-up included), ${stored.length} pieces stored; ` +
          `${repeated} repeated receipts, ${lost} acknowledged but not stored, ${unacknowledged} stored without a 201`,
      },
    ];
    return figures;
  } finally {
    db().middlewareStack.remove(COUNTER);
    agent.destroy();
    await gateway.close();
    await county.close();
  }
};
