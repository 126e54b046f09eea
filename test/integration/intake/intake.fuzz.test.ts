// Property checks of intake against the real local gateway: whatever a client sends to POST /submissions, GET /submit
// or any other path, the answer is a receipt or a 4xx with a structured error — never a 5xx. Requests go through
// node:http rather than fetch, so methods, paths, headers and bodies can be anything the wire carries.
import http from 'node:http';
import fc from 'fast-check';
import { signToken } from '../../../shared/links/tokens';
import { importRoster } from '../../../shared/roster/importRoster';
import { personIdOf } from '../../../shared/store/keys';
import { LONG_BODY, linkIn, rosterCsv, startTestCounty, type TestCounty } from '../../support/harness';
import { type Answer, rawRequest } from '../../support/rawHttp';

const RUNS = 50;
/** Generous, for a loaded machine: a property normally takes one to three seconds. */
const PROPERTY_TIMEOUT_MS = 90_000;
const MAX_BODY_BYTES = 256 * 1024;

let county: TestCounty;
let k = '';
const agent = new http.Agent({ keepAlive: true });

beforeAll(async () => {
  county = await startTestCounty();
  await importRoster(rosterCsv(county.domain));
  const [welcome] = await county.waitForMails(`chen@${county.domain}`, 1);
  k = new URL(linkIn(welcome)).searchParams.get('k')!;
});

afterAll(async () => {
  agent.destroy();
  await county.close();
});

const send = (method: string, path: string, headers: Record<string, string> = {}, body?: string | Uint8Array) =>
  rawRequest(county.baseUrl, agent, method, path, headers, body);

const JSON_HEADERS = { 'content-type': 'application/json', accept: 'application/json' };
const FORM_HEADERS = { 'content-type': 'application/x-www-form-urlencoded' };

// --- An oracle written from the contract, not from the validator ----------------------------------------------------

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what the contract refuses
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;
const length = (s: string) => [...s].length;
const FIELDS = ['kind', 'title', 'body', 'topic', 'signer'] as const;

/** The fields the contract says are bad: missing, not text, out of the limits, or with control characters (C0, C1). */
function badFields(fields: Record<string, unknown>): Set<string> {
  const bad = new Set<string>();
  const text: Record<string, string> = {};
  for (const name of FIELDS) {
    const value = fields[name];
    if (value === undefined || value === null) text[name] = '';
    // Half a surrogate pair is no character at all: no email could carry it, so the contract refuses it.
    // A control character in any field makes it unreadable text, whatever the field.
    else if (typeof value === 'string' && value.isWellFormed() && !CONTROL.test(value)) text[name] = value;
    else {
      bad.add(name);
      text[name] = '';
    }
  }
  const kind = text.kind!.trim();
  const title = text.title!.replace(/\s+/g, ' ').trim();
  const body = text.body!.replace(/\r\n?/g, '\n').trim();
  const signer = text.signer!.replace(/\s+/g, ' ').trim();
  if (kind !== 'info' && kind !== 'research') bad.add('kind');
  if (title === '' || length(title) > 100) bad.add('title');
  if (length(body) < 20 || length(body) > 20_000) bad.add('body');
  if (text.topic!.trim() !== '') bad.add('topic');
  if (length(signer) > 50) bad.add('signer');
  return bad;
}

/** A JSON text with a key that would reach an object's prototype: `__proto__`, or `constructor` holding `prototype`. */
function hasPrototypeKey(text: string): boolean {
  let found = false;
  JSON.parse(text, (key, value) => {
    if (key === '__proto__' || (key === 'constructor' && value && Object.hasOwn(value, 'prototype'))) found = true;
    return value;
  });
  return found;
}

function parsed(answer: Answer): Record<string, unknown> {
  expect(answer.headers['content-type']).toBe('application/json; charset=utf-8');
  return JSON.parse(answer.text) as Record<string, unknown>;
}

