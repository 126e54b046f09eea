// Part of `npm run bench`: what each function costs before it serves a request. Every function is built as a deploy
// builds it (infra/functionBuild.ts: an HTTP function's router as index.js, its routes' handler modules and the lazy
// modules they load beside it), and every cold start a visitor can cause is measured: an HTTP function's router with
// the handler module of the first route, or a job's bundle. Its load is compared with a baseline bundle that only
// creates the same SDK clients, so the figure is what baosong's own code and middleware add on top of the SDK any
// function would load. The goal is judged on callgrind's instruction counts, which repeat from run to run;
// wall-clock milliseconds stay in the table as context (on a 2-core machine they move by about ±0.05×).
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, delimiter, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { Template } from 'aws-cdk-lib/assertions';
import { build, type Metafile } from 'esbuild';
import {
  buildFunction,
  esbuildOptions,
  type FunctionName,
  functionNames,
  isHttpFunction,
  LAZY_MODULES,
  moduleFile,
} from '../infra/functionBuild';
import { routeRequest } from '../shared/web/router';
import { functionOf, type HandlerName, handlersOf, routes } from '../shared/web/routes';
import { demoStacks } from './stacks';
import { type BenchOptions, type BenchPart, type Figure, median } from './types';

const run = promisify(execFile);
const KB = 1024;
const goals = { minified: 400 * KB, gzip: 125 * KB, initRatio: 1.1 };
const loader = join(__dirname, 'loadBundle.cjs');

type Output = Metafile['outputs'][string];

/** One cold start: a function's index.js, and for an HTTP function the handler module of its first route. */
interface Load {
  name: string;
  fn: FunctionName;
  index: string;
  route?: HandlerName;
  /** Bytes parsed by this cold start: index.js and the module. */
  bytes: number;
  /** Top contributors, e.g. `@aws-sdk/client-dynamodb 98 KB (31%)`. */
  dominant: string[];
  /** Shared by the loads with the same clients; the empty bundle for a load without any. */
  baseline: string;
  clients: string[];
}

const loadArgs = (load: Load) => [load.index, ...(load.route ? [load.route] : [])];

/** The SDK clients baosong's adapters create (shared/store/db.ts, mail/ses.ts, links/signingKey.ts), found by package. */
const sdkClients = [
  { package: '@aws-sdk/client-dynamodb', name: 'DynamoDB', class: 'DynamoDBClient' },
  { package: '@aws-sdk/client-ses', name: 'SES', class: 'SESClient' },
  { package: '@aws-sdk/client-secrets-manager', name: 'Secrets Manager', class: 'SecretsManagerClient' },
];

/** The package an esbuild input path belongs to; baosong's own files count as one. */
function packageOf(input: string): string {
  const at = input.lastIndexOf('node_modules/');
  if (at < 0) return 'baosong code';
  const [first = '', second = ''] = input.slice(at + 'node_modules/'.length).split('/');
  return first.startsWith('@') ? `${first}/${second}` : first;
}

/** Bytes each package contributes to one output; packages that tree-shook away entirely are left out. */
function packageBytes(output: Output): Map<string, number> {
  const byPackage = new Map<string, number>();
  for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
    if (bytesInOutput === 0) continue;
    const name = packageOf(input);
    byPackage.set(name, (byPackage.get(name) ?? 0) + bytesInOutput);
  }
  return byPackage;
}

function dominantPackages(output: Output, top: number): string[] {
  return [...packageBytes(output)]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([name, bytes]) => `${name} ${(bytes / KB).toFixed(0)} KB (${((100 * bytes) / output.bytes).toFixed(0)}%)`);
}

/**
 * The clients in a function's output (an import that tree-shook away creates no client) and a baseline entry that
 * creates them at load. baosong's adapters create theirs on first use instead, so the function's load does less client
 * work than its baseline's: the ratio shows what its code and middleware add over the SDK modules, and client
 * construction lands in the first request.
 */
function baselineFor(packages: Set<string>): { clients: string[]; source: string } {
  const imports: string[] = [];
  const created: string[] = [];
  const clients: string[] = [];
  for (const client of sdkClients) {
    if (!packages.has(client.package)) continue;
    imports.push(`import { ${client.class} } from '${client.package}';`);
    if (client.package === '@aws-sdk/client-dynamodb' && packages.has('@aws-sdk/lib-dynamodb')) {
      imports.push("import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';");
      created.push(`DynamoDBDocumentClient.from(new ${client.class}({}))`);
      clients.push('DynamoDB document');
    } else {
      created.push(`new ${client.class}({})`);
      clients.push(client.name);
    }
  }
  const source = [
    "// Generated by bench/bundles.ts: a function's SDK clients, created at load, and nothing else.",
    ...imports,
    `const clients = [${created.join(', ')}];`,
    'export const handler = async () => clients.length;',
    '',
  ].join('\n');
  return { clients, source };
}

