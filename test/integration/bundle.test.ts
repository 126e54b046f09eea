// The deployed artifact, not the source: a function built with the stack's own bundling options (CJS, minified,
// SDK bundled, credentials from the environment as on Lambda) runs in a fresh Node process and serves a request
// against the local stand-ins, reached the way the SDK on Lambda would reach AWS (endpoint and credentials from the
// environment, no local-only settings).
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { buildFunction, type FunctionName, functionNames, isHttpFunction, moduleFile } from '../../infra/functionBuild';
import { importRoster } from '../../shared/roster/importRoster';
import { readTable } from '../../shared/sheets/read';
import { type HandlerName, handlers, handlersOf } from '../../shared/web/routes';
import { SESSION_COOKIE, signIn, signInLinkOf } from '../support/deskSession';
import { LONG_BODY, linkIn, rosterCsv, startTestCounty, type TestCounty } from '../support/harness';

const run = promisify(execFile);
let county: TestCounty;
const out = mkdtempSync(join(tmpdir(), 'baosong-bundle-'));

beforeAll(async () => {
  county = await startTestCounty();
  await importRoster(rosterCsv(county.domain));
});
afterAll(async () => {
  await county.close();
});

/** Invokes a bundled handler once in a new process with a Lambda-like environment; returns its result. */
async function invokeBundled(bundle: string, event: unknown, env: Record<string, string>) {
  const script = `require(${JSON.stringify(bundle)}).handler(JSON.parse(process.argv[1]), { getRemainingTimeInMillis: () => 10000 })
    .then((r) => process.stdout.write('\\nRESULT ' + JSON.stringify(r)), (e) => { console.error(e); process.exit(1); })`;
  const { stdout } = await run(process.execPath, ['-e', script, JSON.stringify(event)], { env, timeout: 20_000 });
  // The function's own log lines come first, as on Lambda.
  return JSON.parse(stdout.slice(stdout.lastIndexOf('\nRESULT ') + 8)) as BundledResult;
}

/** The event API Gateway sends the desk function for a path under `/desk/` (its path family, `ANY /desk/{proxy+}`). */
function deskEvent(method: string, path: string, extra: Record<string, unknown> = {}) {
  return {
    version: '2.0',
    routeKey: 'ANY /desk/{proxy+}',
    rawPath: path,
    rawQueryString: '',
    pathParameters: { proxy: path.slice('/desk/'.length) },
    requestContext: { http: { method, path }, routeKey: 'ANY /desk/{proxy+}' },
    isBase64Encoded: false,
    ...extra,
  };
}

/** What Lambda returns for a request: the status, headers, body and the cookies it sets. */
interface BundledResult {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
  cookies?: string[];
}

/** A function's asset as a deploy builds it, in a folder of its own; its index.js is what Lambda loads. */
const assets = new Map<FunctionName, string>();
function assetOf(fn: FunctionName): string {
  if (!assets.has(fn)) {
    const dir = join(out, fn);
    buildFunction(fn, dir);
    assets.set(fn, dir);
  }
  return join(assets.get(fn)!, 'index.js');
}

/** What Lambda gives the process: credentials and endpoints in the environment, the stack's variables. */
const lambdaEnv = (fn: FunctionName): Record<string, string> => ({
  BAOSONG_FUNCTION: fn,
  PATH: process.env.PATH ?? '',
  AWS_REGION: 'cn-north-1',
  AWS_ACCESS_KEY_ID: 'lambda-role-key',
  AWS_SECRET_ACCESS_KEY: 'lambda-role-secret',
  AWS_SESSION_TOKEN: 'lambda-role-token',
  AWS_ENDPOINT_URL_DYNAMODB: process.env.DDB_ENDPOINT!,
  AWS_ENDPOINT_URL_SES: process.env.SES_ENDPOINT!,
  TABLE_NAME: process.env.TABLE_NAME!,
  COUNTY_ID: process.env.COUNTY_ID!,
  PUBLIC_URL: county.baseUrl,
  SENDER: 'baosong@example.com',
  SIGNING_KEY: process.env.SIGNING_KEY!,
});

