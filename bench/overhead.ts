// Request overhead: what the Lambda handler (middy, parsing, validation, domain rules, email rendering, the response
// page) adds on top of the storage and email calls the request cannot avoid. Each pair invokes the real handler
// in-process with a payload 2.0 event against dynalite, recording every SDK call it makes, then replays exactly those
// calls (same clients, same inputs, conditions included; calls issued together replayed together) as the raw
// baseline. The replay goes to a twin table: same definition, same roster, and every write of the handler replayed in
// the same order, so it holds the same items when each call runs and the conditions hold there as they did here.
// (Stripping the conditions instead would flatter the baseline: dynalite parses and evaluates each condition
// expression in this process, ~0.5-0.8 ms for the outbox lease's.) Ratio per pair = handler / raw; figure = median.

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
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { loadHandler } from '../local/app';
import { createContext } from '../local/gateway';
import { sesClient } from '../shared/mail/ses';
import { db, isConditionFailed } from '../shared/store/db';
import { keys } from '../shared/store/keys';
import { createTableInput } from '../shared/store/tableDefinition';
import type { HandlerName } from '../shared/web/routes';
import { formEvent, invoke } from './events';
import { BENCH_ROSTER, type BenchCounty, type BenchInformant, startBenchCounty } from './standins';
import { type BenchOptions, type BenchPart, type Figure, median } from './types';

const GROUP = 'request overhead';
const GOAL = 1.1;
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

interface Pair {
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

interface Setting {
  pairs: number;
  warmup: number;
  twin: string;
  ses: SESClient;
  minorGc: () => void;
}

async function measure(scenario: Scenario, { pairs, warmup, twin, ses, minorGc }: Setting) {
  const handler = await loadHandler(scenario.handler);
  const results: Pair[] = [];
  for (let i = 0; i < warmup + pairs; i++) {
    const event = await scenario.prepare(i);
    const context = createContext(scenario.handler);
    const calls: RecordedCall[] = [];
    minorGc();
    recording = calls;
    const t0 = performance.now();
    const result = (await handler(event, context)) as APIGatewayProxyStructuredResultV2;
    const t1 = performance.now();
    recording = undefined;
    if (result.statusCode !== scenario.expect) {
      throw new Error(`${scenario.handler}: expected ${scenario.expect}, got ${result.statusCode}`);
    }
    const groups = plan(calls, twin);
    // The baseline is recorded too, so both sides carry the recorder's (tiny) cost alike.
    const replayed: RecordedCall[] = [];
    minorGc();
    recording = replayed;
    const t2 = performance.now();
    await replay(groups, ses);
    const t3 = performance.now();
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

function figure(name: string, pairs: Pair[]): Figure {
  const ratio = median(pairs.map((p) => p.handlerMs / p.rawMs));
  const ms = (pick: (p: Pair) => number) => median(pairs.map(pick)).toFixed(2);
  const counts = [...new Set(pairs.map((p) => `${p.ddbCalls} DynamoDB + ${p.sesCalls} SES`))].join(' or ');
  const diverged = pairs.reduce((n, p) => n + p.diverged, 0);
  return {
    group: GROUP,
    name,
    value: Number(ratio.toFixed(3)),
    unit: '×',
    goal: `≤ ${GOAL.toFixed(2)}×`,
    pass: ratio <= GOAL,
    detail:
      `median handler ${ms((p) => p.handlerMs)} ms vs raw SDK ${ms((p) => p.rawMs)} ms; outside SDK calls ` +
      `${ms((p) => p.ownMs)} vs ${ms((p) => p.rawOwnMs)} ms; ${counts} calls/request; ${pairs.length} pairs` +
      (diverged ? `; ${diverged} replayed calls ended differently` : ''),
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

export const overheadFigures: BenchPart = async (options: BenchOptions) => {
  const pairs = options.quick ? 10 : Number(process.env.BENCH_PAIRS ?? 500);
  const warmup = options.quick ? 3 : 30;
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

    const setting: Setting = { pairs, warmup, twin, ses, minorGc: exposeMinorGc() };
    let started = performance.now();
    const intake = await measure(
      { handler: 'createSubmission', expect: 303, prepare: async (i) => intakeEvent(i) },
      setting,
    );
    options.log(`  intake: ${intake.length} pairs in ${((performance.now() - started) / 1000).toFixed(1)} s`);

    started = performance.now();
    const editor = county.editors[0]!;
    const review = await measure(
      {
        handler: 'decide',
        expect: 200,
        prepare: async (i) => {
          // A fresh piece per pair, through the intake handler (untimed), copied to the twin; the editor's link.
          const made = await invoke(intakeHandler, 'createSubmission', intakeEvent(i), 303);
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
      setting,
    );
    options.log(`  review: ${review.length} pairs in ${((performance.now() - started) / 1000).toFixed(1)} s`);

    return [figure('intake (POST /submissions)', intake), figure('review (POST /review/{token})', review)];
  } finally {
    recording = undefined;
    ddbStack.remove(RECORDER);
    ses?.middlewareStack.remove(RECORDER);
    await county.close();
  }
};
