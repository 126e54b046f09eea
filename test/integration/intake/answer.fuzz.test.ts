// Property checks of the answer link (the `a` of a 点题 email) against the real local gateway: whatever stands in for
// the token, the form and the submission answer 4xx, never 5xx, and never a form; with a genuine token, whatever the
// fields, a piece is taken only when it answers exactly the link's topic, and anything else is a 4xx naming the topic.
import fc from 'fast-check';
import { dayOf } from '../../../shared/core/clock';
import { answerExpiry, answerToken } from '../../../shared/links/links';
import { signToken } from '../../../shared/links/tokens';
import { importRoster } from '../../../shared/roster/importRoster';
import { personIdOf } from '../../../shared/store/keys';
import { addTopic } from '../../../shared/topics/addTopic';
import { jsonPost, LONG_BODY, rosterCsv, startTestCounty, type TestCounty } from '../../support/harness';

const RUNS = 40;
const PROPERTY_TIMEOUT_MS = 90_000;

let county: TestCounty;
let topicId = '';
let due = '';
let a = '';

const url = (path: string) => `${county.baseUrl}${path}`;
beforeAll(async () => {
  county = await startTestCounty();
  await importRoster(rosterCsv(county.domain));
  due = dayOf(new Date(Date.now() + 20 * 86_400_000));
  topicId = (await addTopic({ title: '模糊测试的点题', due }, { name: '测试' })).topic.topicId;
  const personId = personIdOf(process.env.COUNTY_ID!, `zhang@${county.domain}`);
  a = await answerToken({ personId, keyVersion: 1, topicId, exp: answerExpiry(due) });
});
afterAll(async () => {
  await county.close();
});

/** What may stand in for a token: any text, token-shaped text, a token signed with another key or for another use. */
const notAToken = fc.oneof(
  fc.string({ maxLength: 300 }),
  fc.stringMatching(/^[A-Za-z0-9_-]{1,80}\.[A-Za-z0-9_-]{43}$/),
  fc
    .record({
      secret: fc.uint8Array({ minLength: 32, maxLength: 32 }),
      claims: fc.dictionary(
        fc.constantFrom('c', 'i', 'v', 'tp', 'tk', 'exp', 'kid'),
        fc.oneof(fc.string(), fc.integer()),
      ),
      purpose: fc.constantFrom('answer', 'submit', 'mine', 'receipt') as fc.Arbitrary<'answer'>,
    })
    .map(({ secret, claims, purpose }) => signToken(Buffer.from(secret), purpose, claims)),
);

describe('the answer link, fuzzed', () => {
  it(
    'answers anything that is not a genuine token with 4xx, never a form and never a 5xx',
    async () => {
      await fc.assert(
        fc.asyncProperty(notAToken, async (token) => {
          const form = await fetch(url(`/submit?a=${encodeURIComponent(token)}`));
          const page = await form.text();
          expect([
            form.status >= 400 && form.status < 500,
            page.includes('<form method="post" action="/submissions'),
          ]).toEqual([true, false]);
          const sent = await fetch(
            url('/submissions'),
            jsonPost({ a: token, kind: 'info', title: '题', body: LONG_BODY, topic: topicId }),
          );
          expect(sent.status).toBeGreaterThanOrEqual(400);
          expect(sent.status).toBeLessThan(500);
        }),
        { numRuns: RUNS },
      );
    },
    PROPERTY_TIMEOUT_MS,
  );

  it(
    'takes, with a genuine token, only a piece answering exactly its topic; anything else is a 4xx',
    async () => {
      const topic = fc.oneof(
        fc.constant(topicId),
        fc.constant(` ${topicId} `),
        fc.constant(''),
        fc.string({ maxLength: 20 }),
        fc.constant(undefined),
      );
      const task = fc.oneof(fc.constant(undefined), fc.constant(''), fc.string({ maxLength: 12 }));
      await fc.assert(
        fc.asyncProperty(
          fc.record({
            kind: fc.constantFrom('info', 'research', 'other'),
            title: fc.string({ minLength: 1, maxLength: 30 }),
            topic,
            task,
          }),
          async (fields) => {
            const res = await fetch(
              url('/submissions'),
              jsonPost({ a, ...fields, body: `${LONG_BODY}${fields.title}` }),
            );
            expect(res.status).toBeLessThan(500);
            const answers = fields.topic?.trim() === topicId && !fields.task?.trim();
            if (res.status === 201) expect(answers).toBe(true);
            if (!answers) {
              expect(res.status).toBe(400);
              const { errors } = (await res.json()) as { errors: { field: string; message: string }[] };
              expect(errors.some((e) => e.message.includes('这个链接只能报送回应点题“模糊测试的点题”'))).toBe(true);
            }
          },
        ),
        { numRuns: RUNS },
      );
    },
    PROPERTY_TIMEOUT_MS,
  );
});