/**
 * One esbuild run with the stack's options for several entries (`name` → `<dir>/<name>.js`). Without code splitting
 * every entry gets its own complete bundle, byte for byte the one a build of that entry alone writes, in a fraction
 * of the time of one build each.
 */
async function buildEach(entries: { name: string; entry: string }[], dir: string): Promise<Map<string, Output>> {
  if (!entries.length) return new Map();
  const { metafile } = await build({
    ...esbuildOptions,
    entryPoints: entries.map(({ name, entry }) => ({ in: entry, out: name })),
    outdir: dir,
    metafile: true,
  });
  // Metafile paths are relative to the working directory.
  const outputs = new Map(Object.entries(metafile.outputs).map(([path, output]) => [resolve(path), output]));
  return new Map(
    entries.map(({ name }) => {
      const output = outputs.get(join(dir, `${name}.js`));
      if (!output) throw new Error(`esbuild wrote no ${name}.js`);
      return [name, output];
    }),
  );
}

/** What Lambda gives the process: region, function name, role credentials, the stack's variables; no NODE_OPTIONS. */
function lambdaEnv(name: string, fn?: FunctionName): NodeJS.ProcessEnv {
  return {
    ...(fn && isHttpFunction(fn) ? { BAOSONG_FUNCTION: fn } : {}),
    PATH: process.env.PATH ?? '',
    TZ: ':UTC',
    AWS_REGION: 'cn-north-1',
    AWS_DEFAULT_REGION: 'cn-north-1',
    AWS_LAMBDA_FUNCTION_NAME: `Bench-${name}`,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '512',
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
    AWS_ACCESS_KEY_ID: 'bench-role-key',
    AWS_SECRET_ACCESS_KEY: 'bench-role-secret',
    AWS_SESSION_TOKEN: 'bench-role-token',
    TABLE_NAME: 'Bench-Table',
    COUNTY_ID: 'demo',
    PUBLIC_URL: 'https://baosong.example.com',
    SENDER: 'baosong@example.com',
    SIGNING_KEY_SECRET_ARN: 'arn:aws-cn:secretsmanager:cn-north-1:123456789012:secret:bench-signing-key',
  };
}

/** Milliseconds of a cold start's loading (bench/loadBundle.cjs), measured inside a fresh Node process. */
async function loadMs(load: Load, env: NodeJS.ProcessEnv): Promise<number> {
  const bundle = load.index;
  try {
    const { stdout } = await run(process.execPath, [loader, ...loadArgs(load)], { env, timeout: 30_000 });
    const ms = Number(stdout.trim());
    if (!Number.isFinite(ms)) throw new Error(`unexpected output "${stdout.trim()}"`);
    return ms;
  } catch (err) {
    throw new Error(`Loading ${bundle} failed`, { cause: err });
  }
}

function onPath(command: string): boolean {
  return (process.env.PATH ?? '').split(delimiter).some((dir) => dir && existsSync(join(dir, command)));
}

/** Instructions of a fresh process loading a bundle under callgrind (total, including Node's own start). */
async function instructions(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const bundle = args.join(' ');
  const { stderr } = await run(
    'valgrind',
    ['--tool=callgrind', '--callgrind-out-file=/dev/null', process.execPath, loader, ...args],
    { env, timeout: 600_000, maxBuffer: 16 * 1024 * 1024 },
  );
  const match = /Collected\s*:\s*(\d+)/.exec(stderr) ?? /I\s+refs:\s*([\d,]+)/.exec(stderr);
  if (!match?.[1]) throw new Error(`No instruction count in callgrind's output for ${bundle}:\n${stderr.slice(-500)}`);
  return Number(match[1].replaceAll(',', ''));
}

/** Runs tasks at most `limit` at a time (callgrind runs are deterministic enough to share the cores). */
async function inParallel<T>(tasks: (() => Promise<T>)[], limit: number): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const index = next++;
      results[index] = await tasks[index]!();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  return results;
}

/** Bytes each package contributes to the outputs together. */
function packagesOf(outputs: Output[]): { bytes: number; byPackage: Map<string, number> } {
  const byPackage = new Map<string, number>();
  for (const output of outputs) {
    for (const [name, bytes] of packageBytes(output)) byPackage.set(name, (byPackage.get(name) ?? 0) + bytes);
  }
  return { bytes: outputs.reduce((n, o) => n + o.bytes, 0), byPackage };
}

