// Fault injection on the one-time desk welcomes (the sweeper's first pass after the desk landed: every editor and
// leader already in the roster gets their sign-in link once), at every call × lost answer, throttle, time-out. After
// recovery (the next sweeps run it again): each editor exactly one desk welcome whose link signs in to their desk,
// the marker written, and later passes send nothing more.
import { DeleteCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { config } from '../../../shared/core/config';
import { announceDesk, forgetAnnounced } from '../../../shared/roster/announceDesk';
import { db, tableName } from '../../../shared/store/db';
import { keys } from '../../../shared/store/keys';
import { DESK_WELCOME, signInWith } from '../../support/deskSession';
import { runFaultMatrix } from '../../support/faultCases';
import { type FaultCounty, recover, startFaultCounty, steppingClock } from '../../support/faultState';
import { linkIn } from '../../support/harness';

let fc: FaultCounty;
const clock = steppingClock(new Date('2026-08-01T01:00:00Z').getTime());

beforeAll(async () => {
  fc = await startFaultCounty();
});
afterAll(async () => {
  await fc.close();
});

/** The roster as it was before the desk: no desk welcome written, no marker, nothing known to this process. */
async function beforeTheDesk(): Promise<void> {
  const pk = keys.rosterEvents(config().countyId);
  const out = await db().send(
    new QueryCommand({
      TableName: tableName(),
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': pk },
    }),
  );
  for (const item of out.Items ?? []) {
    if (/^DESK(WELCOME|LINKS)#/.test(String(item.sk))) {
      await db().send(new DeleteCommand({ TableName: tableName(), Key: { pk, sk: item.sk } }));
    }
  }
  forgetAnnounced();
  await fc.clearMailbox();
}

/** Violations unless the sign-in link signs `who` in (its page, its button) and the session opens the desk. */
async function opensTheDesk(who: string, link: string): Promise<string[]> {
  try {
    const session = await signInWith(fc.county.baseUrl, link);
    const status = (await session.fetch('/desk')).status;
    return status === 200 ? [] : [`${who}: the desk answered ${status} after signing in`];
  } catch (err) {
    return [`${who}: ${(err as Error).message}`];
  }
}

describe('the one-time desk welcomes under injected faults', () => {
  it('sends each editor exactly one desk welcome that signs in to their desk, and nothing on later passes', async () => {
    const result = await runFaultMatrix({
      route: 'desk links once (sweeper)',
      services: ['dynamodb'],
      prepare: async () => {
        await beforeTheDesk();
        return {};
      },
      act: () =>
        announceDesk(config().countyId).then(
          () => ({ ok: true }),
          (err: Error) => ({ ok: false, error: err.name }),
        ),
      verify: async () => {
        const problems: string[] = [];
        // The sweeper runs it on every pass until the marker is written.
        await recover(clock);
        await recover(clock);
        for (const who of ['wang', 'li']) {
          const welcomes = (await fc.county.mails(fc.address(who))).filter((m) => DESK_WELCOME.test(m.subject));
          if (welcomes.length !== 1) problems.push(`${who}: ${welcomes.length} desk welcomes`);
          else problems.push(...(await opensTheDesk(who, linkIn(welcomes[0], '/desk/signin/'))));
        }
        for (const who of ['zhang', 'zhou']) {
          const sent = (await fc.county.mails(fc.address(who))).length;
          if (sent !== 0) problems.push(`${who} (an informant) got ${sent} emails`);
        }
        return problems;
      },
    });
    expect(result.violations).toEqual([]);
  }, 300_000);
});
