// Fault injection on the roster's writes and on the sweeper: "send me my link" (POST /link), a roster import (the
// admin CLI's and the desk's use case), a revoke, and one outbox sweep, each at every call × lost answer, throttle,
// time-out. After recovery: one person per address, one welcome per new informant, one link per request, a revoked
// link refused and its successor working, and every pending email sent once (at most twice where SES itself lost
// its answer).
import { handler as sweep } from '../../../functions/sweeper';
import { importRoster } from '../../../shared/roster/importRoster';
import { revokePerson } from '../../../shared/roster/revokePerson';
import { runFaultMatrix } from '../../support/faultCases';
import {
  allItems,
  countMails,
  type FaultCounty,
  postForm,
  recover,
  sesMayRepeat,
  startFaultCounty,
  steppingClock,
} from '../../support/faultState';
import { faults } from '../../support/faults';
import { LONG_BODY, linkIn } from '../../support/harness';

let fc: FaultCounty;
const clock = steppingClock(new Date('2026-07-01T01:00:00Z').getTime());

beforeAll(async () => {
  fc = await startFaultCounty();
});
afterAll(async () => {
  await fc.close();
});

describe('POST /link under injected faults', () => {
  it('sends the informant exactly one link that works, and answers the same', async () => {
    const result = await runFaultMatrix({
      route: 'POST /link',
      prepare: async () => {
        clock.advance(11 * 60_000); // past the 10-minute window of the last request
        await fc.clearMailbox();
        return {};
      },
      act: () => postForm(`${fc.county.baseUrl}/link`, { email: fc.address('zhou') }),
      verify: async (_state, first, faultCase) => {
        const problems: string[] = [];
        if (first.status !== 200) {
          if (first.status !== 503) problems.push(`answered ${first.status}`);
          if (!first.html.includes(fc.address('zhou'))) problems.push('the address typed is gone');
          const again = await postForm(`${fc.county.baseUrl}/link`, { email: fc.address('zhou') });
          if (again.status !== 200) problems.push(`the retry answered ${again.status}`);
        }
        await recover(clock);
        const links = (await fc.county.mails(fc.address('zhou'))).filter((m) => m.subject === '您的个人报送链接');
        const most = sesMayRepeat(faultCase) ? 2 : 1;
        if (links.length < 1 || links.length > most) problems.push(`${links.length} link emails`);
        else if ((await fetch(linkIn(links[0]))).status !== 200) problems.push('the link sent does not open');
        return problems;
      },
    });
    expect(result.violations).toEqual([]);
  }, 300_000);
});

describe('a roster import under injected faults', () => {
  it('adds each new person once and welcomes each new informant once, also when run again after a failure', async () => {
    let n = 0;
    const result = await runFaultMatrix({
      route: 'roster import',
      prepare: async () => {
        clock.advance(60_000);
        await fc.clearMailbox();
        n += 1;
        const email = `new${n}@${fc.county.domain}`;
        return { email, csv: `单位,姓名,邮箱,角色\n城关镇党委,新人${n},${email},信息员\n` };
      },
      act: ({ csv }) =>
        importRoster(csv).then(
          (r) => ({ ok: r.ok, error: '' }),
          (err: Error) => ({ ok: false, error: err.name }),
        ),
      verify: async ({ email, csv }, first, faultCase) => {
        const problems: string[] = [];
        // The organizer runs the import again when it failed (nothing half done stops that).
        if (!first.ok && !(await importRoster(csv)).ok) problems.push('the second import failed');
        const people = (await allItems()).filter((i) => String(i.sk).startsWith('P#') && i.email === email);
        if (people.length !== 1) problems.push(`${people.length} people stored`);
        await recover(clock);
        const welcomes = (await fc.county.mails(email)).filter((m) => m.subject.startsWith('欢迎'));
        const most = sesMayRepeat(faultCase) ? 2 : 1;
        if (welcomes.length < 1 || welcomes.length > most) problems.push(`${welcomes.length} welcome emails`);
        return problems;
      },
    });
    expect(result.violations).toEqual([]);
  }, 300_000);
});