interface Asset {
  fn: FunctionName;
  dir: string;
  /** Outputs by file name in the asset. */
  outputs: Map<string, Output>;
}

/** Every function built as a deploy builds it, each into a folder of its own. */
function buildAssets(dir: string): Asset[] {
  return functionNames.map((fn) => {
    const assetDir = join(dir, fn);
    const { metafiles } = buildFunction(fn, assetDir);
    const outputs = new Map<string, Output>();
    for (const metafile of metafiles) {
      for (const [file, output] of Object.entries(metafile.outputs)) outputs.set(basename(file), output);
    }
    return { fn, dir: assetDir, outputs };
  });
}

/** Every cold start the assets allow, with a baseline bundle per distinct set of SDK clients. */
async function loadsOf(assets: Asset[], dir: string, emptyBundle: string): Promise<Load[]> {
  const planned = assets.flatMap((asset) => {
    const index = asset.outputs.get('index.js')!;
    const routesOf: (HandlerName | undefined)[] = isHttpFunction(asset.fn) ? handlersOf(asset.fn) : [undefined];
    return routesOf.map((route) => {
      const outputs = route ? [index, asset.outputs.get(moduleFile(route))!] : [index];
      const { bytes, byPackage } = packagesOf(outputs);
      const top = [...byPackage]
        .sort((a, b) => b[1] - a[1])
        .slice(0, 3)
        .map(([name, n]) => `${name} ${(n / KB).toFixed(0)} KB (${((100 * n) / bytes).toFixed(0)}%)`);
      return {
        name: route ? `${asset.fn} → ${route}` : asset.fn,
        fn: asset.fn,
        index: join(asset.dir, 'index.js'),
        route,
        bytes,
        dominant: top,
        ...baselineFor(new Set(byPackage.keys())),
      };
    });
  });
  // Loads with the same clients share one baseline bundle, named for its clients.
  const baselines = new Map<string, { name: string; entry: string }>();
  for (const { clients, source } of planned) {
    if (!clients.length || baselines.has(source)) continue;
    const name = `baseline-${clients.join('-').toLowerCase().replaceAll(' ', '')}`;
    const entry = join(dir, `${name}.entry.js`);
    writeFileSync(entry, source);
    baselines.set(source, { name, entry });
  }
  await buildEach([...baselines.values()], dir);
  return planned.map(({ source, ...load }) => {
    const baseline = baselines.get(source);
    return { ...load, baseline: baseline ? join(dir, `${baseline.name}.js`) : emptyBundle };
  });
}

/** Each file any function ships, once: the routers and job bundles, the handler modules, the lazy modules. */
function sizeFigures(assets: Asset[]): Figure[] {
  const files = new Map<string, { path: string; bytes: number; output: Output; where: string[] }>();
  for (const asset of assets) {
    for (const [file, output] of asset.outputs) {
      const key = file === 'index.js' ? `${asset.fn} index.js` : file;
      const seen = files.get(key);
      if (seen) seen.where.push(asset.fn);
      else files.set(key, { path: join(asset.dir, file), bytes: output.bytes, output, where: [asset.fn] });
    }
  }
  const lazy = new Set<string>(LAZY_MODULES.map((m) => m.file));
  const perFile = [...files].flatMap(([name, f]): Figure[] => {
    const gzip = gzipSync(readFileSync(f.path)).length;
    const note = lazy.has(name) ? 'loaded on use' : name.endsWith(' index.js') ? 'the cold start' : 'a route';
    return [
      {
        group: 'bundle size',
        name: `${name} minified`,
        value: Math.round((f.bytes / KB) * 10) / 10,
        unit: 'KB',
        goal: '≤ 400 KB',
        pass: f.bytes <= goals.minified,
        detail: `${note}; in ${f.where.join(', ')}; ${dominantPackages(f.output, 3).join(', ')}`,
      },
      // The gzip goal is a cold start's (what it parses); a module loaded on use is held to its minified size only,
      // as before the functions were grouped.
      {
        group: 'bundle size',
        name: `${name} gzip`,
        value: Math.round((gzip / KB) * 10) / 10,
        unit: 'KB',
        goal: lazy.has(name) ? 'context only' : '≤ 125 KB',
        pass: lazy.has(name) ? null : gzip <= goals.gzip,
        detail: `${gzip} bytes, zlib default level`,
      },
    ];
  });
  // What each function ships: exactly the files it can load (one build, one size).
  const perAsset = assets.map(
    (asset): Figure => ({
      group: 'bundle size',
      name: `${asset.fn} asset`,
      value: Math.round(([...asset.outputs.values()].reduce((n, o) => n + o.bytes, 0) / KB) * 10) / 10,
      unit: 'KB',
      goal: 'context only',
      pass: null,
      detail: `${readdirSync(asset.dir).filter((f) => f.endsWith('.js')).length} files: ${[...asset.outputs.keys()].join(', ')}`,
    }),
  );
  return [...perFile, ...perAsset];
}

