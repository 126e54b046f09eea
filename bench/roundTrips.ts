// Round trips: the DynamoDB and SES calls each request and job makes, beside the floor derived for it (what the work
// cannot do with less; README "Round trips" says why, one line each). Handlers run in-process on payload 2.0 events
// against dynalite and the SES stand-in, as in `request overhead`; every SDK call is attributed to its request by
// async context, so concurrent requests are counted one by one. Also per request: the sequential depth (the longest
// chain of calls each starting after the previous one ended) and the read and write units DynamoDB reports
// (dynalite counts the table's units; on AWS an index write adds its own). 3 editors, as every bench county has.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { handler as remindHandler } from '../functions/reminders';
import { handler as sweepHandler } from '../functions/sweeper';
import { loadHandler } from '../local/app';
import type { LambdaHttpHandler } from '../local/gateway';
import { now, setClock } from '../shared/core/clock';
import { receiptPathOf, reviseExpiry, reviseUrl, signinToken } from '../shared/links/links';
import { sesClient } from '../shared/mail/ses';
import { db, isConditionFailed } from '../shared/store/db';
import type { HandlerName } from '../shared/web/routes';
import { browserEvent, invoke } from './events';
import { BENCH_ROSTER, type BenchCounty, type BenchInformant, startBenchCounty } from './standins';
import type { BenchOptions, BenchPart, Figure } from './types';

const GROUP = 'round trips';
const GOAL = 1.25;
const BODY =
  '东风街道推行“红色物业”，把党组织建在小区上，组织党员认领楼栋、包联住户，今年以来协调解决停车、' +
  '加装电梯等群众急难愁盼问题一百二十余件，居民满意度明显提升。';
const EDITORS = BENCH_ROSTER.editors;

interface Call {
  service: 'dynamodb' | 'ses';
  command: string;
  start: number;
  end: number;
  readUnits: number;
  writeUnits: number;
  /** A conditional write whose condition failed (a lost race, or a retry finding its own write). */
  lostCondition: boolean;
}

const current = new AsyncLocalStorage<Call[]>();
const COUNTER = 'benchRoundTrips';

const READS = new Set(['GetItemCommand', 'BatchGetItemCommand', 'QueryCommand']);

type Args = { input: Record<string, unknown> };
type Stack = {
  add: (
    middleware: (
      next: (args: Args) => Promise<{ output: unknown }>,
      context: { commandName?: string },
    ) => (args: Args) => Promise<{ output: unknown }>,
    options: { step: 'initialize'; name: string; override: boolean },
  ) => void;
  remove: (name: string) => boolean;
};

function install(): () => void {
  const stacks = [
    ['dynamodb', db().middlewareStack as unknown as Stack],
    ['ses', sesClient().middlewareStack as unknown as Stack],
  ] as const;
  for (const [service, stack] of stacks) {
    stack.add(
      (next, context) => async (args) => {
        const calls = current.getStore();
        if (!calls) return next(args);
        const call: Call = {
          service,
          command: String(context.commandName),
          start: performance.now(),
          end: Number.POSITIVE_INFINITY,
          readUnits: 0,
          writeUnits: 0,
          lostCondition: false,
        };
        calls.push(call);
        if (service === 'dynamodb') args.input.ReturnConsumedCapacity = 'TOTAL';
        try {
          const result = await next(args);
          const consumed = (result.output as { ConsumedCapacity?: unknown }).ConsumedCapacity;
          const units = [consumed ?? []]
            .flat()
            .reduce((n: number, c) => n + Number((c as { CapacityUnits?: number }).CapacityUnits ?? 0), 0);
          if (READS.has(call.command)) call.readUnits = units;
          else call.writeUnits = units;
          return result;
        } catch (err) {
          call.lostCondition = isConditionFailed(err);
          throw err;
        } finally {
          call.end = performance.now();
        }
      },
      { step: 'initialize', name: COUNTER, override: true },
    );
  }
  return () => {
    for (const [, stack] of stacks) stack.remove(COUNTER);
  };
}

/** Runs `fn` as one request: its SDK calls are the ones returned. */
async function counted(fn: () => Promise<unknown>): Promise<Call[]> {
  const calls: Call[] = [];
  await current.run(calls, fn);
  return calls;
}

/** The longest chain of calls in which each starts only after the previous one has ended. */
function depth(calls: Call[]): number {
  const sorted = [...calls].sort((a, b) => a.start - b.start);
  const chain: number[] = [];
  sorted.forEach((call, i) => {
    let longest = 0;
    for (let j = 0; j < i; j++) if (sorted[j]!.end <= call.start) longest = Math.max(longest, chain[j]!);
    chain[i] = longest + 1;
  });
  return Math.max(0, ...chain);
}

