// The answer link's token (点题 / 重点调研任务 emails): what it claims, that it lives until the end of its call's due
// day in Asia/Shanghai, that it names exactly one call, and that it is no personal key (nor the other way round).
import { setClock } from '../../../shared/core/clock';
import { ExpiredLinkError, InvalidLinkError } from '../../../shared/core/errors';
import {
  answerClaims,
  answerExpiry,
  answerToken,
  mineClaims,
  submitClaims,
  submitKey,
} from '../../../shared/links/links';
import { type Claims, signToken } from '../../../shared/links/tokens';

const SECRET = 's'.repeat(64);

beforeAll(() => {
  Object.assign(process.env, {
    TABLE_NAME: 'unit_answer',
    COUNTY_ID: 'cunit',
    PUBLIC_URL: 'http://localhost',
    SENDER: 'baosong@example.com',
    SIGNING_KEY: SECRET,
  });
  delete process.env.SIGNING_KEY_FILE;
  setClock(new Date('2026-11-10T02:00:00Z'));
});
afterAll(() => setClock(undefined));

const topicLink = { personId: 'p1', keyVersion: 3, topicId: 'T2611abcdef', exp: answerExpiry('2026-11-30') };

describe('an answer link', () => {
  it('expires at the end of the due day in Asia/Shanghai (00:00 the next day, UTC+8)', () => {
    expect(answerExpiry('2026-11-30')).toBe(Date.parse('2026-11-30T16:00:00Z') / 1000);
    expect(answerExpiry('2026-12-31')).toBe(Date.parse('2026-12-31T16:00:00Z') / 1000);
  });

  it('carries the county, the informant, their key version and its one topic or task', async () => {
    expect(await answerClaims(await answerToken(topicLink))).toEqual(topicLink);
    const task = { personId: 'p1', keyVersion: 1, taskId: 'R26Q4abcdef', exp: answerExpiry('2026-12-20') };
    expect(await answerClaims(await answerToken(task))).toEqual(task);
  });

  it('works until the last second of the due day and is expired from midnight', async () => {
    const token = await answerToken(topicLink);
    setClock(new Date('2026-11-30T15:59:59Z'));
    try {
      await expect(answerClaims(token)).resolves.toMatchObject({ topicId: 'T2611abcdef' });
      setClock(new Date('2026-11-30T16:00:00Z'));
      await expect(answerClaims(token)).rejects.toBeInstanceOf(ExpiredLinkError);
      await expect(answerClaims(token, { allowExpired: true })).resolves.toMatchObject({ personId: 'p1' });
    } finally {
      setClock(new Date('2026-11-10T02:00:00Z'));
    }
  });

  it('is no personal key, no 我的报送 link, and a personal key is no answer link', async () => {
    const answer = await answerToken(topicLink);
    await expect(submitClaims(answer)).rejects.toBeInstanceOf(InvalidLinkError);
    await expect(mineClaims(answer)).rejects.toBeInstanceOf(InvalidLinkError);
    await expect(answerClaims(await submitKey('p1', 3))).rejects.toBeInstanceOf(InvalidLinkError);
  });

  it('is refused naming both a topic and a task, neither, no expiry, or another county', async () => {
    const exp = answerExpiry('2026-11-30');
    const forged: Claims[] = [
      { c: 'cunit', i: 'p1', v: 1, tp: 'T2611abcdef', tk: 'R26Q4abcdef', exp },
      { c: 'cunit', i: 'p1', v: 1, exp },
      { c: 'cunit', i: 'p1', v: 1, tp: 'T2611abcdef' },
      { c: 'cother', i: 'p1', v: 1, tp: 'T2611abcdef', exp },
    ];
    for (const claims of forged) {
      await expect(answerClaims(signToken(Buffer.from(SECRET), 'answer', claims))).rejects.toBeInstanceOf(
        InvalidLinkError,
      );
    }
    // The same claims, well formed, pass: the refusals above are for what they name.
    const fine = signToken(Buffer.from(SECRET), 'answer', { c: 'cunit', i: 'p1', v: 1, tp: 'T2611abcdef', exp });
    await expect(answerClaims(fine)).resolves.toMatchObject({ topicId: 'T2611abcdef' });
  });
});
