// Fault injection on topics (点题): issuing one from the desk (POST /desk/topics: the topic item with its
// informants' emails, the open list, the emails sent at once) and closing one (POST /desk/topics/{id}/close), the
// editor signed in before the fault, each at every call × lost answer, throttle, time-out, on fresh state. After
// recovery (the editor pressing again, then the sweeper): one topic, listed open (or not, once closed), every
// informant told once (at most twice where SES itself lost its answer); the first answer done or 503 with what was
// typed kept, never another 5xx or a 4xx.
import { config } from '../../../shared/core/config';
import { getItems, keyId } from '../../../shared/store/db';
import { openTopicsKey } from '../../../shared/topics/topics';
import { runFaultMatrix } from '../../support/faultCases';
import {
  allItems,
  countMails,
  type FaultCounty,
  faultDesk,
  firstAnswerProblem,
  recover,
  sesMayRepeat,
  startFaultCounty,
  steppingClock,
  unfiredCases,
} from '../../support/faultState';

let fc: FaultCounty;
/** 2026-11-02 10:00 Asia/Shanghai. */
const clock = steppingClock(new Date('2026-11-02T02:00:00Z').getTime());

beforeAll(async () => {
  fc = await startFaultCounty();
});
afterAll(async () => {
  await fc.close();
});

/** wang's desk (signed in again, no fault armed, once an hour of the clock has passed) and a form post on it. */
const { desk, deskPost } = faultDesk(() => fc, clock, 'wang');

const noteUnfired = unfiredCases('topic faults');
const noticeOf = (html: string) => html.match(/<p>([^<]+)<\/p>/)?.[1] ?? '';

const topicsTitled = async (title: string) =>
  (await allItems()).filter((i) => String(i.pk).endsWith('#TOPIC') && i.title === title);

async function openList(): Promise<{ topicId: string; title: string }[]> {
  const key = openTopicsKey(config().countyId);
  const item = (await getItems([key], { consistent: true })).get(keyId(key));
  return (item?.topics ?? []) as { topicId: string; title: string }[];
}

const fieldsOf = (title: string) => ({ title, description: '写出实招和成效。', due: '2026-12-20' });

describe('POST /desk/topics under injected faults', () => {
  it('issues one topic, lists it open, keeps what was typed, and tells each informant once', async () => {
    const result = await runFaultMatrix({
      route: 'POST /desk/topics',
      prepare: async (label) => {
        clock.advance(60_000);
        await fc.clearMailbox();
        await desk(); // signed in before the fault is armed
        return fieldsOf(`点题故障 ${label}`);
      },
      act: (fields) => deskPost('/desk/topics', fields),
      verify: async (fields, first, faultCase) => {
        const problems: string[] = [];
        noteUnfired('POST topics', faultCase);
        if (first.status === 201) {
          if (!first.html.includes('已发布点题')) problems.push(`201 with "${noticeOf(first.html)}"`);
        } else {
          problems.push(...firstAnswerProblem(first.status));
          if (first.status === 503 && !first.html.includes(fields.title)) problems.push('the title typed is gone');
          const again = await deskPost('/desk/topics', fields);
          if (again.status !== 200 && again.status !== 201) problems.push(`the retry answered ${again.status}`);
        }
        const items = await topicsTitled(fields.title);
        if (items.length !== 1) problems.push(`${items.length} topic items`);
        if ((await openList()).filter((t) => t.title === fields.title).length !== 1) problems.push('not listed open');
        await recover(clock);
        const mails = await fc.county.mails();
        const most = sesMayRepeat(faultCase) ? 2 : 1;
        for (const informant of ['zhang', 'zhou']) {
          const n = countMails(mails, fc.address(informant), `点题：${fields.title}`);
          if (n < 1 || n > most) problems.push(`${n} topic emails to ${informant}`);
        }
        return problems;
      },
    });
    expect(result.violations).toEqual([]);
    expect(result.calls.ses).toBe(2);
  }, 300_000);
});

describe('POST /desk/topics/{id}/close under injected faults', () => {
  it('closes it once and takes it off the open list', async () => {
    const result = await runFaultMatrix({
      route: 'POST /desk/topics/{id}/close',
      prepare: async (label) => {
        clock.advance(60_000);
        const title = `结束故障 ${label}`;
        const issued = await deskPost('/desk/topics', fieldsOf(title));
        if (issued.status !== 201) throw new Error(`set-up: issuing answered ${issued.status}`);
        const [item] = await topicsTitled(title);
        return { title, topicId: String(item?.topicId) };
      },
      act: ({ topicId }) => deskPost(`/desk/topics/${topicId}/close`, {}),
      verify: async ({ title, topicId }, first, faultCase) => {
        const problems: string[] = [];
        noteUnfired('POST close', faultCase);
        if (first.status !== 200) {
          problems.push(...firstAnswerProblem(first.status));
          const again = await deskPost(`/desk/topics/${topicId}/close`, {});
          if (again.status !== 200) problems.push(`the retry answered ${again.status}: "${noticeOf(again.html)}"`);
        }
        const [item] = await topicsTitled(title);
        if (!item?.closedAt) problems.push('not closed');
        if ((await openList()).some((t) => t.topicId === topicId)) problems.push('still listed open');
        return problems;
      },
      services: ['dynamodb'],
    });
    expect(result.violations).toEqual([]);
  }, 300_000);
});
