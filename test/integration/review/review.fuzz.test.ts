// Property checks of the editor's and informant's links against the real local gateway: whatever stands where a token
// should be, the review, revise and renew routes refuse it (never a 2xx, never a 5xx) and change nothing; whatever
// fields a decision carries with a genuine link, the answer is a recorded decision, a 400 or a 409 — never a 5xx —
// and a 200 means exactly one decision exists and the informant was told once. Requests go through node:http so the
// path can hold bytes fetch would refuse.
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import fc from 'fast-check';
import { signToken } from '../../../shared/links/tokens';
import { importRoster } from '../../../shared/roster/importRoster';
import {
  LONG_BODY,
  linkIn,
  rosterCsv,
  type StoredEmail,
  startTestCounty,
  type TestCounty,
} from '../../support/harness';
import { rawRequest } from '../../support/rawHttp';

const RUNS = 60;

let county: TestCounty;
let k = '';
const agent = new http.Agent({ keepAlive: true });
/** A piece waiting for a decision, and one returned to its informant: their genuine tokens. */
const genuine = { review: '', revise: '', waitingReceipt: '', returnedReceipt: '' };

const address = (name: string) => `${name}@${county.domain}`;

const send = (method: string, path: string, headers: Record<string, string> = {}, body?: string | Uint8Array) =>
  rawRequest(county.baseUrl, agent, method, path, headers, body);

const JSON_HEADERS = { 'content-type': 'application/json', accept: 'application/json' };
const FORM_HEADERS = { 'content-type': 'application/x-www-form-urlencoded' };
const formBody = (fields: Record<string, string>) => new URLSearchParams(fields).toString();

async function submit(title: string): Promise<string> {
  const answer = await send(
    'POST',
    '/submissions',
    JSON_HEADERS,
    JSON.stringify({ k, kind: 'info', title, body: LONG_BODY }),
  );
  expect(answer.status).toBe(201);
  return (JSON.parse(answer.text) as { receipt: string }).receipt;
}

const about = (receipt: string) => (m: StoredEmail) => m.body.text?.includes(receipt) ?? false;

async function reviewToken(receipt: string): Promise<string> {
  const [request] = (await county.mails(address('editor'))).filter(
    (m) => m.subject.startsWith('【待审核】') && about(receipt)(m),
  );
  return new URL(linkIn(request, '/review/')).pathname.split('/')[2]!;
}

async function piece(receipt: string): Promise<{ status: string; events: { type: string }[] }> {
  const answer = await send('GET', `/submissions/${receipt}?k=${encodeURIComponent(k)}`, {
    accept: 'application/json',
  });
  expect(answer.status).toBe(200);
  return JSON.parse(answer.text) as { status: string; events: { type: string }[] };
}

const DECISION_EVENTS = ['accepted', 'returned', 'rejected'];
const decisionsOn = async (receipt: string) =>
  (await piece(receipt)).events.filter((e) => DECISION_EVENTS.includes(e.type)).length;

const mailCount = async () => (await county.mails()).length;

beforeAll(async () => {
  county = await startTestCounty();
  await importRoster(rosterCsv(county.domain));
  k = new URL(linkIn((await county.waitForMails(address('chen'), 1))[0])).searchParams.get('k')!;
  genuine.waitingReceipt = await submit('等待审核的稿件');
  genuine.review = await reviewToken(genuine.waitingReceipt);
  genuine.returnedReceipt = await submit('退回修改的稿件');
  const returned = await send(
    'POST',
    `/review/${await reviewToken(genuine.returnedReceipt)}`,
    FORM_HEADERS,
    formBody({ decision: 'return', comment: '请修改。' }),
  );
  expect(returned.status).toBe(200);
  const [returnMail] = (await county.mails(address('chen'))).filter((m) => m.subject.startsWith('您的稿件需要修改：'));
  genuine.revise = new URL(linkIn(returnMail, '/revise/')).pathname.split('/')[2]!;
});

afterAll(async () => {
  agent.destroy();
  await county.close();
});

// --- Arbitraries ----------------------------------------------------------------------------------------------------

/** UTF-16 code units, lone surrogates included. */
const codeUnit = fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c));
const anyText = fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.string({ unit: codeUnit }));
const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** Every byte outside the unreserved set percent-encoded (lone surrogates go out as U+FFFD, as browsers send). */
const encodeSegment = (s: string) =>
  [...Buffer.from(s, 'utf8')]
    .map((b) =>
      /[A-Za-z0-9._~-]/.test(String.fromCharCode(b))
        ? String.fromCharCode(b)
        : `%${b.toString(16).padStart(2, '0').toUpperCase()}`,
    )
    .join('');