function expectReceipt(answer: Answer): void {
  const created = parsed(answer);
  expect(created).toEqual({ id: expect.stringMatching(/^\d{4}-\d{4,6}$/), receipt: created.id, status: 'submitted' });
}

function expectFieldErrors(answer: Answer, fields: Set<string>): void {
  const { errors } = parsed(answer) as { errors: { field: unknown; message: unknown }[] };
  expect(errors.length).toBeGreaterThan(0);
  for (const error of errors) {
    expect(typeof error.field).toBe('string');
    expect(typeof error.message).toBe('string');
    expect((error.message as string).length).toBeGreaterThan(0);
  }
  expect(new Set(errors.map((e) => e.field))).toEqual(fields);
}

/** Any 4xx JSON error: field errors, or a code and a message. */
function expectStructuredError(answer: Answer): void {
  const body = parsed(answer);
  if ('errors' in body) {
    const errors = body.errors as { field: unknown; message: unknown }[];
    expect(errors.length).toBeGreaterThan(0);
    for (const error of errors) expect(error).toEqual({ field: expect.any(String), message: expect.any(String) });
  } else {
    expect(body).toEqual({ error: expect.any(String), message: expect.any(String) });
  }
}

// --- Arbitraries ----------------------------------------------------------------------------------------------------

const controlChar = fc.integer({ min: 0, max: 0x1f }).map((c) => String.fromCharCode(c));
/** UTF-16 code units, lone surrogates included. */
const codeUnit = fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c));

const anyText = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.string({ unit: 'grapheme' }),
  fc.string({ unit: fc.oneof(controlChar, fc.constantFrom(' ', '\r\n', '\u3000', '\u2028', '字')) }),
  fc.string({ unit: codeUnit }),
);

/** Text near and beyond the limits: around 100 and 20,000 characters, and over 256 KB once encoded. */
const hugeText = fc
  .tuple(fc.integer({ min: 15, max: 100_000 }), fc.constantFrom('x', '字', '😀', ' ', '\n'))
  .map(([n, unit]) => unit.repeat(n));

const notText = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string(), { maxLength: 3 }),
  fc.object({ maxDepth: 2 }),
);

/** A piece the contract accepts, mostly: printable text within the limits, topic and signer often left out. */
const plausiblePiece = fc.record(
  {
    kind: fc.constantFrom('info', 'research', ' research\n'),
    title: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 100 }),
    body: fc.string({ unit: 'grapheme', maxLength: 200 }).map((s) => `${LONG_BODY}${s}`),
    topic: fc.constantFrom('', '  '),
    signer: fc.string({ unit: 'grapheme', maxLength: 50 }),
  },
  { requiredKeys: ['kind', 'title', 'body'] },
);

/** Anything a field might hold instead: any text, text beyond the limits, or no text at all. */
const wildValue = fc.oneof(
  { arbitrary: anyText, weight: 3 },
  { arbitrary: hugeText, weight: 1 },
  { arbitrary: notText, weight: 2 },
  { arbitrary: fc.constantFrom('info', 'research', 'news', ''), weight: 1 },
);

/** A plausible piece with none, a few or all of its fields replaced by wild values. */
const pieceFields = fc
  .tuple(
    plausiblePiece,
    fc.oneof(fc.constant([]), fc.subarray([...FIELDS], { maxLength: 2 }), fc.subarray([...FIELDS])),
    fc.array(wildValue, { minLength: FIELDS.length, maxLength: FIELDS.length }),
  )
  .map(([piece, replaced, wild]) => {
    const fields: Record<string, unknown> = { ...piece };
    for (const name of replaced) fields[name] = wild[FIELDS.indexOf(name)];
    return fields;
  });

/** Keys a client might add: unknown fields and names that mean something to JavaScript objects. */
const extraKey = fc.oneof(fc.string({ maxLength: 10 }), fc.constantFrom('__proto__', 'constructor', 'toString', 'id'));

// --- Properties -----------------------------------------------------------------------------------------------------

