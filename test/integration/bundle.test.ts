// The deployed artifact, not the source: a function built with the stack's own bundling options (CJS, minified,
// SDK bundled, credentials from the environment as on Lambda) runs in a fresh Node process and serves a request
// against the local stand-ins, reached the way the SDK on Lambda would reach AWS (endpoint and credentials from the
// environment, no local-only settings).
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { buildLazyModules, esbuildOptions } from '../../infra/baosongFunction';
import { importRoster } from '../../shared/roster/importRoster';
import { readTable } from '../../shared/sheets/read';
import { handlers } from '../../shared/web/routes';
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
  return JSON.parse(stdout.slice(stdout.lastIndexOf('\nRESULT ') + 8)) as {
    statusCode: number;
    headers: Record<string, string>;
    body: string;
  };
}

/** What Lambda gives the process: credentials and endpoints in the environment, the stack's variables. */
const lambdaEnv = (): Record<string, string> => ({
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
    const bundle = join(out, 'createSubmission.js');
    await build({ ...esbuildOptions, entryPoints: [handlers.createSubmission.file], outfile: bundle });
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

    const result = await invokeBundled(bundle, event, lambdaEnv());

    expect(result.statusCode).toBe(201);
    expect(JSON.parse(result.body)).toMatchObject({ receipt: expect.stringMatching(/^\d{4}-\d{4}$/) });
    const [ack] = await county.waitForMails(`zhou@${county.domain}`, 1, /已收到您的稿件/);
    expect(ack?.subject).toContain('打包后的函数也能收稿');
  });

  it('loads its spreadsheet libraries from the file beside its bundle, as a deployed asset holds them', async () => {
    const bundle = join(out, 'deskExport.js');
    await build({ ...esbuildOptions, entryPoints: [handlers.deskExport.file], outfile: bundle });
    await buildLazyModules(out);
    const code = readFileSync(bundle, 'utf8');
    expect({ importsWriters: code.includes('import("./writers.js")'), bytes: code.length < 300_000 }).toEqual({
      importsWriters: true,
      bytes: true,
    });
    const desk = new URL(linkIn((await county.waitForMails(`editor@${county.domain}`, 1, /工作台/))[0], '/desk/'));
    const path = `${desk.pathname}/figures/download`;
    const event = {
      version: '2.0',
      routeKey: 'GET /desk/{token}/figures/download',
      rawPath: path,
      rawQueryString: 'format=xlsx',
      queryStringParameters: { format: 'xlsx' },
      pathParameters: { token: desk.pathname.split('/')[2] },
      headers: { accept: 'text/html' },
      requestContext: { http: { method: 'GET', path }, routeKey: 'GET /desk/{token}/figures/download' },
      isBase64Encoded: false,
    };

    const result = await invokeBundled(bundle, event, lambdaEnv());

    expect(result.statusCode).toBe(200);
    const table = await readTable(Buffer.from(result.body, 'base64'));
    expect(table.ok && table.rows[0]?.fields[0]).toBe('单位');
  });

  it('takes a roster upload with its multipart parser and spreadsheet reader loaded from the files beside it', async () => {
    const bundle = join(out, 'deskRoster.js');
    await build({ ...esbuildOptions, entryPoints: [handlers.deskRoster.file], outfile: bundle });
    await buildLazyModules(out);
    const code = readFileSync(bundle, 'utf8');
    expect(['import("./multipart.js")', 'import("./libraries.js")'].filter((i) => !code.includes(i))).toEqual([]);
    const desk = new URL(linkIn((await county.waitForMails(`editor@${county.domain}`, 1, /工作台/))[0], '/desk/'));
    const path = `${desk.pathname}/roster`;
    const body = [
      '--b0undary',
      'Content-Disposition: form-data; name="file"; filename="roster.csv"',
      'Content-Type: text/csv',
      '',
      rosterCsv(county.domain),
      '--b0undary--',
      '',
    ].join('\r\n');
    const event = {
      version: '2.0',
      routeKey: 'POST /desk/{token}/roster',
      rawPath: path,
      rawQueryString: '',
      pathParameters: { token: desk.pathname.split('/')[2] },
      headers: { 'content-type': 'multipart/form-data; boundary=b0undary', accept: 'application/json' },
      requestContext: { http: { method: 'POST', path }, routeKey: 'POST /desk/{token}/roster' },
      body: Buffer.from(body).toString('base64'),
      isBase64Encoded: true,
    };

    const result = await invokeBundled(bundle, event, lambdaEnv());

    expect(result.statusCode).toBe(200);
    expect(JSON.parse(result.body)).toMatchObject({ unchanged: 5, added: 0 });
  });
});