/** Change one character of a genuine token, anywhere but its last (whose low bits base64url does not carry). */
const mutated = (token: () => string) =>
  fc
    .tuple(fc.nat(), fc.constantFrom(...BASE64URL), fc.constantFrom('replace', 'insert', 'delete'))
    .map(([at, c, how]) => {
      const t = token();
      const i = at % (t.length - 1);
      if (how === 'insert') return t.slice(0, i) + c + t.slice(i);
      if (how === 'delete') return t.slice(0, i) + t.slice(i + 1);
      return t[i] === c ? t.slice(0, i) + (c === 'A' ? 'B' : 'A') + t.slice(i + 1) : t.slice(0, i) + c + t.slice(i + 1);
    });

const claims = fc.dictionary(
  fc.constantFrom('c', 'pc', 'r', 'e', 'i', 'v', 'exp', 'p'),
  fc.oneof(fc.string({ maxLength: 12 }), fc.integer()),
);

/** What may stand where a token should: text of any kind, token-shaped noise, near-misses of genuine tokens. */
const fakeToken = fc.oneof(
  anyText.map(encodeSegment),
  fc.stringMatching(/^[A-Za-z0-9._~!$&'()*+,;=:@%-]{1,80}$/),
  fc.stringMatching(/^[A-Za-z0-9_-]{1,120}\.[A-Za-z0-9_-]{43}$/),
  fc.stringMatching(/^[A-Za-z0-9_-]{43}$/).map((sig) => `${genuine.review.split('.')[0]}.${sig}`),
  mutated(() => genuine.review),
  mutated(() => genuine.revise),
  fc
    .tuple(claims, fc.constantFrom('submit', 'review', 'revise') as fc.Arbitrary<'submit' | 'review' | 'revise'>)
    .map(([c, purpose]) => signToken(randomBytes(32), purpose, c)),
  fc.constantFrom('', '.', '..', 'abc', '%', '%zz', '%E0%A4%A', `${'A'.repeat(2000)}.${'B'.repeat(43)}`),
);

interface Probe {
  method: string;
  path: (token: string) => string;
  body?: { headers: Record<string, string>; text: string };
}

const decisionForm = { headers: FORM_HEADERS, text: formBody({ decision: 'accept', issue: '1' }) };
const decisionJson = { headers: JSON_HEADERS, text: JSON.stringify({ decision: 'reject' }) };
const revisionForm = { headers: FORM_HEADERS, text: formBody({ kind: 'info', title: '冒用', body: LONG_BODY }) };
const empty = { headers: FORM_HEADERS, text: '' };

const REVIEW_PROBES: Probe[] = [
  { method: 'GET', path: (t) => `/review/${t}` },
  { method: 'HEAD', path: (t) => `/review/${t}` },
  { method: 'POST', path: (t) => `/review/${t}`, body: decisionForm },
  { method: 'POST', path: (t) => `/review/${t}`, body: decisionJson },
  { method: 'POST', path: (t) => `/review/${t}/renew`, body: empty },
  { method: 'GET', path: (t) => `/review/${t}/renew` },
  { method: 'DELETE', path: (t) => `/review/${t}` },
];
const REVISE_PROBES: Probe[] = [
  { method: 'GET', path: (t) => `/revise/${t}` },
  { method: 'POST', path: (t) => `/revise/${t}`, body: revisionForm },
  { method: 'POST', path: (t) => `/revise/${t}/renew`, body: empty },
  { method: 'PUT', path: (t) => `/revise/${t}` },
];

/** Genuine tokens in the wrong place: a personal key anywhere, a review token at /revise/, a revise token at /review/. */
const misplaced = fc.oneof(
  fc.constantFrom(...REVIEW_PROBES, ...REVISE_PROBES).map((probe) => ({ probe, token: () => k })),
  fc.constantFrom(...REVISE_PROBES).map((probe) => ({ probe, token: () => genuine.review })),
  fc.constantFrom(...REVIEW_PROBES).map((probe) => ({ probe, token: () => genuine.revise })),
);
const forged = fc
  .tuple(fc.constantFrom(...REVIEW_PROBES, ...REVISE_PROBES), fakeToken)
  .map(([probe, token]) => ({ probe, token: () => token }));

const present = (v: unknown) => v !== undefined;
const notText = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string(), { maxLength: 2 }),
  fc.object({ maxDepth: 1 }),
);