/**
 * Fresh processes per load, function and baseline alternating (which goes first alternates by round) so drift on
 * the machine touches both alike; in a full run one unrecorded round first warms the file cache. `judged`: whether
 * these milliseconds decide the goal (only where no instruction count is made).
 */
async function initFigures(
  loads: Load[],
  rounds: number,
  warmup: boolean,
  judged: boolean,
  log: BenchOptions['log'],
): Promise<Figure[]> {
  const samples = new Map(loads.map((b) => [b.name, { fn: [] as number[], base: [] as number[] }]));
  for (let round = warmup ? -1 : 0; round < rounds; round++) {
    if (round >= 0) log(`  cold init: round ${round + 1}/${rounds}`);
    for (const load of loads) {
      const env = lambdaEnv(load.name, load.fn);
      const order = round % 2 === 0 ? (['fn', 'base'] as const) : (['base', 'fn'] as const);
      for (const which of order) {
        const ms = await loadMs(which === 'fn' ? load : { ...load, index: load.baseline, route: undefined }, env);
        if (round >= 0) samples.get(load.name)![which].push(ms);
      }
    }
  }
  return loads.map((load): Figure => {
    const { fn, base } = samples.get(load.name)!;
    const fnMs = median(fn);
    const baseMs = median(base);
    if (!load.clients.length) {
      // Without SDK clients the baseline is an empty bundle: a ratio to it would only measure Node's module loader.
      return {
        group: 'cold init',
        name: `${load.name} require time`,
        value: Math.round(fnMs * 10) / 10,
        unit: 'ms',
        goal: 'context only',
        pass: null,
        detail: `no SDK clients, so no baseline to compare with (empty bundle ${baseMs.toFixed(1)} ms), ${rounds} processes`,
      };
    }
    // Matched pairs: each function load against the baseline load next to it in the same round, then the median
    // ratio, so a slow moment of a shared machine hits both sides of a pair alike.
    const ratio = median(fn.map((ms, i) => ms / base[i]!));
    return {
      group: 'cold init',
      name: `${load.name} require time`,
      value: Math.round(ratio * 100) / 100,
      unit: '×',
      goal: judged ? '≤ 1.10×' : 'context only',
      pass: judged ? ratio <= goals.initRatio : null,
      detail:
        `${(load.bytes / KB).toFixed(0)} KB parsed; median ${fnMs.toFixed(1)} ms vs baseline ${baseMs.toFixed(1)} ms ` +
        `(${load.clients.join(' + ')}), matched-pair median of ${rounds} processes each` +
        (judged ? '' : '; judged by the instruction count'),
    };
  });
}

/**
 * Callgrind's instruction count of the load, less that of the same loader with an empty bundle, function over
 * baseline: the cold-init ratio without timing noise. Baselines with the same clients are one bundle's worth of
 * work, so each distinct baseline is counted once.
 */
/** Counts per load: one run differs from the next by up to ~3% (Node's helper threads); the least of three by ~1%. */
const REPEATS = 3;

async function instructionFigures(loads: Load[], emptyBundle: string, log: BenchOptions['log']): Promise<Figure[]> {
  const withClients = loads.filter((l) => l.clients.length);
  const runs: { key: string; args: string[]; fn?: FunctionName }[] = [
    { key: emptyBundle, args: [emptyBundle] },
    ...withClients.map((l) => ({ key: l.name, args: loadArgs(l), fn: l.fn })),
    ...[...new Set(withClients.map((l) => l.baseline))].map((b) => ({ key: b, args: [b] })),
  ];
  log(`  callgrind: ${runs.length} loads ${REPEATS} times each, 2 at a time…`);
  const counts = await inParallel(
    runs.flatMap((r) =>
      Array.from({ length: REPEATS }, () => () => instructions(r.args, lambdaEnv('callgrind', r.fn))),
    ),
    2,
  );
  // The fewest of the repeats: Node's helper threads only ever add work (compiling, collecting) to a load.
  const count = new Map(runs.map((r, i) => [r.key, Math.min(...counts.slice(i * REPEATS, (i + 1) * REPEATS))]));
  const empty = count.get(emptyBundle)!;
  return withClients.map((l): Figure => {
    const fn = count.get(l.name)! - empty;
    const base = count.get(l.baseline)! - empty;
    const ratio = fn / base;
    return {
      group: 'cold init',
      name: `${l.name} load instructions`,
      value: Math.round(ratio * 100) / 100,
      unit: '×',
      goal: '≤ 1.10×',
      pass: ratio <= goals.initRatio,
      detail:
        `callgrind ${(fn / 1e6).toFixed(0)} M vs baseline ${(base / 1e6).toFixed(0)} M instructions over an empty ` +
        `bundle (${(empty / 1e6).toFixed(0)} M), the least of ${REPEATS} runs each`,
    };
  });
}

