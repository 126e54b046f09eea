// How every baosong function is built, for a deploy (infra/baosongFunction.ts), the bench and the tests alike: one
// build, one size. An asset holds the function's entry as index.js and, beside it, the files it loads on use: an
// HTTP function's handler modules (functions/router.ts loads './desk.js' on the first request for a desk page) and
// the lazily loaded modules those load in turn (the spreadsheet libraries, the multipart parser, the S3 client...).
// A function ships exactly the files it can load, found by following its outputs' imports.
import * as path from 'node:path';
import { type BuildOptions, buildSync, type Metafile } from 'esbuild';
import {
  eventHandlers,
  functionSpec,
  type HandlerName,
  type HandlerSpec,
  type HttpFunctionName,
  handlers,
  handlersOf,
  httpFunctions,
  jobs,
} from '../shared/web/routes';

/** Repository root: the files named in shared/web/routes.ts are relative to it. */
export const repoRoot = path.resolve(__dirname, '..');

/** Matches lambda.Runtime.NODEJS_24_X and the Node 24 that the tests and `npm start` run on. */
export const nodeTarget = 'node24';

/**
 * Modules a function loads only when it needs them, each a file of its own beside the function's index.js
 * (`import('./libraries.js')` finds it there): parsed at a cold start they would cost every request of the functions
 * that carry them, for the few requests that use them.
 */
export const LAZY_MODULES = [
  { source: 'shared/sheets/libraries.ts', file: 'libraries.js' },
  { source: 'shared/sheets/writers.ts', file: 'writers.js' },
  { source: 'shared/web/multipart.ts', file: 'multipart.js' },
  { source: 'shared/desk/bulletinDocx.ts', file: 'bulletinDocx.js' },
  { source: 'shared/mail/rawEmail.ts', file: 'rawEmail.js' },
  { source: 'shared/app/mailRuns.ts', file: 'mailRuns.js' },
  // The S3 client, for a request that stores or serves a file; mammoth and the sanitizer, for one that reads a .docx.
  { source: 'shared/store/objectStore.ts', file: 'objectStore.js' },
  { source: 'shared/documents/readDocx.ts', file: 'readDocx.js' },
  // nodemailer's SMTP transport, where mail goes through an SMTP server instead of SES (shared/mail/smtp.ts).
  { source: 'shared/mail/smtp.ts', file: 'smtp.js' },
] as const;

/** The HTTP router's entry: every HTTP function's index.js. */
const ROUTER = 'functions/router.ts';

/** A handler module's file in an asset: functions/desk.ts → desk.js, as functions/router.ts imports it. */
export const moduleFile = (name: HandlerName) => `${path.basename(handlers[name].file, '.ts')}.js`;

/** Everything a function can load that is a file of its own: never bundled into another file. */
const separateFiles = [
  ...LAZY_MODULES.map((m) => `./${m.file}`),
  ...Object.keys(handlers).map((name) => `./${moduleFile(name as HandlerName)}`),
];

// The SDK's default credential chain, replaced by the environment provider Lambda needs (infra/lambdaCredentials.ts).
// DynamoDB's endpoint discovery, which no operation we call uses, replaced by its "off" (infra/endpointDiscovery.ts).
const sdkAliases = {
  '@aws-sdk/credential-provider-node': path.join(repoRoot, 'infra', 'lambdaCredentials.ts'),
  '@aws-sdk/middleware-endpoint-discovery': path.join(repoRoot, 'infra', 'endpointDiscovery.ts'),
};

/**
 * esbuild's options for every file of every function. CJS, because on Node an ESM bundle importing `node:http` pays
 * ~40-50 ms more at load; module-first resolution picks the ESM builds of the SDK and middy, which tree-shake
 * smaller; the SDK bundled (and minified) rather than taken from the runtime, so the version we test is the version
 * we run; no source maps, which only help with NODE_OPTIONS=--enable-source-maps, ~45% more load work every cold
 * start; UTF-8 output, since pages and emails are Chinese (3 bytes a character to parse instead of 6 escaped).
 */
