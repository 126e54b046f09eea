// Property checks of the adoption's inputs through the real local gateway: whatever an editor's client sends to
// POST /adoption/{token} (fields of any type and text), whatever a 采用 or 积分 page is asked (any query), whatever
// file is uploaded as a table of contents or as rules, the answer is a page or a structured 4xx — never a 5xx — and
// an answer that refuses writes nothing. And a rules file's checks never throw, whatever the text.
import fc from 'fast-check';
import { setClock } from '../../../shared/core/clock';
import { importRoster } from '../../../shared/roster/importRoster';
import { parseRulesFile } from '../../../shared/scoring/rules';
import { linkIn, rosterCsv, startTestCounty, type TestCounty } from '../../support/harness';
import { type DeskSession, jsonPost, signIn, submitKeyOf, submitOver, tableSnapshot } from '../desk/deskSupport';

const RUNS = 40;
const PROPERTY_TIMEOUT_MS = 90_000;

let county: TestCounty;
let desk: DeskSession;
let link = '';
let receipt = '';

beforeAll(async () => {
  setClock(new Date('2026-10-20T02:00:00Z'));
  county = await startTestCounty();
  expect((await importRoster(rosterCsv(county.domain))).ok).toBe(true);
  const k = await submitKeyOf(county, `chen@${county.domain}`);
  setClock(new Date('2026-10-10T02:00:00Z'));
  receipt = await submitOver(county, k, '县委办公室“三访三问”工作法');
  setClock(new Date('2026-10-20T02:00:00Z'));
  desk = await signIn(county, `editor@${county.domain}`);
  expect((await desk.fetch(`${desk}/pieces/${receipt}`, jsonPost({ decision: 'accept', revision: 1 }))).status).toBe(
    200,
  );
  const [confirmation] = await county.waitForMails(`editor@${county.domain}`, 1, /^已采用/);
  link = linkIn(confirmation, '/adoption/');
});
afterAll(async () => {
  setClock(undefined);
  await county.close();
});

const adoptionItems = async () =>
  (await tableSnapshot()).filter((i) => String(i.pk).endsWith(`#P#${receipt}`) && String(i.sk).startsWith('A#'));

/** Anything a JSON client may put in a field: text of every kind, numbers, nothing, other types. */
const anyValue = fc.oneof(
  fc.string({ maxLength: 60 }),
  fc.string({ unit: 'grapheme', maxLength: 60 }),
  fc.constantFrom(
    'region',
    '自治区',
    '地区',
    'central',
    'none',
    '2026-10-15',
    '2026/10/16',
    '第12期',
    '《新疆组工信息》',
  ),
  fc.integer(),
  fc.double(),
  fc.constant(null),
  fc.boolean(),
  fc.array(fc.string(), { maxLength: 2 }),
  fc.dictionary(fc.string({ maxLength: 4 }), fc.string({ maxLength: 4 }), { maxKeys: 2 }),
);
const adoptionFields = fc.record(
  { level: anyValue, outlet: anyValue, issue: anyValue, date: anyValue, instruction: anyValue },
  { requiredKeys: [] },
);

describe('the adoption link, whatever is posted', () => {
  it(
    'answers 200 with a record, or 400/409 with structured errors that changed nothing; never a 5xx',
    async () => {
      await fc.assert(
        fc.asyncProperty(adoptionFields, async (fields) => {
          const before = await adoptionItems();
          const res = await fetch(link, jsonPost(fields));
          const body = (await res.json()) as { added?: boolean; errors?: { field: string; message: string }[] };
          const after = await adoptionItems();
          if (res.status === 200) {
            expect(after.length - before.length).toBe(body.added ? 1 : 0);
          } else {
            expect([400, 409]).toContain(res.status);
            if (res.status === 400) expect(body.errors?.length).toBeGreaterThan(0);
            expect(after).toEqual(before);
          }
        }),
        { numRuns: RUNS },
      );
    },
    PROPERTY_TIMEOUT_MS,
  );
});