describe('the sweeper under injected faults', () => {
  it('sends every pending email once, whatever call of the sweep fails', async () => {
    const result = await runFaultMatrix({
      route: 'sweeper',
      prepare: async (label) => {
        clock.advance(60_000);
        const title = `待发邮件 ${label}`;
        // SES down for the whole request: its three emails wait in the outbox.
        faults().failSes(3);
        const res = await postForm(`${fc.county.baseUrl}/submissions`, {
          k: fc.keys.zhou!,
          kind: 'info',
          title,
          body: LONG_BODY,
        });
        faults().failSes(0);
        expect(res.status).toBe(303);
        clock.advance(60_000); // past the first back-off
        await fc.clearMailbox();
        return { title };
      },
      act: () =>
        sweep().then(
          (r) => ({ ok: true, ...r }),
          (err: Error) => ({ ok: false, error: err.name }),
        ),
      verify: async ({ title }, _first, faultCase) => {
        const problems: string[] = [];
        await recover(clock);
        const mails = await fc.county.mails();
        const most = sesMayRepeat(faultCase) ? 2 : 1;
        for (const to of [fc.address('zhou'), fc.address('wang'), fc.address('li')]) {
          const count = countMails(mails, to, title);
          if (count < 1 || count > most) problems.push(`${count} emails to ${to}`);
        }
        return problems;
      },
    });
    expect(result.violations).toEqual([]);
  }, 300_000);
});

describe('a revoke under injected faults', () => {
  it('ends with the old link refused and a new one that works, also when run again after a failure', async () => {
    const result = await runFaultMatrix({
      route: 'roster revoke',
      prepare: async () => {
        clock.advance(60_000);
        const [welcome] = (await fc.county.mails(fc.address('zhou'))).filter((m) => /链接/.test(m.subject)).slice(-1);
        await fc.clearMailbox();
        return { oldLink: welcome ? linkIn(welcome) : '' };
      },
      act: () =>
        revokePerson(fc.address('zhou')).then(
          () => ({ ok: true }),
          (err: Error) => ({ ok: false, error: err.name }),
        ),
      verify: async ({ oldLink }, first, faultCase) => {
        const problems: string[] = [];
        // The operator runs it again when it failed.
        if (!first.ok)
          await revokePerson(fc.address('zhou')).catch((err: Error) => problems.push(`again: ${err.name}`));
        await recover(clock);
        if (oldLink && (await fetch(oldLink)).status !== 403) problems.push('the old link still works');
        const fresh = (await fc.county.mails(fc.address('zhou'))).filter((m) => /链接已更新/.test(m.subject));
        // One email per revoke that got as far as writing it (two when the first run did and then failed).
        const most = first.ok && !sesMayRepeat(faultCase) ? 1 : 2;
        if (fresh.length < 1 || fresh.length > most) problems.push(`${fresh.length} new-link emails`);
        else if ((await fetch(linkIn(fresh.at(-1)))).status !== 200) problems.push('the new link does not open');
        return problems;
      },
    });
    expect(result.violations).toEqual([]);
  }, 300_000);
});

describe("an editor's revoke under injected faults", () => {
  it('ends with the old review link refused, and the next review request signed with the new key version', async () => {
    const reviewLinkFor = async (title: string) => {
      // zhang: zhou's key was revoked above.
      const res = await postForm(`${fc.county.baseUrl}/submissions`, {
        k: fc.keys.zhang!,
        kind: 'info',
        title,
        body: LONG_BODY,
      });
      expect(res.status).toBe(303);
      for (let i = 0; i < 100; i++) {
        const [request] = (await fc.county.mails(fc.address('wang'))).filter((m) => m.subject.includes(title));
        if (request) return linkIn(request, '/review/');
        await new Promise((r) => setTimeout(r, 20));
      }
      throw new Error(`no review request for ${title}`);
    };
    const result = await runFaultMatrix({
      route: 'roster revoke (editor)',
      prepare: async (label) => {
        clock.advance(60_000);
        return { label, oldLink: await reviewLinkFor(`撤销前 ${label}`) };
      },
      act: () =>
        revokePerson(fc.address('wang')).then(
          () => ({ ok: true }),
          (err: Error) => ({ ok: false, error: err.name }),
        ),
      verify: async ({ label, oldLink }, first) => {
        const problems: string[] = [];
        // The operator runs it again when it failed.
        if (!first.ok)
          await revokePerson(fc.address('wang')).catch((err: Error) => problems.push(`again: ${err.name}`));
        await recover(clock);
        if ((await fetch(oldLink)).status !== 403) problems.push('the old review link still works');
        // Review requests take the editors' key versions from the roster summary: it must know the new one.
        const next = await reviewLinkFor(`撤销后 ${label}`);
        if ((await fetch(next)).status !== 200) problems.push("the next review request's link does not open");
        return problems;
      },
    });
    expect(result.violations).toEqual([]);
  }, 300_000);
});