/** An editor's ordinary visit: the queue, then four other tabs. */
const DESK_SESSION = ['', '/pieces', '/topics', '/bulletin', '/figures'].map((tab) => `/desk${tab}`);

/**
 * The cold starts a desk session of five tabs can pay: the distinct functions its pages are served by (a warm
 * function serves the next tab without one). Goal 1: the whole desk is one function.
 */
function deskSessionFigure(): Figure {
  const served = DESK_SESSION.map((path) => {
    const { route } = routeRequest('GET', path);
    if (!route) throw new Error(`no desk page at ${path}`);
    return functionOf(route);
  });
  const functions = new Set(served);
  return {
    group: 'cold init',
    name: 'cold starts of a five-tab desk session',
    value: functions.size,
    unit: '',
    goal: '= 1',
    pass: functions.size === 1,
    detail: `待审, 稿件, 点题, 通报, 数据 served by ${[...functions].join(', ')} (of ${routes.length} routes in all)`,
  };
}

/**
 * Source maps only act with NODE_OPTIONS=--enable-source-maps, which makes every cold start do ~45% more load work:
 * none of the synthesized functions may carry it, and no built file may reference a map.
 */
function sourceMapFigure(assets: Asset[]): Figure {
  const { app: stack } = demoStacks('Bench');
  const functions = Template.fromStack(stack).findResources('AWS::Lambda::Function');
  const flagged = Object.entries(functions)
    .filter(([, resource]) =>
      JSON.stringify(resource.Properties?.Environment?.Variables?.NODE_OPTIONS ?? '').includes('enable-source-maps'),
    )
    .map(([id]) => id);
  const withMapComment = assets.flatMap((asset) =>
    [...asset.outputs.keys()].filter((file) =>
      readFileSync(join(asset.dir, file), 'utf8').includes('sourceMappingURL='),
    ),
  ).length;
  const problems = [
    ...(flagged.length ? [`flagged: ${flagged.join(', ')}`] : []),
    ...(esbuildOptions.sourcemap ? [`esbuildOptions.sourcemap is ${String(esbuildOptions.sourcemap)}`] : []),
    ...(withMapComment ? [`${withMapComment} file(s) reference a source map`] : []),
  ];
  return {
    group: 'source maps',
    name: 'functions with --enable-source-maps',
    value: flagged.length,
    unit: '',
    goal: '= 0',
    pass: problems.length === 0,
    detail: problems.length
      ? problems.join('; ')
      : `${Object.keys(functions).length} functions synthesized, no source maps built or referenced`,
  };
}

export const bundleFigures: BenchPart = async ({ quick, outDir, log }) => {
  const timed = async <T>(what: string, work: () => Promise<T> | T): Promise<T> => {
    const started = Date.now();
    const result = await work();
    log(`  ${what} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    return result;
  };
  const dir = resolve(outDir, 'bundles');
  mkdirSync(dir, { recursive: true });
  const emptyBundle = join(dir, 'empty.js');
  writeFileSync(emptyBundle, 'exports.handler = async () => {};\n');
  const assets = await timed(`built ${functionNames.length} functions as a deploy builds them`, () => buildAssets(dir));
  const loads = await timed(`planned ${assets.length} functions' cold starts and built their baselines`, () =>
    loadsOf(assets, dir, emptyBundle),
  );

  const sourceMaps = await timed('synthesized the stacks (no bundling) for their source map settings', () =>
    sourceMapFigure(assets),
  );
  const counting = !quick && onPath('valgrind');
  if (!quick && !counting) log('  valgrind not found: no instruction counts, the milliseconds are judged instead');
  const init = await timed('timed cold init', () => initFigures(loads, quick ? 2 : 21, !quick, !counting, log));
  const counted = counting
    ? await timed('counted load instructions', () => instructionFigures(loads, emptyBundle, log))
    : [];

  return [...sizeFigures(assets), ...init, ...counted, deskSessionFigure(), sourceMaps];
};