describe('a function bundled as the stack deploys it', () => {
  it('takes a submission with credentials and endpoints from the environment only', async () => {
    const bundle = assetOf('documents');
    const k = new URL(linkIn((await county.waitForMails(`zhou@${county.domain}`, 1))[0])).searchParams.get('k')!;
    const body = JSON.stringify({ k, kind: 'research', title: '打包后的函数也能收稿', body: LONG_BODY });
    const event = {
      version: '2.0',
      routeKey: 'POST /submissions',
      rawPath: '/submissions',
      rawQueryString: '',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      requestContext: { http: { method: 'POST', path: '/submissions' }, routeKey: 'POST /submissions' },
      body,
      isBase64Encoded: false,
    };

    const result = await invokeBundled(bundle, event, lambdaEnv('documents'));

    expect(result.statusCode).toBe(201);
    expect(JSON.parse(result.body)).toMatchObject({ receipt: expect.stringMatching(/^\d{4}-\d{4}$/) });
    const [ack] = await county.waitForMails(`zhou@${county.domain}`, 1, /已收到您的稿件/);
    expect(ack?.subject).toContain('打包后的函数也能收稿');
  });

  it('loads its spreadsheet libraries from the file beside its bundle, as a deployed asset holds them', async () => {
    const bundle = assetOf('desk');
    const code = readFileSync(join(bundle, '..', 'deskExport.js'), 'utf8');
    expect({ importsWriters: code.includes('require("./writers.js")'), bytes: code.length < 300_000 }).toEqual({
      importsWriters: true,
      bytes: true,
    });
    // Signed in by the bundled function itself: the button of the editor's sign-in link, as a JSON client presses it.
    const signinPath = new URL(await signInLinkOf(county, `editor@${county.domain}`)).pathname;
    const signedIn = await invokeBundled(
      bundle,
      deskEvent('POST', signinPath, {
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: '',
      }),
      lambdaEnv('desk'),
    );
    expect(signedIn.statusCode).toBe(303);
    const cookie = signedIn.cookies?.find((c) => c.startsWith(`${SESSION_COOKIE}=`))?.split(';')[0];
    expect(cookie).toMatch(new RegExp(`^${SESSION_COOKIE}=.+`));
    // As API Gateway sends it: the desk's path family, which the function's router takes apart; the session's
    // cookie apart from the headers.
    const event = deskEvent('GET', '/desk/figures/download', {
      rawQueryString: 'format=xlsx',
      queryStringParameters: { format: 'xlsx' },
      headers: { accept: 'text/html' },
      cookies: [cookie!],
    });

    const result = await invokeBundled(bundle, event, lambdaEnv('desk'));

    expect(result.statusCode).toBe(200);
    const table = await readTable(Buffer.from(result.body, 'base64'));
    expect(table.ok && table.rows[0]?.fields[0]).toBe('单位');
  });

  it('takes a roster upload with its multipart parser and spreadsheet reader loaded from the files beside it', async () => {
    const bundle = assetOf('desk');
    const code = readFileSync(join(bundle, '..', 'deskRoster.js'), 'utf8');
    expect(['require("./multipart.js")', 'require("./libraries.js")'].filter((i) => !code.includes(i))).toEqual([]);
    const desk = await signIn(county, `editor@${county.domain}`);
    // As the upload form sends it: the file, and the session's form token as a field of its own.
    const body = [
      '--b0undary',
      'Content-Disposition: form-data; name="csrf"',
      '',
      desk.csrf,
      '--b0undary',
      'Content-Disposition: form-data; name="file"; filename="roster.csv"',
      'Content-Type: text/csv',
      '',
      rosterCsv(county.domain),
      '--b0undary--',
      '',
    ].join('\r\n');
    const event = deskEvent('POST', '/desk/roster', {
      headers: { 'content-type': 'multipart/form-data; boundary=b0undary', accept: 'application/json' },
      cookies: [`${SESSION_COOKIE}=${desk.cookie}`],
      body: Buffer.from(body).toString('base64'),
      isBase64Encoded: true,
    });

    const result = await invokeBundled(bundle, event, lambdaEnv('desk'));

    expect(result.statusCode).toBe(200);
    expect(JSON.parse(result.body)).toMatchObject({ unchanged: 5, added: 0 });
  });

  it("ships in each function's asset exactly its routes' handler modules, each of which its router loads", async () => {
    for (const fn of functionNames) {
      const dir = join(assetOf(fn), '..');
      const shipped = readdirSync(dir).filter((file) => file.endsWith('.js'));
      const expected = isHttpFunction(fn) ? handlersOf(fn).map(moduleFile) : [];
      const others = (Object.keys(handlers) as HandlerName[]).map(moduleFile).filter((f) => !expected.includes(f));
      expect({
        fn,
        missing: expected.filter((f) => !shipped.includes(f)),
        foreign: shipped.filter((f) => others.includes(f)),
      }).toEqual({ fn, missing: [], foreign: [] });
      if (!isHttpFunction(fn)) continue;
      // Every module the router can be asked for loads from the asset and exports a handler.
      const script = `const { modules } = require(${JSON.stringify(join(dir, 'index.js'))});
        Promise.all(${JSON.stringify(handlersOf(fn))}.map((name) => modules[name]().then((m) => typeof m.handler)))
          .then((types) => process.stdout.write(JSON.stringify(types)), (e) => { console.error(e); process.exit(1); })`;
      const { stdout } = await run(process.execPath, ['-e', script], { env: lambdaEnv(fn), timeout: 20_000 });
      expect({ fn, handlers: JSON.parse(stdout) }).toEqual({ fn, handlers: handlersOf(fn).map(() => 'function') });
    }
  }, 120_000);
});
