// Request overhead: what the Lambda handler (middy, parsing, validation, domain rules, email rendering, the response
// page) adds on top of the storage and email calls the request cannot avoid. Each pair invokes the real handler
// in-process with a payload 2.0 event against dynalite, recording every SDK call it makes, then replays exactly those
// calls (same clients, same inputs, conditions included; calls issued together replayed together) as the raw
// baseline. The replay goes to a twin table: same definition, same roster, and every write of the handler replayed in
// the same order, so it holds the same items when each call runs and the conditions hold there as they did here.
// (Stripping the conditions instead would flatter the baseline: dynalite parses and evaluates each condition
// expression in this process, ~0.5-0.8 ms for the outbox lease's.) Ratio per pair = handler / raw; figure = median.
// The goal is judged on instruction counts (callgrind, in a child process per scenario: see `countScenario`), which
// repeat from run to run; the milliseconds, measured in this process as before, stay in the table as context (on a
// shared 2-core machine they move by about ±0.05×). Without valgrind the milliseconds are judged, as before.

import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type SESClient, SendEmailCommand, type SendEmailCommandInput } from '@aws-sdk/client-ses';
import {
  BatchGetCommand,
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { loadHandler } from '../local/app';
import { createContext, type LambdaHttpHandler } from '../local/gateway';
import { sesClient } from '../shared/mail/ses';
import { db, isConditionFailed } from '../shared/store/db';
import { keys } from '../shared/store/keys';
import { createTableInput } from '../shared/store/tableDefinition';
import type { HandlerName } from '../shared/web/routes';
import { formEvent } from './events';
import { BENCH_ROSTER, type BenchCounty, type BenchInformant, startBenchCounty } from './standins';
import { type BenchOptions, type BenchPart, type Figure, median } from './types';

const GROUP = 'request overhead';
const GOAL = 1.1;
/**
 * Pairs counted under callgrind per scenario (~50× slower than natively: 1-2 s a pair), after warm-up pairs run with
 * Valgrind's instrumentation off (several times faster), which give V8 time to compile the hot code as a warm Lambda
 * has. Where the counted window sits in V8's tiering schedule moves the figure a little (see `floorOf`).
 */
const COUNTED = {
  pairs: Number(process.env.BENCH_COUNTED_PAIRS ?? 40),
  warmup: Number(process.env.BENCH_COUNTED_WARMUP ?? 120),
};
/**
 * The counted child's Node. V8 without helper threads: compilation and GC run on the main thread, in the span that
 * causes them, instead of on threads Valgrind schedules into whichever span is running. No memory reducer: its GCs
 * follow wall-clock timers, and the wall clock runs ~50× slow here. A young generation no span fills after the
 * collection before it.
 */
const NODE_FLAGS = (
  process.env.BENCH_COUNTED_FLAGS ??
  '--single-threaded --no-memory-reducer --min-semi-space-size=64 --max-semi-space-size=64'
)
  .split(' ')
  .filter(Boolean);
const run = promisify(execFile);
/** Pairs the counted child runs instrumented but unmarked first: Valgrind translates the code anew once instrumented. */
const SETTLE_PAIRS = 3;
/** The counted child's request budget (REQUEST_BUDGET_MS) and the remaining time its contexts report. */
const PATIENT_MS = 900_000;
const BODY =
  '城关镇坚持把党员教育培训作为基层党建的基础工程，创新开展“夜校课堂”，全年培训党员一千二百人次，' +
  '覆盖全部村（社区）党组织，参训党员普遍反映内容实用、形式灵活。';

type Client = 'dynamodb' | 'ses';

interface RecordedCall {
  client: Client;
  /** The low-level command name the SDK reports, e.g. `PutItemCommand` for the document client's PutCommand. */
  command: string;
  input: Record<string, unknown>;
  start: number;
  end: number;
  /** The name of the error the call ended with, if any (a failed condition is an answer like any other). */
  error?: string;
}

interface PlannedCall {
  client: Client;
  command: string;
  input: Record<string, unknown>;
}

// biome-ignore lint/suspicious/noExplicitAny: replayed inputs are the recorded ones, typed by the command at runtime
type DocumentCommand = new (input: any) => object;

/** The document client's command for the low-level name the SDK middleware sees. */
const DOCUMENT_COMMANDS: Record<string, DocumentCommand> = {
  GetItemCommand: GetCommand,
  BatchGetItemCommand: BatchGetCommand,
  PutItemCommand: PutCommand,
  UpdateItemCommand: UpdateCommand,
  DeleteItemCommand: DeleteCommand,
  QueryCommand: QueryCommand,
  ScanCommand: ScanCommand,
};

const RECORDER = 'benchOverheadRecorder';
let recording: RecordedCall[] | undefined;

/** The recording middleware (initialize step: the input as the caller gave it, before marshalling). */
function recorded<A extends { input: object }, R>(client: Client, command: unknown, next: (args: A) => Promise<R>) {
  return async (args: A): Promise<R> => {
    if (!recording) return next(args);
    // The input is kept by reference (copied after the timed section): the SDK never mutates it.
    const call: RecordedCall = {
      client,
      command: String(command),
      input: args.input as Record<string, unknown>,
      start: performance.now(),
      end: Number.POSITIVE_INFINITY,
    };
    recording.push(call);
    try {
      return await next(args);
    } catch (err) {
      call.error = err instanceof Error ? err.name : 'non-Error';
      throw err;
    } finally {
      call.end = performance.now();
    }
  };
}

/**
 * A young-generation collection before each timed side, so neither inherits the other's garbage (without it the
 * handler's garbage, and the untimed set-up's, is collected during whichever side runs next; measured here: the
 * review ratio read 0.98 without, 1.03 with). Node exposes `gc` only behind a flag, which can be set at runtime.
 */
function exposeMinorGc(): () => void {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as ((options: { type: 'minor' | 'major' }) => void) | undefined;
  return gc ? () => gc({ type: 'minor' }) : () => {};
}

/**
 * A Lambda context as the local gateway makes one; `patient`: one whose remaining time never runs short, for the
 * counted child, where every request runs ~50× slower than natively (the child also gets a long REQUEST_BUDGET_MS).
 */
function contextFor(name: HandlerName, patient: boolean): Context {
  const context = createContext(name);
  return patient ? { ...context, getRemainingTimeInMillis: () => PATIENT_MS } : context;
}

/** Invokes a handler (untimed, e.g. to prepare a pair) and checks its status code. */
async function invoke(
  handler: LambdaHttpHandler,
  name: HandlerName,
  event: APIGatewayProxyEventV2,
  expect: number,
  patient = false,
): Promise<APIGatewayProxyStructuredResultV2> {
  const result = (await handler(event, contextFor(name, patient))) as APIGatewayProxyStructuredResultV2;
  if (result.statusCode !== expect) {
    throw new Error(`${name}: expected ${expect}, got ${result.statusCode}: ${result.body?.slice(0, 300)}`);
  }
  return result;
}

/** How long at least one of the calls was in flight (the union of their intervals). */
function inFlight(calls: RecordedCall[]): number {
  let total = 0;
  let until = Number.NEGATIVE_INFINITY;
  for (const call of [...calls].sort((a, b) => a.start - b.start)) {
    if (call.end <= until) continue;
    total += call.end - Math.max(call.start, until);
    until = call.end;
  }
  return total;
}

/**
 * The replay plan of one request, aimed at the twin table: calls issued together form one group (Promise.all). A call
 * joins the group only if it was issued before any call of the group had answered: one issued after an answer may
 * depend on it (the mark after the sends), even when another call of the group is still in flight.
 */
function plan(calls: RecordedCall[], twin: string): PlannedCall[][] {
  const groups: PlannedCall[][] = [];
  /** When the first call of the current group answered. */
  let firstAnswer = Number.NEGATIVE_INFINITY;
  for (const call of [...calls].sort((a, b) => a.start - b.start)) {
    if (call.client === 'dynamodb' && !DOCUMENT_COMMANDS[call.command]) {
      throw new Error(`no replay for ${call.command}`);
    }
    if ('TransactItems' in call.input) throw new Error(`no replay for ${call.command}`);
    const input = structuredClone(call.input);
    if (call.client === 'dynamodb' && 'RequestItems' in input) {
      // A batch names its table inside: the same keys, asked of the twin.
      input.RequestItems = { [twin]: Object.values(input.RequestItems as Record<string, unknown>)[0] };
    } else if (call.client === 'dynamodb') {
      input.TableName = twin;
    }
    const planned: PlannedCall = { client: call.client, command: call.command, input };
    if (call.start < firstAnswer && groups.length > 0) {
      groups.at(-1)!.push(planned);
      firstAnswer = Math.min(firstAnswer, call.end);
    } else {
      groups.push([planned]);
      firstAnswer = call.end;
    }
  }
  return groups;
}

/** The same SDK calls, made directly: what a hand-written function that only stores and mails would spend. */
async function replay(groups: PlannedCall[][], ses: SESClient): Promise<void> {
  const client = db();
  const send = client.send.bind(client) as (command: object) => Promise<unknown>;
  for (const group of groups) {
    await Promise.all(
      group.map((call) =>
        (call.client === 'ses'
          ? ses.send(new SendEmailCommand(call.input as unknown as SendEmailCommandInput))
          : send(new DOCUMENT_COMMANDS[call.command]!(call.input))
        ).catch((err: unknown) => {
          // The handler meets failed conditions too (and carries on): the call was made all the same.
          if (!isConditionFailed(err)) throw err;
        }),
      ),
    );
  }
}

export interface Pair {
  handlerMs: number;
  rawMs: number;
  /** Of the handler's time, how long no SDK call was in flight: its own work. */
  ownMs: number;
  /** The same for the baseline: the SDK's work before and after each call's recorded span. */
  rawOwnMs: number;
  ddbCalls: number;
  sesCalls: number;
  /** Calls that ended differently on the two sides (e.g. a condition that held on one side only). */
  diverged: number;
}

interface Scenario {
  handler: HandlerName;
  expect: number;
  /** Untimed: the event, and whatever this pair needs before the request (e.g. a piece to decide). */
  prepare: (i: number) => Promise<APIGatewayProxyEventV2>;
}

/**
 * Calls made right before a measured span starts and right after it ends (the warm-up pairs are not marked): the
 * child processes counted under callgrind mark their spans with them (bench/overheadCount.ts).
 */
export interface Marks {
  /** Awaited once, after the warm-up pairs, before the first marked span. */
  ready: () => Promise<void>;
  start: () => void;
  end: () => void;
}

interface Setting {
  pairs: number;
  warmup: number;
  twin: string;
  ses: SESClient;
  minorGc: () => void;
  marks?: Marks;
}

async function measure(scenario: Scenario, { pairs, warmup, twin, ses, minorGc, marks }: Setting) {
  const handler = await loadHandler(scenario.handler);
  const results: Pair[] = [];
  for (let i = 0; i < warmup + pairs; i++) {
    const event = await scenario.prepare(i);
    const context = contextFor(scenario.handler, marks !== undefined);
    const calls: RecordedCall[] = [];
    const marked = i < warmup ? undefined : marks;
    if (marks && i === Math.max(0, warmup - SETTLE_PAIRS)) await marks.ready();
    minorGc();
    recording = calls;
    marked?.start();
    const t0 = performance.now();
    const result = (await handler(event, context)) as APIGatewayProxyStructuredResultV2;
    const t1 = performance.now();
    marked?.end();
    recording = undefined;
    if (result.statusCode !== scenario.expect) {
      throw new Error(
        `${scenario.handler}: expected ${scenario.expect}, got ${result.statusCode}: ${result.body?.slice(0, 300)}`,
      );
    }
    const groups = plan(calls, twin);
    // The baseline is recorded too, so both sides carry the recorder's (tiny) cost alike.
    const replayed: RecordedCall[] = [];
    minorGc();
    recording = replayed;
    marked?.start();
    const t2 = performance.now();
    await replay(groups, ses);
    const t3 = performance.now();
    marked?.end();
    recording = undefined;
    if (i < warmup) continue;
    const ordered = [...replayed].sort((a, b) => a.start - b.start);
    results.push({
      handlerMs: t1 - t0,
      rawMs: t3 - t2,
      ownMs: t1 - t0 - inFlight(calls),
      rawOwnMs: t3 - t2 - inFlight(replayed),
      ddbCalls: calls.filter((c) => c.client === 'dynamodb').length,
      sesCalls: calls.filter((c) => c.client === 'ses').length,
      diverged: [...calls]
        .sort((a, b) => a.start - b.start)
        .filter((c, j) => c.error !== ordered[j]?.error || c.command !== ordered[j]?.command).length,
    });
  }
  return results;
}

function callsPerRequest(pairs: Pair[]): string {
  return [...new Set(pairs.map((p) => `${p.ddbCalls} DynamoDB + ${p.sesCalls} SES`))].join(' or ');
}

/** The milliseconds figure: judged only where no instruction count is made. */
function msFigure(name: string, pairs: Pair[], judged: boolean): Figure {
  const ratio = median(pairs.map((p) => p.handlerMs / p.rawMs));
  const ms = (pick: (p: Pair) => number) => median(pairs.map(pick)).toFixed(2);
  const diverged = pairs.reduce((n, p) => n + p.diverged, 0);
  return {
    group: GROUP,
    name,
    value: Number(ratio.toFixed(3)),
    unit: '×',
    goal: judged ? `≤ ${GOAL.toFixed(2)}×` : 'context only',
    pass: judged ? ratio <= GOAL : null,
    detail:
      `median handler ${ms((p) => p.handlerMs)} ms vs raw SDK ${ms((p) => p.rawMs)} ms; outside SDK calls ` +
      `${ms((p) => p.ownMs)} vs ${ms((p) => p.rawOwnMs)} ms; ${callsPerRequest(pairs)} calls/request; ` +
      `${pairs.length} pairs` +
      (diverged ? `; ${diverged} replayed calls ended differently` : '') +
      (judged ? '' : '; judged by the instruction count'),
  };
}

/** The twin table the baseline writes to: same definition, seeded with the same roster. */
async function twinTable(county: BenchCounty): Promise<string> {
  const name = `${county.tableName}_raw`;
  const admin = new DynamoDBClient({
    endpoint: county.ddbEndpoint,
    region: process.env.AWS_REGION,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  await admin.send(new CreateTableCommand(createTableInput(name)));
  admin.destroy();
  for (const item of await county.rosterItems()) await db().send(new PutCommand({ TableName: name, Item: item }));
  return name;
}

/** Copies a piece's items to the twin table, so the baseline finds it as the handler did. */
async function copyPiece(county: BenchCounty, pieceId: string, twin: string): Promise<void> {
  const out = await db().send(
    new QueryCommand({
      TableName: county.tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': keys.piece(county.countyId, pieceId) },
    }),
  );
  for (const item of out.Items ?? []) await db().send(new PutCommand({ TableName: twin, Item: item }));
}

export type ScenarioName = 'intake' | 'review';

export const SCENARIOS: Record<ScenarioName, string> = {
  intake: 'intake (POST /submissions)',
  review: 'review (POST /review/{token})',
};

export interface OverheadRun {
  scenarios: ScenarioName[];
  pairs: number;
  warmup: number;
  marks?: Marks;
  log: BenchOptions['log'];
}

/** The pairs of each scenario asked for, in this process, against this process's bench county. */
export async function measureOverhead(run: OverheadRun): Promise<Map<ScenarioName, Pair[]>> {
  const { pairs, warmup, marks, log } = run;
  const county = await startBenchCounty(BENCH_ROSTER);
  const ddbStack = db().middlewareStack;
  let ses: SESClient | undefined;
  try {
    const informants: BenchInformant[] = county.takeInformants(10);
    const twin = await twinTable(county);
    let submitted = 0;
    const intakeEvent = (i: number) => {
      submitted += 1;
      const k = informants[i % informants.length]!.key;
      return formEvent('/submissions', { k, kind: 'info', title: `夜校课堂经验材料之${submitted}`, body: BODY });
    };

    // The baseline replays with the very client shared/mail/ses sends with (connection pool included).
    const intakeHandler = await loadHandler('createSubmission');
    await invoke(intakeHandler, 'createSubmission', intakeEvent(0), 303);
    ses = sesClient();
    for (const [stack, client] of [
      [ddbStack, 'dynamodb'],
      [ses.middlewareStack, 'ses'],
    ] as const) {
      (stack as typeof ddbStack).add((next, context) => recorded(client, context.commandName, next), {
        step: 'initialize',
        name: RECORDER,
        override: true,
      });
    }

    const setting: Setting = { pairs, warmup, twin, ses, minorGc: exposeMinorGc(), marks };
    const editor = county.editors[0]!;
    const scenarios: Record<ScenarioName, Scenario> = {
      intake: { handler: 'createSubmission', expect: 303, prepare: async (i) => intakeEvent(i) },
      review: {
        handler: 'decide',
        expect: 200,
        prepare: async (i) => {
          // A fresh piece per pair, through the intake handler (untimed), copied to the twin; the editor's link.
          const made = await invoke(intakeHandler, 'createSubmission', intakeEvent(i), 303, marks !== undefined);
          const location = String(made.headers?.location ?? '');
          const pieceId = decodeURIComponent(/[?&]sent=([^&]+)/.exec(location)?.[1] ?? '');
          await copyPiece(county, pieceId, twin);
          const token = await county.reviewToken(
            pieceId,
            1,
            editor.personId,
            informants[i % informants.length]!.personId,
          );
          return formEvent(`/review/${token}`, { decision: 'accept', issue: '12', comment: '' });
        },
      },
    };
    const results = new Map<ScenarioName, Pair[]>();
    for (const name of run.scenarios) {
      const started = performance.now();
      results.set(name, await measure(scenarios[name], setting));
      log(`  ${name}: ${pairs} pairs in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    }
    return results;
  } finally {
    recording = undefined;
    ddbStack.remove(RECORDER);
    ses?.middlewareStack.remove(RECORDER);
    await county.close();
  }
}

// Counting instructions. A child process (bench/overheadCount.ts) runs one scenario's pairs as above under Valgrind's
// callgrind: start-up and warm-up uninstrumented, then instrumentation switched on (vgdb) for the measured pairs. It
// calls os.getPriority() right before each measured span and os.setPriority() right after it: callgrind zeroes its
// counters on entering libuv's uv_os_getpriority and writes them out on entering uv_os_setpriority, so each dump holds
// exactly one span (nothing else in the process calls either; the count of dumps is checked). Handler and raw replay
// dumps alternate, one of each per pair. dynalite and the SES stand-in serve from the same process, so the work of
// serving each call counts too, on both sides alike. What still varies: V8 tiering up a function (a Turbofan compile
// is up to ~80 M instructions, twice a whole request) lands in whichever span reaches it, at the same pairs run after
// run; each side's lowest quarter of spans leaves them out (`floorOf`).

/** The libuv functions behind os.getPriority / os.setPriority, as callgrind names them. */
const MARKER_FUNCTIONS = { zero: 'uv_os_getpriority', dump: 'uv_os_setpriority' } as const;

/** The environment the bench process was started with, before its county set its own (a child starts its own). */
const launchEnv: NodeJS.ProcessEnv = { ...process.env };
const root = resolve(__dirname, '..');
const child = join(__dirname, 'overheadCount.ts');

/** Instructions of each measured pair, handler and raw replay. */
interface CountedPair {
  handler: number;
  raw: number;
}

function onPath(command: string): boolean {
  return (process.env.PATH ?? '').split(delimiter).some((dir) => dir && existsSync(join(dir, command)));
}

/** Each part's total, in the order callgrind wrote them (`<file>.1`, `<file>.2`, …; the exit's own dump is not a span). */
function spanCounts(dir: string): number[] {
  const parts = readdirSync(dir)
    .map((file) => ({ file, part: Number(/^cg\.out\.(\d+)$/.exec(file)?.[1] ?? Number.NaN) }))
    .filter(({ part }) => Number.isInteger(part))
    .sort((a, b) => a.part - b.part);
  return parts.map(({ file }) => {
    const text = readFileSync(join(dir, file), 'utf8');
    // `totals` sums every cost the dump lists: all threads' since the zeroing (with --separate-threads=no the costs
    // are kept together). `summary` subtracts only the marking thread's count at the zeroing, so other threads'
    // earlier work can show in it (the first dump's summary held all of start-up).
    const match = /^totals:\s*(\d+)/m.exec(text);
    if (!match?.[1]) throw new Error(`no total in callgrind's ${file}`);
    return Number(match[1]);
  });
}

/** Runs the child under Valgrind, switching instrumentation on when it reports `warm`; resolves with its stdout. */
function runCounted(
  args: string[],
  timeoutMs: number,
  signal: AbortSignal,
): Promise<{ stdout: string; warmS: number; countedS: number }> {
  const started = performance.now();
  let warmAt = started;
  return new Promise((resolve, reject) => {
    const env = { ...launchEnv, REQUEST_BUDGET_MS: String(PATIENT_MS) };
    const child = spawn('valgrind', args, { cwd: root, env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let failure: Error | undefined;
    const fail = (err: Error) => {
      failure ??= err;
      child.kill('SIGKILL');
    };
    const timer = setTimeout(() => fail(new Error(`no result within ${timeoutMs / 1000} s`)), timeoutMs);
    // The other scenario's child failed: this one's counts would go unused.
    const abort = () => fail(new Error('stopped: the other counted child failed'));
    signal.addEventListener('abort', abort, { once: true });
    let switched = false;
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += String(chunk);
      if (switched || !stdout.includes('warm\n')) return;
      switched = true;
      warmAt = performance.now();
      // Valgrind's gdbserver takes the command (the child keeps a timer running meanwhile), then the pairs go.
      run('vgdb', [`--pid=${child.pid}`, 'instrumentation', 'on'], { timeout: 60_000 }).then(
        () => child.stdin.end('go\n'),
        (err: unknown) => fail(new Error('vgdb could not switch instrumentation on', { cause: err })),
      );
    });
    // A child that died before `go` closes the pipe: its exit is the error to report, not the write's.
    child.stdin.on('error', () => {});
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + String(chunk)).slice(-20_000);
    });
    child.on('error', fail);
    child.on('close', (code, exitSignal) => {
      clearTimeout(timer);
      signal.removeEventListener('abort', abort);
      const countedS = (performance.now() - warmAt) / 1000;
      if (!failure && code === 0) resolve({ stdout, warmS: (warmAt - started) / 1000, countedS });
      else reject(failure ?? new Error(`exit ${code ?? exitSignal}: ${stderr.slice(-2000)}`));
    });
  });
}

/** One scenario's pairs counted in a child process under callgrind. */
async function countScenario(
  scenario: ScenarioName,
  pairs: number,
  warmup: number,
  outDir: string,
  log: BenchOptions['log'],
  signal: AbortSignal,
): Promise<CountedPair[]> {
  const dir = mkdtempSync(join(outDir, `callgrind-${scenario}-`));
  try {
    const { stdout, warmS, countedS } = await runCounted(
      [
        '--tool=callgrind',
        // Start-up and warm-up run uninstrumented; the parent switches instrumentation on for the measured pairs.
        '--instr-atstart=no',
        '--vgdb=yes',
        `--callgrind-out-file=${join(dir, 'cg.out')}`,
        `--zero-before=${MARKER_FUNCTIONS.zero}`,
        `--dump-before=${MARKER_FUNCTIONS.dump}`,
        // Only the totals are read: the smallest dumps.
        '--dump-line=no',
        '--dump-instr=no',
        process.execPath,
        ...NODE_FLAGS,
        '--require',
        join(root, 'local', 'esmOnly.cjs'),
        '--import',
        'tsx',
        child,
        scenario,
        String(pairs),
        String(warmup),
      ],
      1_200_000,
      signal,
    );
    log(
      `  callgrind ${scenario}: start-up and ${warmup - SETTLE_PAIRS} warm-up pairs uninstrumented in ` +
        `${warmS.toFixed(0)} s, ${SETTLE_PAIRS} + ${pairs} pairs instrumented in ${countedS.toFixed(0)} s`,
    );
    const reported = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as { starts?: number; ends?: number };
    const counts = spanCounts(dir);
    if (reported.starts !== 2 * pairs || reported.ends !== 2 * pairs || counts.length !== 2 * pairs) {
      throw new Error(
        `${scenario}: callgrind wrote ${counts.length} spans, the child marked ${reported.starts}/${reported.ends}; ` +
          `expected ${2 * pairs} (does something else call os.getPriority or os.setPriority?)`,
      );
    }
    return Array.from({ length: pairs }, (_, i): CountedPair => ({ handler: counts[2 * i]!, raw: counts[2 * i + 1]! }));
  } catch (err) {
    throw new Error(`Counting ${scenario} under callgrind failed`, { cause: err });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Mean of the lowest quarter of a side's spans. A tier-up compile or a GC only adds instructions to the span it lands
 * in, and a request's own work repeats exactly, so the low spans are the request with nothing of V8's added.
 */
function floorOf(values: number[]): number {
  const low = [...values].sort((a, b) => a - b).slice(0, Math.max(1, Math.floor(values.length / 4)));
  return low.reduce((n, v) => n + v, 0) / low.length;
}

function instructionFigure(name: string, pairs: CountedPair[]): Figure {
  const ratioOf = (of: CountedPair[]) => floorOf(of.map((p) => p.handler)) / floorOf(of.map((p) => p.raw));
  const ratio = ratioOf(pairs);
  const half = Math.floor(pairs.length / 2);
  const mega = (n: number) => (n / 1e6).toFixed(1);
  const medians = `${mega(median(pairs.map((p) => p.handler)))} vs ${mega(median(pairs.map((p) => p.raw)))} M`;
  return {
    group: GROUP,
    name: `${name} instructions`,
    value: Number(ratio.toFixed(3)),
    unit: '×',
    goal: `≤ ${GOAL.toFixed(2)}×`,
    pass: ratio <= GOAL,
    detail:
      `callgrind: handler ${mega(floorOf(pairs.map((p) => p.handler)))} M vs raw SDK ` +
      `${mega(floorOf(pairs.map((p) => p.raw)))} M instructions a request, mean of each side's lowest quarter of ` +
      `${pairs.length} spans (those V8's compilers and GC touched least); halves ${ratioOf(pairs.slice(0, half)).toFixed(3)} ` +
      `/ ${ratioOf(pairs.slice(half)).toFixed(3)}; all spans: medians ${medians}, matched-pair median ` +
      `${median(pairs.map((p) => p.handler / p.raw)).toFixed(3)}; dynalite and the SES stand-in serve in this ` +
      'process, so their work counts on both sides alike',
  };
}

export const overheadFigures: BenchPart = async (options: BenchOptions) => {
  const { quick, log } = options;
  const counting = !quick && onPath('valgrind') && onPath('vgdb');
  if (!quick && !counting) {
    log('  valgrind (with vgdb) not found: no instruction counts, the milliseconds are judged instead');
  }

  const timed = await measureOverhead({
    scenarios: ['intake', 'review'],
    pairs: quick ? 10 : Number(process.env.BENCH_PAIRS ?? 500),
    warmup: quick ? 3 : 30,
    log,
  });
  const figures = [...timed].map(([scenario, pairs]) => msFigure(SCENARIOS[scenario], pairs, !counting));
  if (!counting) return figures;

  // Both scenarios at once, one child each (2 cores); the in-process timing above is over, so nothing else competes.
  const { pairs } = COUNTED;
  const started = performance.now();
  log(`  callgrind: ${pairs} pairs of each scenario after ${COUNTED.warmup} warm-up pairs, both at once…`);
  const names = [...timed.keys()];
  const failed = new AbortController();
  const counted = await Promise.all(
    names.map((scenario) =>
      countScenario(scenario, pairs, COUNTED.warmup, options.outDir, log, failed.signal).catch((err: unknown) => {
        failed.abort();
        throw err;
      }),
    ),
  );
  log(`  callgrind: counted in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  // The raw counts, for a closer look (instructions per span, in pair order).
  writeFileSync(
    join(options.outDir, 'overhead-instructions.json'),
    `${JSON.stringify(Object.fromEntries(names.map((scenario, i) => [scenario, counted[i]])))}\n`,
  );
  return names.flatMap((scenario, i) => [figures[i]!, instructionFigure(SCENARIOS[scenario], counted[i]!)]);
};