describe('the desk’s 采用 and 积分 pages, whatever they are asked', () => {
  it(
    'answer 200 or a 400 naming the bad parameter; never a 5xx',
    async () => {
      const param = fc.oneof(
        fc.string({ maxLength: 12 }),
        fc.constantFrom('2026', '2026-10', 'unit', 'piece', 'region', '1999', '2026-13', 'xlsx'),
      );
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom('/adoptions', '/scores', '/scores/download'),
          fc.dictionary(fc.constantFrom('year', 'month', 'level', 'unit', 'by', 'format'), param, { maxKeys: 4 }),
          async (page, query) => {
            const res = await desk.fetch(`${desk}${page}?${new URLSearchParams(query)}`, {
              headers: { accept: 'application/json' },
            });
            await res.arrayBuffer();
            expect([200, 400]).toContain(res.status);
          },
        ),
        { numRuns: RUNS },
      );
    },
    PROPERTY_TIMEOUT_MS,
  );
});

describe('uploads, whatever the file', () => {
  it(
    'a table of contents or a rules file: 200 or 400, never a 5xx, and a refusal writes nothing',
    async () => {
      const file = fc.oneof(
        fc.uint8Array({ maxLength: 400 }),
        fc.string({ maxLength: 300 }).map((s) => new TextEncoder().encode(s)),
        fc
          .array(fc.array(fc.string({ maxLength: 12 }), { maxLength: 6 }), { maxLength: 5 })
          .map((rows) =>
            new TextEncoder().encode(
              [['回执号', '采用级别', '刊物', '期号', '采用日期'], [receipt, ...(rows[0] ?? [])], ...rows]
                .map((r) => r.join(','))
                .join('\n'),
            ),
          ),
      );
      await fc.assert(
        fc.asyncProperty(fc.constantFrom('/adoptions', '/scores/rules'), file, async (path, bytes) => {
          const before = await tableSnapshot();
          const form = new FormData();
          form.append('file', new Blob([bytes]), 'upload.csv');
          form.append('from', '2026-01-01');
          const res = await desk.fetch(`${desk}${path}`, { method: 'POST', body: form });
          await res.text();
          expect([200, 400]).toContain(res.status);
          if (res.status === 400) {
            const after = await tableSnapshot();
            expect(after.filter((i) => !String(i.pk).endsWith('#ROSTER'))).toEqual(
              before.filter((i) => !String(i.pk).endsWith('#ROSTER')),
            );
          }
        }),
        { numRuns: RUNS },
      );
    },
    PROPERTY_TIMEOUT_MS,
  );
});

describe('a rules file’s checks', () => {
  it('never throw: every text is rules within their bounds, or errors in Chinese', () => {
    const jsonish = fc.oneof(
      fc.string({ maxLength: 200 }),
      fc.json({ maxDepth: 3 }),
      fc
        .record(
          {
            points: fc.dictionary(
              fc.constantFrom('county', 'prefecture', 'region', 'central', 'x'),
              fc.oneof(fc.double(), fc.integer(), fc.string()),
            ),
            kindMultiplier: fc.dictionary(fc.constantFrom('info', 'research'), fc.oneof(fc.double(), fc.integer())),
            instructionBonus: fc.dictionary(fc.constantFrom('county', 'prefecture', 'region', 'central'), fc.integer()),
            topicBonus: fc.oneof(fc.integer(), fc.string()),
            award: fc.dictionary(fc.constantFrom('units', 'informants', 'pieces'), fc.integer({ min: -5, max: 200 })),
          },
          { requiredKeys: [] },
        )
        .map((r) => JSON.stringify(r)),
    );
    fc.assert(
      fc.property(jsonish, (text) => {
        const { rules, errors } = parseRulesFile(text);
        if (rules) {
          expect(errors).toEqual([]);
          for (const n of [
            ...Object.values(rules.points),
            ...Object.values(rules.instructionBonus),
            rules.topicBonus,
          ]) {
            expect(Number.isFinite(n) && n >= 0 && n <= 10_000).toBe(true);
          }
          for (const n of Object.values(rules.award)) expect(Number.isInteger(n) && n >= 1 && n <= 100).toBe(true);
        } else {
          expect(errors.length).toBeGreaterThan(0);
          for (const e of errors) expect(e.message).toMatch(/[\u4e00-\u9fff]/);
        }
      }),
      { numRuns: 500 },
    );
  });
});