describe('POST /submissions with arbitrary fields', () => {
  it(
    'answers JSON with 201 and a receipt exactly when the contract allows it, 400 naming the bad fields, or 413',
    async () => {
      await fc.assert(
        fc.asyncProperty(pieceFields, fc.dictionary(extraKey, notText, { maxKeys: 3 }), async (fields, extra) => {
          const payload = { ...extra, ...fields, k };
          const body = JSON.stringify(payload);

          const answer = await send('POST', '/submissions', JSON_HEADERS, body);

          if (Buffer.byteLength(body) > MAX_BODY_BYTES) {
            expect(answer.status).toBe(413);
            expect(parsed(answer)).toEqual({ error: 'too_large', message: expect.any(String) });
            return;
          }
          if (hasPrototypeKey(body)) {
            // Keys that reach object prototypes are refused before any field is looked at.
            expect(answer.status).toBe(400);
            expect(parsed(answer)).toEqual({
              errors: [{ field: 'body', message: expect.stringContaining('不允许的字段名') }],
            });
            return;
          }
          const bad = badFields(JSON.parse(body));
          if (bad.size === 0) {
            expect(answer.status).toBe(201);
            expectReceipt(answer);
          } else {
            expect(answer.status).toBe(400);
            expectFieldErrors(answer, bad);
          }
        }),
        { numRuns: RUNS },
      );
    },
    PROPERTY_TIMEOUT_MS,
  );

  it(
    'answers a form post (repeated keys included) with a receipt, field errors or 413, in JSON or as a page',
    async () => {
      const formValue = fc.oneof(anyText, hugeText, fc.constantFrom('info', 'research', LONG_BODY));
      const pair = fc.tuple(fc.oneof(fc.constantFrom(...FIELDS), extraKey), formValue);
      await fc.assert(
        fc.asyncProperty(
          plausiblePiece,
          fc.array(pair, { maxLength: 4 }),
          fc.boolean(),
          async (piece, pairs, asJson) => {
            const plausible = Object.entries(piece).filter(
              (entry): entry is [string, string] => entry[1] !== undefined,
            );
            const body = new URLSearchParams([['k', k], ...plausible, ...pairs]).toString();
            // What the server decodes: well-formed text (a browser cannot send a lone surrogate), a list for a repeat.
            const decoded: Record<string, unknown> = Object.create(null);
            for (const [key, value] of new URLSearchParams(body)) {
              const previous = decoded[key];
              decoded[key] = previous === undefined ? value : [previous, value].flat();
            }

            const answer = await send(
              'POST',
              '/submissions',
              asJson ? { ...FORM_HEADERS, accept: 'application/json' } : FORM_HEADERS,
              body,
            );

            const bad = badFields(decoded);
            if (Buffer.byteLength(body) > MAX_BODY_BYTES) {
              expect(answer.status).toBe(413);
            } else if (decoded.k !== k) {
              expect(answer.status).toBe(403); // a second `k` makes a list, which is no key
            } else if (bad.size === 0) {
              expect(answer.status).toBe(asJson ? 201 : 303);
              if (asJson) expectReceipt(answer);
              else expect(answer.headers.location).toMatch(/^\/submit\?k=[^&]+&sent=\d{4}-\d{4,6}$/);
            } else {
              expect(answer.status).toBe(400);
              if (asJson) expectFieldErrors(answer, bad);
              else {
                expect(answer.headers['content-type']).toBe('text/html; charset=utf-8');
                expect(answer.text).toContain('<form method="post" action="/submissions"');
                for (const field of bad) if (field !== 'topic') expect(answer.text).toContain(`id="${field}-error"`);
              }
            }
          },
        ),
        { numRuns: RUNS },
      );
    },
    PROPERTY_TIMEOUT_MS,
  );

  it(
    'answers any body under any content type with less than 500, and a structured error for every 4xx',
    async () => {
      const contentType = fc.oneof(
        fc.constantFrom(
          'application/json',
          'application/x-www-form-urlencoded',
          'application/json; charset=utf-8',
          'Application/JSON',
          'text/plain',
          'multipart/form-data; boundary=x',
          'application/xml',
          '',
        ),
        fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 40 }),
      );
      const body = fc.oneof(
        fc.jsonValue().map((v) => JSON.stringify(v) ?? ''),
        fc.jsonValue().map((v) => JSON.stringify({ k, ...(typeof v === 'object' && v !== null ? v : { v }) })),
        fc.string({ unit: 'binary' }),
        fc.uint8Array({ maxLength: 200 }),
        fc.constantFrom('{', '[', 'null', '""', '0', 'k=', '%', '%zz', '&&=&', `k=${k}&title=%E0%A4%A`),
      );
      await fc.assert(
        fc.asyncProperty(contentType, body, async (type, payload) => {
          const answer = await send(
            'POST',
            '/submissions',
            { 'content-type': type, accept: 'application/json' },
            payload,
          );

          expect(answer.status).toBeLessThan(500);
          if (answer.status >= 400) expectStructuredError(answer);
          else expect([201, 303]).toContain(answer.status);
        }),
        { numRuns: RUNS },
      );
    },
    PROPERTY_TIMEOUT_MS,
  );

  it(
    'answers any Accept and Idempotency-Key header with less than 500',
    async () => {
      // What a header value may carry on the wire: visible ASCII, space, and obs-text (0x80-0xff); not DEL.
      const headerValue = fc.string({
        unit: fc.integer({ min: 0x20, max: 0xfe }).map((c) => String.fromCharCode(c < 0x7f ? c : c + 1)),
        maxLength: 250,
      });
      // A key names one submission: the same key again with other content is refused (422), as the IETF draft says.
      const contentOf = new Map<string, string>();
      await fc.assert(
        fc.asyncProperty(headerValue, headerValue, fc.string({ maxLength: 8 }), async (accept, idempotencyKey, tag) => {
          const body = JSON.stringify({ k, kind: 'info', title: `幂等${tag}`, body: LONG_BODY });

          const answer = await send(
            'POST',
            '/submissions',
            { 'content-type': 'application/json', accept, 'idempotency-key': idempotencyKey },
            body,
          );

          expect(answer.status).toBeLessThan(500);
          const key = idempotencyKey.trim();
          if (key.length === 0 || key.length > 200) expect(answer.status).toBe(400);
          else if ((contentOf.get(key) ?? `幂等${tag}`) !== `幂等${tag}`) expect(answer.status).toBe(422);
          else {
            expect([201, 303]).toContain(answer.status);
            contentOf.set(key, `幂等${tag}`);
          }
        }),
        { numRuns: RUNS },
      );
    },
    PROPERTY_TIMEOUT_MS,
  );
});