interface Row {
  name: string;
  /** DynamoDB calls the work needs, and SES sends. */
  floor: number;
  sesFloor: number;
  why: string;
  samples: Call[][];
}

const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);
const fixed = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(2));

function figure(row: Row): Figure {
  const ddb = row.samples.map((calls) => calls.filter((c) => c.service === 'dynamodb'));
  const ses = row.samples.map((calls) => calls.filter((c) => c.service === 'ses').length);
  const counts = ddb.map((c) => c.length);
  const value = mean(counts);
  const worst = Math.max(...counts);
  const depths = row.samples.map(depth);
  const ddbDepths = ddb.map(depth);
  const lost = mean(ddb.map((c) => c.filter((x) => x.lostCondition).length));
  const rcu = mean(ddb.map((c) => c.reduce((n, x) => n + x.readUnits, 0)));
  const wcu = mean(ddb.map((c) => c.reduce((n, x) => n + x.writeUnits, 0)));
  const commands = [...new Set(ddb.flat().map((c) => c.command.replace(/(Item)?Command$/, '')))].join('/');
  const pass = worst <= GOAL * row.floor && Math.max(...ses) <= row.sesFloor;
  return {
    group: GROUP,
    name: row.name,
    value: Number(value.toFixed(2)),
    unit: 'DynamoDB calls',
    goal: `≤ ${GOAL}× floor ${row.floor}`,
    pass,
    detail:
      `worst ${worst}; SES ${fixed(mean(ses))} (floor ${row.sesFloor}); depth ${fixed(mean(depths))} ` +
      `(DynamoDB ${fixed(mean(ddbDepths))}); ${fixed(rcu)} RCU + ${fixed(wcu)} WCU; ${fixed(lost)} failed conditions; ` +
      `${commands}; ${row.samples.length} sample(s); floor: ${row.why}`,
  };
}

/** The receipt a browser's submission landed on (`/submit?k=…&sent=2026-0042`). */
const receiptIn = (location: unknown) => decodeURIComponent(/[?&]sent=([^&]+)/.exec(String(location))?.[1] ?? '');

