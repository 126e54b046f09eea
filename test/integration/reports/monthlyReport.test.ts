import { setClock } from '../../../shared/core/clock';
import { config } from '../../../shared/core/config';
import { submitPiece } from '../../../shared/intake/submitPiece';
import { reviewExpiry, reviewUrl, submitKey } from '../../../shared/links/links';
import { monthlyReport } from '../../../shared/reports/monthlyReport';
import { decidePiece } from '../../../shared/review/decidePiece';
import { importRoster } from '../../../shared/roster/importRoster';
import { personIdOf, unitIdOf } from '../../../shared/store/keys';
import { LONG_BODY, rosterCsv, startTestCounty, type TestCounty } from '../../support/harness';

let county: TestCounty;

beforeAll(async () => {
  county = await startTestCounty();
  await importRoster(rosterCsv(county.domain));
});
afterEach(() => setClock(undefined));
afterAll(async () => {
  await county.close();
});

async function submitAs(email: string, title: string) {
  const personId = personIdOf(config().countyId, email);
  return submitPiece({ k: await submitKey(personId, 1), fields: { kind: 'info', title, body: LONG_BODY } });
}

async function decide(receipt: string, decision: string) {
  const at = new Date();
  const editorId = personIdOf(config().countyId, `editor@${county.domain}`);
  const url = await reviewUrl({ pieceId: receipt, revision: 1, editorId, keyVersion: 1, exp: reviewExpiry(at) });
  const extra = decision === 'return' ? { comment: '请补充。' } : decision === 'reject' ? { confirm: '1' } : {};
  return decidePiece(url.split('/').pop(), { decision, ...extra });
}

describe('the monthly figures per unit', () => {
  it('count pieces in the Asia/Shanghai month they were sent and decisions in the month they were recorded', async () => {
    // 31 Oct 23:30 in Shanghai is still October; 1 Nov 00:10 in Shanghai is November.
    setClock(new Date('2026-10-31T15:30:00Z'));
    const late = await submitAs(`chen@${county.domain}`, '十月最后一篇');
    await submitAs(`zhang@${county.domain}`, '城关镇十月稿件');
    setClock(new Date('2026-10-31T16:10:00Z'));
    await submitAs(`chen@${county.domain}`, '十一月第一篇');
    await decide(late.receipt, 'accept');

    const october = await monthlyReport(config().countyId, '2026-10');
    const november = await monthlyReport(config().countyId, '2026-11');

    const office = unitIdOf(config().countyId, '县委办公室');
    const town = unitIdOf(config().countyId, '城关镇党委');
    expect(october.units).toEqual(
      expect.arrayContaining([
        { unitId: office, submitted: 1, revised: 0, accepted: 0, returned: 0, rejected: 0 },
        { unitId: town, submitted: 1, revised: 0, accepted: 0, returned: 0, rejected: 0 },
      ]),
    );
    expect(november.units).toEqual([
      { unitId: office, submitted: 1, revised: 0, accepted: 1, returned: 0, rejected: 0 },
    ]);
  });
});
