// Editors and leaders who were in the roster before the desk existed get their desk sign-in link once, from the
// sweeper's first pass after the desk lands; informants get nothing new, and later passes send nothing again.
import { sweepAll } from '../../../shared/app/sweep';
import { config } from '../../../shared/core/config';
import { addPerson, putUnit, refreshSummary } from '../../../shared/roster/people';
import { personIdOf, unitIdOf } from '../../../shared/store/keys';
import { DESK_WELCOME, signInWith } from '../../support/deskSession';
import { linkIn, startTestCounty, type TestCounty } from '../../support/harness';

let county: TestCounty;

beforeAll(async () => {
  county = await startTestCounty();
  // A roster as an import before the desk left it: people, units, the summary, and no desk welcome anywhere.
  const c = config().countyId;
  const unitId = unitIdOf(c, '县委组织部');
  await putUnit(c, { unitId, name: '县委组织部', kind: 'department' });
  const at = new Date().toISOString();
  for (const [name, local, role] of [
    ['王编辑', 'editor', 'editor'],
    ['赵部长', 'leader', 'leader'],
    ['张伟', 'zhang', 'informant'],
  ] as const) {
    const email = `${local}@${county.domain}`;
    await addPerson(c, { personId: personIdOf(c, email), name, email, role, unitId, keyVersion: 1, updatedAt: at });
  }
  await refreshSummary(c);
});
afterAll(() => county.close());

describe('the desk landing on a roster that already has editors and leaders', () => {
  it('sends each of them their desk sign-in link once, which signs them in to their desk, and informants nothing', async () => {
    await sweepAll(config().countyId);
    await sweepAll(config().countyId);

    for (const [who, name] of [
      ['editor', '王编辑（编辑）'],
      ['leader', '赵部长（领导，只能查看）'],
    ] as const) {
      const mails = await county.waitForMails(`${who}@${county.domain}`, 1);
      expect(mails.map((m) => m.subject)).toEqual([expect.stringMatching(DESK_WELCOME)]);
      const session = await signInWith(county.baseUrl, linkIn(mails[0], '/desk/signin/'));
      const desk = await session.fetch('/desk');
      expect(desk.status).toBe(200);
      expect(await desk.text()).toContain(`信息科工作台 · ${name}`);
    }
    expect(await county.mails(`zhang@${county.domain}`)).toEqual([]);
  });

  it('sends nothing more on later passes', async () => {
    await sweepAll(config().countyId);
    await sweepAll(config().countyId);

    for (const who of ['editor', 'leader']) expect(await county.mails(`${who}@${county.domain}`)).toHaveLength(1);
  });
});