export const esbuildOptions: BuildOptions = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  minify: true,
  sourcemap: false,
  target: nodeTarget,
  mainFields: ['module', 'main'],
  external: separateFiles,
  alias: sdkAliases,
  charset: 'utf8',
  // `import('./desk.js')` becomes `require('./desk.js')` behind a promise: a real dynamic import in a CommonJS
  // bundle starts Node's ESM loader, which reads the whole module once more to find its exports (measured: +12% of
  // a desk cold start's instructions). The separate files are CommonJS: require loads them as they are.
  supported: { 'dynamic-import': false },
};

export type JobName = keyof typeof jobs;
export type EventHandlerName = keyof typeof eventHandlers;
/** Every function a deploy makes: the HTTP functions by audience, the timed jobs, the event handlers. */
export type FunctionName = (HttpFunctionName | JobName | EventHandlerName) & string;
export const functionNames: FunctionName[] = [
  ...Object.keys(httpFunctions),
  ...Object.keys(jobs),
  ...Object.keys(eventHandlers),
] as FunctionName[];

export const isHttpFunction = (name: string): name is HttpFunctionName => name in httpFunctions;

/** What a function may do: an HTTP function's union of its routes' lines, a job's or an event handler's own line. */
export function specOf(name: FunctionName): Omit<HandlerSpec, 'file'> {
  if (isHttpFunction(name)) return functionSpec(name);
  return name in jobs ? jobs[name as JobName] : eventHandlers[name as EventHandlerName];
}

/** The files a function's build starts from: its index.js, and an HTTP function's handler modules beside it. */
function entriesOf(name: FunctionName): { in: string; out: string }[] {
  if (!isHttpFunction(name)) {
    const spec = name in jobs ? jobs[name as JobName] : eventHandlers[name as EventHandlerName];
    return [{ in: path.join(repoRoot, spec.file), out: 'index' }];
  }
  return [
    { in: path.join(repoRoot, ROUTER), out: 'index' },
    ...handlersOf(name).map((handler) => ({
      in: path.join(repoRoot, handlers[handler].file),
      out: path.basename(moduleFile(handler), '.js'),
    })),
  ];
}

/**
 * esbuild's `external` matches an import path as written, whoever imports it: a package requiring a file of its own
 * by one of our separate files' names (nodemailer has an `./objects.js`) would be left pointing at ours. Refuse the
 * build rather than ship that.
 */
function assertNoPackageImportsOurFiles(metafile: Metafile): void {
  const ours = new Set(separateFiles);
  for (const [input, { imports }] of Object.entries(metafile.inputs)) {
    if (!input.includes('node_modules/')) continue;
    const clash = imports.find((i) => i.external && ours.has(i.path));
    if (clash) {
      throw new Error(`${input} requires its own ${clash.path}, the name of a separate file: rename ours`);
    }
  }
}

/** The lazily loaded modules that the outputs import (an external `./libraries.js`), not yet built. */
function lazyImports(metafile: Metafile, built: Map<string, number>): (typeof LAZY_MODULES)[number][] {
  const imported = new Set(
    Object.values(metafile.outputs).flatMap((output) =>
      output.imports.filter((i) => i.external).map((i) => i.path.replace(/^\.\//, '')),
    ),
  );
  return LAZY_MODULES.filter((m) => imported.has(m.file) && !built.has(m.file));
}

export interface FunctionBuild {
  /** Files written, by name in the asset (index.js, desk.js, libraries.js...), with their bytes. */
  files: Map<string, number>;
  /** esbuild's metafiles of every pass, for what each package contributes. */
  metafiles: Metafile[];
}

/**
 * Builds function `name` into `outdir` as a deploy does, pass by pass: its entries, then the lazy modules they load,
 * and so on. Synchronous, because CDK's local bundling runs inside synth, which cannot wait for a promise.
 */
export function buildFunction(name: FunctionName, outdir: string): FunctionBuild {
  const files = new Map<string, number>();
  const metafiles: Metafile[] = [];
  let entries = entriesOf(name);
  while (entries.length > 0) {
    const { metafile } = buildSync({ ...esbuildOptions, entryPoints: entries, outdir, metafile: true, write: true });
    assertNoPackageImportsOurFiles(metafile);
    metafiles.push(metafile);
    for (const [file, output] of Object.entries(metafile.outputs)) files.set(path.basename(file), output.bytes);
    entries = lazyImports(metafile, files).map((m) => ({
      in: path.join(repoRoot, m.source),
      out: path.basename(m.file, '.js'),
    }));
  }
  return { files, metafiles };
}