describe('arbitrary personal keys', () => {
  const base64url = fc.string({
    unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'),
    minLength: 1,
    maxLength: 80,
  });
  const claims = fc.record(
    {
      c: fc.oneof(fc.string({ maxLength: 12 }), fc.integer()),
      i: fc.oneof(fc.string({ maxLength: 20 }), fc.integer()),
      v: fc.oneof(fc.integer({ min: -1, max: 5 }), fc.string({ maxLength: 2 })),
    },
    { requiredKeys: [] },
  );
  /** Everything but a genuine key: noise, key-shaped strings, a genuine key changed, tokens signed wrongly. */
  const badKey = fc.oneof(
    anyText,
    fc.string({ maxLength: 1500 }),
    fc.tuple(base64url, base64url).map(([a, b]) => `${a}.${b}`),
    fc.tuple(base64url, fc.string({ unit: 'binary', minLength: 43, maxLength: 43 })).map(([a, b]) => `${a}.${b}`),
    fc
      .tuple(fc.nat(), fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.'))
      .map(([at, c]) => ({ at, c }))
      .map(({ at, c }) => {
        const i = at % k.length;
        return `${k.slice(0, i)}${c}${k.slice(i + 1)}`;
      })
      .filter((mutated) => !sameKey(mutated, k)),
    fc
      .tuple(fc.constantFrom('submit', 'review', 'revise') as fc.Arbitrary<'submit' | 'review' | 'revise'>, claims)
      .map(([purpose, c]) => signToken(Buffer.from(process.env.SIGNING_KEY!, 'utf8'), purpose, c)),
    fc
      .tuple(fc.constantFrom('review', 'revise') as fc.Arbitrary<'review' | 'revise'>, fc.integer({ min: 1, max: 3 }))
      .map(([purpose, v]) =>
        signToken(Buffer.from(process.env.SIGNING_KEY!, 'utf8'), purpose, {
          c: process.env.COUNTY_ID!,
          i: personIdOf(process.env.COUNTY_ID!, `chen@${county.domain}`),
          v,
        }),
      ),
  );

  it(
    'are refused with 403 by the form, the submission and the receipt page, never with a 5xx',
    async () => {
      await fc.assert(
        fc.asyncProperty(badKey, async (key) => {
          const query = new URLSearchParams({ k: key }).toString();

          const form = await send('GET', `/submit?${query}`);
          const posted = await send(
            'POST',
            '/submissions',
            JSON_HEADERS,
            JSON.stringify({ k: key, kind: 'info', title: '钥匙不对', body: LONG_BODY }),
          );
          const receipt = await send('GET', `/submissions/2026-0001?${query}`, { accept: 'application/json' });

          expect(form.status).toBe(403);
          expect(posted.status).toBe(403);
          expect(parsed(posted)).toEqual({ error: 'invalid_link', message: expect.any(String) });
          expect(receipt.status).toBe(403);
        }),
        { numRuns: RUNS },
      );
    },
    PROPERTY_TIMEOUT_MS,
  );
});

/**
 * Whether a changed key still says the same thing: base64url's last character carries spare bits, so two spellings
 * of one signature decode alike (same claims, same MAC — not a forgery).
 */
function sameKey(a: string, b: string): boolean {
  const [payloadA = '', macA = ''] = a.split('.');
  const [payloadB = '', macB = ''] = b.split('.');
  return (
    payloadA === payloadB &&
    /^[\w-]{43}$/.test(macA) &&
    Buffer.from(macA, 'base64url').equals(Buffer.from(macB, 'base64url'))
  );
}

describe('arbitrary methods and paths', () => {
  const method = fc.constantFrom('GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'PROPFIND', 'SEARCH');
  const segment = fc.oneof(
    fc.constantFrom('', 'submit', 'submissions', '2026-0001', '..', '.', '%', '%zz', '%00', '%ff', '%2F', '{id}'),
    fc.string({ unit: 'binary', maxLength: 12 }).map((s) => encodeURIComponent(s)),
    fc.webSegment(),
  );
  const path = fc
    .tuple(
      fc.array(segment, { minLength: 1, maxLength: 4 }),
      fc.option(fc.constantFrom('k=', '?', 'k=%', 'k=a&k=b', 'valid'), { nil: undefined }),
    )
    .map(([segments, query]) => {
      const q = query === 'valid' ? `k=${k}` : query;
      return `/${segments.join('/')}${q === undefined ? '' : `?${q}`}`;
    });

  it(
    'are never answered with a 5xx; a 405 always says what is allowed',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          method,
          path,
          fc.option(fc.string({ maxLength: 50 }), { nil: undefined }),
          async (m, p, body) => {
            const headers: Record<string, string> = body === undefined ? {} : { 'content-type': 'application/json' };

            const answer = await send(m, p, headers, body);

            expect(answer.status).toBeLessThan(500);
            if (answer.status === 405) expect(answer.headers.allow).toMatch(/^(GET, HEAD|POST)$/);
          },
        ),
        { numRuns: RUNS },
      );
    },
    PROPERTY_TIMEOUT_MS,
  );
});