export const roundTripFigures: BenchPart = async (options: BenchOptions) => {
  const county: BenchCounty = await startBenchCounty(BENCH_ROSTER);
  // The clock moves with real time, shifted on when a scenario needs time to pass (reminders, back-offs).
  let offset = 0;
  setClock(() => new Date(Date.now() + offset));
  const uninstall = install();
  const handlers = new Map<HandlerName, LambdaHttpHandler>();
  const handler = async (name: HandlerName) => {
    if (!handlers.has(name)) handlers.set(name, await loadHandler(name));
    return handlers.get(name)!;
  };
  const call = async (name: HandlerName, event: APIGatewayProxyEventV2, expect: number) =>
    invoke(await handler(name), name, event, expect);
  let n = 0;
  const submit = async (informant: BenchInformant) => {
    n += 1;
    const made = await call(
      'createSubmission',
      browserEvent('POST', '/submissions', {
        k: informant.key,
        kind: 'info',
        title: `红色物业经验第${n}篇`,
        body: BODY,
      }),
      303,
    );
    const pieceId = receiptIn(made.headers?.location);
    // The piece's read-only receipt page, as its 报送成功 page links it.
    const location = await receiptPathOf({ pieceId, informantId: informant.personId, keyVersion: 1 });
    return { location, pieceId, informant };
  };
  const reviewLink = (piece: { pieceId: string; informant: BenchInformant }) =>
    county.reviewToken(piece.pieceId, 1, county.editors[0]!.personId, piece.informant.personId);
  /** SES refusing for a while (a throttled account): what leaves emails waiting in the outbox. */
  let sesDown = false;
  sesClient().middlewareStack.add(
    (next) => async (args) => {
      if (sesDown) throw Object.assign(new Error('Maximum sending rate exceeded (bench)'), { name: 'Throttling' });
      return next(args);
    },
    { step: 'initialize', name: 'benchSesDown' },
  );
  const repeats = options.quick ? 2 : 10;
  const rows: Row[] = [];
  try {
    const informants = county.takeInformants(40);
    // Warm every handler once (module load, signing key), outside any count.
    const warm = await submit(informants[0]!);
    await call('submitForm', browserEvent('GET', `/submit?k=${informants[0]!.key}`), 200);
    await call('showSubmission', browserEvent('GET', warm.location), 200);
    await call('reviewPage', browserEvent('GET', `/review/${await reviewLink(warm)}`), 200);
    await sweepHandler();

    // Reminders first, while only their pieces wait: 12 pieces, 4 days old.
    const waiting = await Promise.all(informants.slice(0, 12).map(submit));
    await call('decide', browserEvent('POST', `/review/${await reviewLink(warm)}`, { decision: 'accept' }), 200);
    offset += 4 * 86_400_000;
    await sweepHandler();
    const reminded = await counted(() => remindHandler());
    const rerun = await counted(() => remindHandler());
    rows.push({
      name: `reminders, ${waiting.length} due`,
      floor: 3 + 2 * waiting.length,
      sesFloor: EDITORS * waiting.length,
      why: 'Query the index, one BatchGet (revisions, decisions, today’s reminders, summary), per piece a put and a mark; the research tasks of two quarters (one Query)',
      samples: [reminded],
    });
    rows.push({
      name: 'reminders, rerun the same day',
      floor: 3,
      sesFloor: 0,
      why: 'Query the index, one BatchGet that finds today’s reminders written; the research tasks of two quarters (one Query)',
      samples: [rerun],
    });

    // Intake, one client at a time.
    const one: Call[][] = [];
    for (let i = 0; i < repeats; i++) one.push(await counted(() => submit(informants[12 + (i % 8)]!)));
    rows.push({
      name: 'POST /submissions, 1 client',
      floor: 6,
      sesFloor: EDITORS + 1,
      why: 'BatchGet (informant, summary, counter), number, claim, event, resolve, one mark',
      samples: one,
    });
    // Intake, 20 and 40 informants at once (each its own person and text: no claim is shared).
    for (const clients of [20, 40]) {
      const samples = await Promise.all(
        informants.slice(0, clients).map((informant) => counted(() => submit(informant))),
      );
      rows.push({
        name: `POST /submissions, ${clients} clients at once`,
        floor: 6,
        sesFloor: EDITORS + 1,
        why: 'the same six: a ticket takes no retries, whatever the contention',
        samples,
      });
    }

    // Pages.
    const piece = await submit(informants[20]!);
    const token = await reviewLink(piece);
    const pages: [string, HandlerName, string, number, string, number?][] = [
      ['GET /submit', 'submitForm', `/submit?k=${piece.informant.key}`, 1, 'one BatchGet (informant, summary)'],
      ['GET /submissions/{id}', 'showSubmission', piece.location, 2, 'BatchGet (informant, summary) ∥ Query events'],
      ['GET /review/{token}', 'reviewPage', `/review/${token}`, 2, 'BatchGet (editor, informant, summary) ∥ Query'],
      [
        'GET /review/{token}/next',
        'reviewPage',
        `/review/${token}/next`,
        3,
        'BatchGet (editor, summary) ∥ Query the reminder index, then read the next piece',
        303,
      ],
    ];
    for (const [name, h, url, floor, why, status = 200] of pages) {
      const samples: Call[][] = [];
      for (let i = 0; i < repeats; i++) samples.push(await counted(() => call(h, browserEvent('GET', url), status)));
      rows.push({ name, floor, sesFloor: 0, why, samples });
    }

    // The desk: sign in from an editor's sign-in link, its queue page with the session, 退出.
    const editor = county.editors[0]!;
    const signinPath = `/desk/signin/${await signinToken(editor.personId, 1)}`;
    const signins: Call[][] = [];
    const queues: Call[][] = [];
    const signouts: Call[][] = [];
    let page = '';
    for (let i = 0; i < repeats; i++) {
      let cookie = '';
      signins.push(
        await counted(async () => {
          const res = await call('deskSignin', browserEvent('POST', signinPath, {}), 303);
          cookie = String(res.cookies?.[0] ?? '').split(';')[0]!;
        }),
      );
      queues.push(await counted(() => call('desk', browserEvent('GET', '/desk', undefined, cookie), 200)));
      page = String((await call('desk', browserEvent('GET', '/desk', undefined, cookie), 200)).body);
      const csrf = /name="csrf" value="([^"]+)"/.exec(page)?.[1] ?? '';
      signouts.push(
        await counted(() => call('deskSignin', browserEvent('POST', '/desk/signout', { csrf }, cookie), 303)),
      );
    }
    rows.push({
      name: 'POST /desk/signin/{token}',
      floor: 3,
      sesFloor: 0,
      why: 'BatchGet (person, summary), the session put, the sign-in’s line in the 操作记录',
      samples: signins,
    });
    // The queue reads each waiting revision and its decision: one BatchGet per hundred keys.
    const waitingNow = Number(/共 (\d+) 篇等待审核/.exec(page)?.[1] ?? 0);
    rows.push({
      name: `GET /desk (待审, ${waitingNow} waiting, with a session)`,
      floor: 2 + Math.ceil((2 * waitingNow) / 100),
      sesFloor: 0,
      why: 'BatchGet (session, person, summary), Query the awaiting index, BatchGet the revisions and their decisions (per hundred keys): the session costs no call of its own',
      samples: queues,
    });
    rows.push({
      name: 'POST /desk/signout',
      floor: 3,
      sesFloor: 0,
      why: 'BatchGet (session, person, summary), the session deleted, the 退出 line in the 操作记录',
      samples: signouts,
    });

    // Decisions: accept and return, each on a fresh piece.
    for (const [decision, fields] of [
      ['accept', { decision: 'accept', issue: '12' }],
      ['return', { decision: 'return', comment: '请补充具体做法和成效数据。' }],
    ] as const) {
      const samples: Call[][] = [];
      for (let i = 0; i < repeats; i++) {
        const fresh = await submit(informants[21 + (i % 8)]!);
        const link = await reviewLink(fresh);
        samples.push(await counted(() => call('decide', browserEvent('POST', `/review/${link}`, fields), 200)));
      }
      rows.push({
        name: `POST /review/{token} ${decision}`,
        floor: 5,
        // The informant and each other editor; an acceptance also confirms to the deciding editor (with the link to
        // record the piece's adoptions upstream later).
        sesFloor: decision === 'accept' ? EDITORS + 1 : EDITORS,
        why: 'BatchGet (editor, informant, summary, rules) ∥ Query, decision, clear awaiting ∥ sends, one mark',
        samples,
      });
    }

    // Revisions: a returned piece, its revise page and the revised text.
    const revisePages: Call[][] = [];
    const revisions: Call[][] = [];
    for (let i = 0; i < repeats; i++) {
      const fresh = await submit(informants[30 + (i % 8)]!);
      const link = await reviewLink(fresh);
      await call(
        'decide',
        browserEvent('POST', `/review/${link}`, { decision: 'return', comment: '请补充数据。' }),
        200,
      );
      const revise = await reviseUrl({
        pieceId: fresh.pieceId,
        revision: 1,
        informantId: fresh.informant.personId,
        keyVersion: 1,
        exp: reviseExpiry(now()),
      });
      const path = new URL(revise).pathname;
      revisePages.push(await counted(() => call('reviseForm', browserEvent('GET', path), 200)));
      const fields = { kind: 'info', title: `修改稿第${i + 1}篇`, body: `${BODY}补充：共投入资金八十万元。` };
      revisions.push(await counted(() => call('revise', browserEvent('POST', path, fields), 303)));
    }
    rows.push({
      name: 'GET /revise/{token}',
      floor: 2,
      sesFloor: 0,
      why: 'BatchGet (informant, summary) ∥ Query events',
      samples: revisePages,
    });
    rows.push({
      name: 'POST /revise/{token}',
      floor: 4,
      sesFloor: EDITORS + 1,
      why: 'BatchGet (informant, summary) ∥ Query events, revision, one mark',
      samples: revisions,
    });

    // The sweeper: five submissions whose emails SES refused wait in the outbox; once due, one sweep sends them.
    await sweepHandler();
    sesDown = true;
    for (const informant of informants.slice(0, 5)) await submit(informant);
    sesDown = false;
    offset += 16_000; // past the first back-off
    const swept = await counted(() => sweepHandler());
    rows.push({
      name: `sweeper, 5 items due (${5 * (EDITORS + 1)} emails)`,
      floor: 2 * 5 + 3 + 3,
      sesFloor: 5 * (EDITORS + 1),
      why: 'Query due, BatchGet items, per item a take and a mark, BatchGet recipients; receipt check: Get, BatchGet, Update',
      samples: [swept],
    });
    sesDown = true;
    for (const informant of informants.slice(5, 10)) await submit(informant);
    sesDown = false;
    await sweepHandler(); // the new numbers verified: what follows is the steady state
    const idle = await counted(() => sweepHandler());
    rows.push({
      name: 'sweeper, 5 items in back-off',
      floor: 2,
      sesFloor: 0,
      why: 'Query due (finds nothing), the receipt counter Get',
      samples: [idle],
    });
    options.log(`  ${rows.reduce((k, r) => k + r.samples.length, 0)} requests and jobs counted`);
    return rows.map(figure);
  } finally {
    uninstall();
    sesClient().middlewareStack.remove('benchSesDown');
    setClock(undefined);
    await county.close();
  }
};