const decisionFields = fc.record(
  {
    decision: fc.oneof(
      { arbitrary: fc.constantFrom('accept', 'return', 'reject'), weight: 6 },
      { arbitrary: fc.constantFrom(' accept\n', 'ACCEPT', '采用', 'publish', ''), weight: 1 },
      { arbitrary: anyText, weight: 1 },
      { arbitrary: notText, weight: 1 },
    ),
    issue: fc.oneof(
      { arbitrary: fc.nat({ max: 99_999 }).map(String), weight: 3 },
      { arbitrary: fc.constantFrom('第12期', '12期', '０１２', '0', '-1', '1e3', ' 7 '), weight: 1 },
      { arbitrary: anyText, weight: 1 },
      { arbitrary: notText, weight: 1 },
    ),
    comment: fc.oneof(
      { arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }), weight: 3 },
      { arbitrary: fc.integer({ min: 1990, max: 2010 }).map((n) => '字'.repeat(n)), weight: 1 },
      { arbitrary: anyText, weight: 1 },
      { arbitrary: notText, weight: 1 },
    ),
    confirm: fc.oneof({ arbitrary: fc.constantFrom('1', true), weight: 3 }, { arbitrary: anyText, weight: 1 }),
  },
  { requiredKeys: [] },
);

// --- Properties -----------------------------------------------------------------------------------------------------

describe('review, revise and renew routes with a token that is not theirs', () => {
  it('answer 400, 403, 404 or 405 — never a success, never a 5xx — and change nothing', async () => {
    const before = await mailCount();
    await fc.assert(
      fc.asyncProperty(
        fc.oneof({ arbitrary: forged, weight: 4 }, { arbitrary: misplaced, weight: 1 }),
        async ({ probe, token }) => {
          const path = probe.path(token());
          const answer = await send(probe.method, path, probe.body?.headers, probe.body?.text);
          expect(
            [400, 403, 404, 405].includes(answer.status) ? 'refused' : `${answer.status} at ${probe.method} ${path}`,
          ).toBe('refused');
        },
      ),
      { numRuns: RUNS },
    );
    expect(await mailCount()).toBe(before);
    expect((await piece(genuine.waitingReceipt)).status).toBe('submitted');
    expect((await piece(genuine.returnedReceipt)).status).toBe('returned');
    expect((await send('GET', `/review/${genuine.review}`)).status).toBe(200);
    expect((await send('GET', `/revise/${genuine.revise}`)).status).toBe(200);
  });
});

describe('POST /review/{token} with a genuine link and arbitrary fields', () => {
  it('records exactly one decision and tells the informant once (200), or records nothing (400) — never a 5xx', async () => {
    let current = { receipt: '', token: '' };
    let fresh = 0;
    const next = async () => {
      const receipt = await submit(`随机审核稿件 ${++fresh} ${randomBytes(3).toString('hex')}`);
      current = { receipt, token: await reviewToken(receipt) };
    };
    await next();
    await fc.assert(
      fc.asyncProperty(decisionFields, fc.boolean(), async (fields, asJson) => {
        const body = asJson
          ? JSON.stringify(fields)
          : formBody(
              Object.fromEntries(
                Object.entries(fields)
                  .filter(([, v]) => present(v))
                  .map(([name, v]) => [name, typeof v === 'string' ? v : JSON.stringify(v)]),
              ),
            );
        const answer = await send('POST', `/review/${current.token}`, asJson ? JSON_HEADERS : FORM_HEADERS, body);
        expect([200, 400, 409, 428]).toContain(answer.status);
        const decisions = await decisionsOn(current.receipt);
        // 不予采用 without its confirmation: the confirmation step (a page, or 428 for JSON), nothing recorded.
        const asksToConfirm = answer.status === 428 || (answer.status === 200 && answer.text.includes('确认不予采用'));
        if (asksToConfirm) {
          expect(decisions).toBe(0);
          expect(String(fields.decision).trim()).toBe('reject');
        } else if (answer.status === 200) {
          expect(decisions).toBe(1);
          const told = (await county.mails(address('chen'))).filter(
            (m) => /^您的稿件(已采用|需要修改|未予采用)/.test(m.subject) && about(current.receipt)(m),
          );
          expect(told).toHaveLength(1);
          if (asJson) {
            const recorded = (JSON.parse(answer.text) as { decision: string }).decision;
            expect((await piece(current.receipt)).status).toBe(recorded);
          }
          await next();
        } else {
          expect(decisions).toBe(answer.status === 409 ? 1 : 0);
          if (asJson && answer.status === 400) {
            expect(JSON.parse(answer.text)).toEqual({
              errors: expect.arrayContaining([{ field: expect.any(String), message: expect.any(String) }]),
            });
          }
        }
      }),
      { numRuns: RUNS },
    );
  });
});
