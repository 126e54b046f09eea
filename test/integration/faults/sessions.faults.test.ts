// Fault injection on the desk session's writes (信息科工作台), over real HTTP: the sign-in (POST /desk/signin/{token}:
// the person read, the session item put, the `signin` row of the 操作记录 put), 退出 (POST /desk/signout: read,
// delete, the `signout` row), 退出 pressed again once done, and the ends of a session at 作废链接 and 停用
// (POST /desk/roster/people/{personId} from another editor's session), each at every call × lost answer, throttle,
// time-out, on fresh state. The rules: a 303 sign-in always sets a cookie whose session opens the desk and a 503 sets
// none, the retry signs in, and a sign-in leaves one `signin` row (two only where a 503 said 暂时无法确认 after the
// row was written); a 303 退出 ends the session at once, a failed one is ended by pressing 退出 again, one `signout`
// row either way, a 退出 pressed again answers 303 and one without the form token 403 (never a 5xx); once 作废链接
// or 停用 says done (at once, or after pressing again) the person's session is refused at the next request (401;
// 403 while 停用, then 401 after 启用), the old sign-in link is refused after 作废链接 and exactly one fresh sign-in
// link is emailed that signs in.
import { config } from '../../../shared/core/config';
import { signinToken } from '../../../shared/links/links';
import { importRoster } from '../../../shared/roster/importRoster';
import { listRoster } from '../../../shared/roster/people';
import { keys, personIdOf } from '../../../shared/store/keys';
import { DESK_NEW_LINK, DeskSession, sessionCookieOf, signInWith } from '../../support/deskSession';
import { type FaultCase, runFaultMatrix } from '../../support/faultCases';
import {
  allItems,
  type FaultCounty,
  firstAnswerProblem,
  lateAnswer,
  recover,
  startFaultCounty,
  steppingClock,
  timed,
  unfiredCases,
} from '../../support/faultState';
import { form, linkIn } from '../../support/harness';

let fc: FaultCounty;
const clock = steppingClock(new Date('2026-09-07T01:00:00Z').getTime());

beforeAll(async () => {
  fc = await startFaultCounty();
});
afterAll(async () => {
  await fc.close();
});

const url = (path: string) => `${fc.county.baseUrl}${path}`;
const caseName = (c: FaultCase | undefined) => (c ? `${c.service}-${c.at}-${c.fault}` : 'clean');
const noteUnfired = unfiredCases('session faults');
/** The 503 page of a write whose outcome the store could not tell: it may have been done. */
const unknownOutcome = (html: string) => html.includes('暂时无法确认');

/**
 * Answers that said 未能保存 (not done) of an action that was in fact done: harmless where pressing again is (the
 * rules above), listed after the file for the reader.
 */
const untrue: string[] = [];
afterAll(() => {
  if (untrue.length) process.stderr.write(`session faults: 503 未能保存 though done: ${untrue.join('; ')}\n`);
});

/** The ended-by-revoke-or-停用 message of a refused session. */
const ENDED = '您的链接已作废或人员已被停用';
/** The refusal of a 停用 person's session (InactiveLinkError). */
const INACTIVE = '此链接已停用';

/** A person's id by their address. */
const idOf = (email: string) => personIdOf(config().countyId, email);

/** A sign-in link of `personId` made at the clock's time (as the emails carry it), for `keyVersion`. */
async function signinLink(personId: string, keyVersion = 1): Promise<string> {
  return url(`/desk/signin/${await signinToken(personId, keyVersion)}`);
}

/**
 * A set-up sign-in (no fault armed): the link's page, then its button. Under the suite's short budget a busy machine
 * may answer 503 now and then: the person presses again.
 */
async function signedIn(link: string): Promise<DeskSession> {
  for (let tries = 1; ; tries++) {
    try {
      return await signInWith(fc.county.baseUrl, link);
    } catch (err) {
      if (tries === 3) throw err;
    }
  }
}

/** What a session's next desk request is answered (GET /desk as JSON), retried on a busy machine's 503. */
async function deskAnswer(session: DeskSession): Promise<{ status: number; error?: string; message?: string }> {
  for (let tries = 1; ; tries++) {
    const res = await session.fetch('/desk', { headers: { accept: 'application/json' } });
    const body = (await res.json().catch(() => ({}))) as { error?: string; message?: string };
    if (res.status !== 503 || tries === 3) return { status: res.status, ...body };
  }
}

const said = (a: { status: number; error?: string; message?: string }) =>
  `${a.status}${a.error ? ` ${a.error}` : ''}${a.message ? ` "${a.message}"` : ''}`;

/** The `type` rows of the 操作记录 about `personId` written at or after `since` (straight from the table). */
async function auditRows(type: 'signin' | 'signout', personId: string, since: string) {
  const pk = keys.rosterEvents(config().countyId);
  return (await allItems()).filter(
    (i) =>
      i.pk === pk &&
      String(i.sk).startsWith('LOG#') &&
      i.type === type &&
      i.personId === personId &&
      String(i.at) >= since,
  );
}

/** The session items of `personId` begun at or after `since` (straight from the table). */
async function sessionItems(personId: string, since: string) {
  const prefix = `C#${config().countyId}#SESSION#`;
  return (await allItems()).filter(
    (i) => String(i.pk).startsWith(prefix) && i.personId === personId && String(i.createdAt) >= since,
  );
}

/** The sign-in button pressed as a browser sends it (a form post, redirects answered, not followed). */
async function pressSignin(link: string) {
  const res = await fetch(link, form({}));
  return {
    status: res.status,
    location: res.headers.get('location'),
    cookie: sessionCookieOf(res),
    html: await res.text(),
  };
}

/** 退出 pressed in `session`'s page (the form with its token). */
async function pressSignout(session: DeskSession) {
  const res = await session.fetch('/desk/signout', form({}));
  return {
    status: res.status,
    location: res.headers.get('location'),
    cleared: res.headers.getSetCookie().some((c) => /^baosong_desk=;.*Max-Age=0/.test(c)),
    html: await res.text(),
  };
}

/** wang's desk session, and the clock's time when he signed in (he acts on the roster). */
let wang: { session: DeskSession; at: number } | undefined;

/** wang's desk session, signed in again once the clock has moved on an hour since (a session idles out after two). */
async function wangDesk(): Promise<DeskSession> {
  if (!wang || clock.now() - wang.at > 3_600_000) {
    wang = { session: await signedIn(await signinLink(idOf(fc.address('wang')))), at: clock.now() };
  }
  return wang.session;
}

/** A roster button pressed on wang's desk. */
async function personAction(personId: string, fields: Record<string, string>) {
  const res = await (await wangDesk()).fetch(`/desk/roster/people/${personId}`, form(fields));
  return { status: res.status, html: await res.text() };
}

/** A new editor, imported without faults, signed in to the desk (their session checked to open it). */
async function signedInEditor(email: string, name: string) {
  const imported = await importRoster(`单位,姓名,邮箱,角色\n县委组织部信息科,${name},${email},编辑\n`);
  if (!imported.ok) throw new Error(`${email} did not import`);
  const person = (await listRoster(config().countyId)).people.find((p) => p.email === email);
  if (!person) throw new Error(`${email} is not in the roster`);
  const link = await signinLink(person.personId, person.keyVersion);
  const session = await signedIn(link);
  const opens = await deskAnswer(session);
  if (opens.status !== 200) throw new Error(`${email}'s new session answered ${said(opens)}`);
  return { personId: person.personId, keyVersion: person.keyVersion, link, session };
}

describe('POST /desk/signin/{token} under injected faults', () => {
  it('answers 303 with a cookie that opens the desk or 503 with none, the retry signs in, one signin row', async () => {
    const li = idOf(fc.address('li'));
    const doubles: string[] = [];
    const result = await runFaultMatrix({
      route: 'POST /desk/signin/{token}',
      prepare: async () => {
        clock.advance(60_000);
        const link = await signinLink(li);
        // li opens the link's page (it changes nothing) before the fault is armed.
        const page = await fetch(link);
        if (page.status !== 200) throw new Error(`the sign-in page answered ${page.status}`);
        return { link, since: new Date(clock.now()).toISOString() };
      },
      act: ({ link }) => timed(() => pressSignin(link)),
      verify: async ({ link, since }, first, faultCase) => {
        const problems: string[] = [];
        noteUnfired('sign-in', faultCase);
        problems.push(...lateAnswer(first.ms));
        let signedInAnswer = first;
        if (first.status === 303) {
          if (!first.cookie) problems.push('303 without a session cookie');
        } else {
          problems.push(...firstAnswerProblem(first.status));
          if (first.cookie) problems.push(`${first.status} with a session cookie`);
          // li presses 进入工作台 again.
          signedInAnswer = { ...(await pressSignin(link)), ms: 0 };
          if (signedInAnswer.status !== 303 || !signedInAnswer.cookie) {
            problems.push(
              `the retry answered ${signedInAnswer.status}${signedInAnswer.cookie ? '' : ' without a cookie'}`,
            );
          }
        }
        if (signedInAnswer.status === 303 && signedInAnswer.cookie) {
          if (signedInAnswer.location !== '/desk') problems.push(`sent to ${signedInAnswer.location}`);
          const opens = await deskAnswer(new DeskSession(fc.county.baseUrl, signedInAnswer.cookie, ''));
          if (opens.status !== 200) problems.push(`the cookie of the 303 opens the desk with ${said(opens)}`);
        }
        // One row per sign-in; a second only where a 503 could not tell whether the first had been written.
        const rows = (await auditRows('signin', li, since)).length;
        const mayDouble = first.status === 503 && unknownOutcome(first.html);
        if (rows < 1 || rows > (mayDouble ? 2 : 1)) {
          problems.push(`${rows} signin rows in the 操作记录 (first answer ${first.status})`);
        } else if (rows === 2) doubles.push(caseName(faultCase));
        // The store holds one session per sign-in answered (a 503's may be left, cookie-less, to its TTL).
        const sessions = (await sessionItems(li, since)).length;
        if (sessions < 1 || sessions > (first.status === 303 ? 1 : 2)) {
          problems.push(`${sessions} session items stored (first answer ${first.status})`);
        }
        return problems;
      },
    });
    if (doubles.length) process.stderr.write(`session faults: sign-ins logged twice: ${doubles.join('; ')}\n`);

    expect(result.violations).toEqual([]);
    // The person and the summary (BatchGet), the session, the signin row.
    expect(result.calls.dynamodb).toBe(3);
  }, 300_000);
});

describe('POST /desk/signout under injected faults', () => {
  it('ends the session when it answers 303, ends it at the retry when it failed, one signout row', async () => {
    const li = idOf(fc.address('li'));
    const result = await runFaultMatrix({
      route: 'POST /desk/signout',
      prepare: async (label) => {
        clock.advance(60_000);
        const since = new Date(clock.now()).toISOString();
        const session = await signedIn(await signinLink(li));
        const opens = await deskAnswer(session);
        if (opens.status !== 200) throw new Error(`li's new session answered ${said(opens)}`);
        // Once (no store call to fault): 退出 from a page without the session's form token ends nothing.
        const forged = label === 'clean' ? await pressSignout(session.withoutToken()) : undefined;
        const still = forged ? (await deskAnswer(session)).status : 200;
        return { session, since, forged: forged && { status: forged.status, cleared: forged.cleared, still } };
      },
      act: ({ session }) => timed(() => pressSignout(session)),
      verify: async ({ session, since, forged }, first, faultCase) => {
        const problems: string[] = [];
        noteUnfired('退出', faultCase);
        if (forged && (forged.status !== 403 || forged.cleared || forged.still !== 200)) {
          problems.push(`退出 without the form token answered ${forged.status}, the session then ${forged.still}`);
        }
        problems.push(...lateAnswer(first.ms));
        const ended = (a: { status: number; message?: string }) => a.status === 401 && a.message?.includes('您已退出');
        if (first.status === 303) {
          if (first.location !== '/desk/signedout') problems.push(`303 to ${first.location}`);
          if (!first.cleared) problems.push('303 without clearing the cookie');
          const after = await deskAnswer(session);
          if (!ended(after)) problems.push(`after the 303 the old cookie answered ${said(after)}`);
        } else {
          problems.push(...firstAnswerProblem(first.status));
          if (first.cleared) problems.push(`${first.status} clearing the cookie`);
          if (first.status === 503 && !unknownOutcome(first.html) && (await sessionItems(li, since)).length === 0) {
            untrue.push(`退出 ${caseName(faultCase)}`);
          }
          // li presses 退出 again, from the same page.
          const again = await pressSignout(session);
          if (again.status !== 303 || !again.cleared) problems.push(`退出 pressed again answered ${again.status}`);
          const after = await deskAnswer(session);
          if (!ended(after)) problems.push(`after 退出 pressed again the old cookie answered ${said(after)}`);
        }
        if ((await sessionItems(li, since)).length !== 0) problems.push('the session item is still stored');
        // A mistake of the user's: 退出 once more from the old page (the session is over) is no error of the system.
        const more = await pressSignout(session);
        if (more.status !== 303) problems.push(`退出 from the old page once more answered ${more.status}`);
        const signouts = (await auditRows('signout', li, since)).length;
        const audit = signouts === 1 ? [] : [`${signouts} signout rows (first answer ${first.status})`];
        return [...problems, ...audit.map((a) => `操作记录: ${a}`)];
      },
    });

    expect(result.violations).toEqual([]);
    // The person, the summary and the session (BatchGet), the delete, the signout row.
    expect(result.calls.dynamodb).toBe(3);
  }, 300_000);
});

describe('POST /desk/signout pressed again once done, under injected faults', () => {
  it('answers 303 (or 503 and then 303), never a 5xx of its own, and logs no second signout', async () => {
    const li = idOf(fc.address('li'));
    const result = await runFaultMatrix({
      route: 'POST /desk/signout (again)',
      prepare: async () => {
        clock.advance(60_000);
        const since = new Date(clock.now()).toISOString();
        const session = await signedIn(await signinLink(li));
        const done = await pressSignout(session);
        if (done.status !== 303) throw new Error(`退出 answered ${done.status}`);
        return { session, since };
      },
      act: ({ session }) => timed(() => pressSignout(session)),
      verify: async ({ session, since }, first, faultCase) => {
        const problems: string[] = [];
        noteUnfired('退出 again', faultCase);
        problems.push(...lateAnswer(first.ms));
        if (first.status !== 303) {
          problems.push(...firstAnswerProblem(first.status));
          const again = await pressSignout(session);
          if (again.status !== 303) problems.push(`pressed a third time it answered ${again.status}`);
        }
        const after = await deskAnswer(session);
        if (after.status !== 401) problems.push(`the old cookie answered ${said(after)}`);
        const signouts = (await auditRows('signout', li, since)).length;
        if (signouts !== 1) problems.push(`${signouts} signout rows`);
        return problems;
      },
    });

    expect(result.violations).toEqual([]);
  }, 300_000);
});

describe('POST /desk/roster/people/{personId} (作废链接) under injected faults', () => {
  it("ends the person's session once it says done, refuses the old sign-in link, emails one new link", async () => {
    let n = 0;
    const result = await runFaultMatrix({
      route: 'POST /desk/roster/people/{personId} revoke (session)',
      prepare: async () => {
        clock.advance(60_000);
        n += 1;
        const email = `rv${n}@${fc.county.domain}`;
        const victim = await signedInEditor(email, `作废${n}`);
        await wangDesk(); // signed in before the fault is armed
        return { email, ...victim };
      },
      // As the button sends it: with the key version the page showed.
      act: ({ personId, keyVersion }) =>
        timed(() => personAction(personId, { action: 'revoke', v: String(keyVersion) })),
      verify: async ({ email, personId, keyVersion, link, session }, first, faultCase) => {
        const problems: string[] = [];
        noteUnfired('作废链接', faultCase);
        problems.push(...lateAnswer(first.ms));
        const done = (answer: { status: number; html: string }) =>
          answer.status === 200 && answer.html.includes(`已作废 作废${n} 的全部旧链接`);
        if (!done(first)) {
          problems.push(...firstAnswerProblem(first.status));
          const bumped = (await listRoster(config().countyId)).people.some(
            (p) => p.personId === personId && p.keyVersion > keyVersion,
          );
          if (first.status === 503 && !unknownOutcome(first.html) && bumped) {
            untrue.push(`作废链接 ${caseName(faultCase)}`);
          }
          // wang presses 作废链接 again, from the same page (the same key version).
          const again = await personAction(personId, { action: 'revoke', v: String(keyVersion) });
          if (!done(again)) problems.push(`作废链接 pressed again answered ${again.status} without 已作废`);
        }
        // The next request of the person's session, before any time passes (no idle end can explain a 401).
        const next = await deskAnswer(session);
        if (next.status !== 401 || !next.message?.includes(ENDED)) {
          problems.push(`once 作废链接 said done the session answered ${said(next)}`);
        }
        const old = await fetch(link, form({}));
        if (old.status !== 403 || sessionCookieOf(old)) problems.push(`the old sign-in link answered ${old.status}`);
        await recover(clock);
        const fresh = (await fc.county.mails(email)).filter((m) => DESK_NEW_LINK.test(m.subject));
        if (fresh.length !== 1) problems.push(`${fresh.length} new sign-in link emails`);
        const newest = fresh.at(-1);
        if (newest) {
          const signed = await signInWith(fc.county.baseUrl, linkIn(newest, '/desk/signin/')).catch(
            (err: Error) => err,
          );
          if (signed instanceof Error) problems.push(`the new link: ${signed.message}`);
          else {
            const opens = await deskAnswer(signed);
            if (opens.status !== 200) problems.push(`the new link's session answered ${said(opens)}`);
          }
        }
        return problems;
      },
    });

    expect(result.violations).toEqual([]);
  }, 600_000);
});

describe('POST /desk/roster/people/{personId} (停用) under injected faults', () => {
  it("ends the person's session once it says done, for good: 启用 brings the link back, not the session", async () => {
    let n = 0;
    const result = await runFaultMatrix({
      route: 'POST /desk/roster/people/{personId} deactivate (session)',
      prepare: async () => {
        clock.advance(60_000);
        n += 1;
        const victim = await signedInEditor(`off${n}@${fc.county.domain}`, `停用${n}`);
        await wangDesk();
        return victim;
      },
      act: ({ personId }) => timed(() => personAction(personId, { action: 'deactivate' })),
      verify: async ({ personId, link, session }, first, faultCase) => {
        const problems: string[] = [];
        noteUnfired('停用', faultCase);
        problems.push(...lateAnswer(first.ms));
        const done = (answer: { status: number; html: string }) =>
          answer.status === 200 && answer.html.includes(`已停用 停用${n}：`);
        if (!done(first)) {
          problems.push(...firstAnswerProblem(first.status));
          const inactive = (await listRoster(config().countyId)).people.some(
            (p) => p.personId === personId && p.inactive,
          );
          if (first.status === 503 && !unknownOutcome(first.html) && inactive)
            untrue.push(`停用 ${caseName(faultCase)}`);
          const again = await personAction(personId, { action: 'deactivate' });
          if (!done(again)) problems.push(`停用 pressed again answered ${again.status} without 已停用`);
        }
        // While 停用 the desk refuses the person (403, InactiveLinkError).
        const next = await deskAnswer(session);
        if (next.status !== 403 || !next.message?.includes(INACTIVE)) {
          problems.push(`once 停用 said done the session answered ${said(next)}`);
        }
        const refused = await fetch(link, form({}));
        if (refused.status === 303 || sessionCookieOf(refused)) problems.push('the sign-in link signs in while 停用');
        // 启用 (no fault): the link works again, the session begun before the 停用 does not come back.
        clock.advance(1000);
        const activated = await personAction(personId, { action: 'activate' });
        if (activated.status !== 200) problems.push(`启用 answered ${activated.status}`);
        const after = await deskAnswer(session);
        if (after.status !== 401 || !after.message?.includes(ENDED)) {
          problems.push(`after 启用 the old session answered ${said(after)}`);
        }
        const back = await signedIn(link).catch((err: Error) => err);
        if (back instanceof Error) problems.push(`after 启用 the sign-in link: ${back.message}`);
        else {
          const opens = await deskAnswer(back);
          if (opens.status !== 200) problems.push(`after 启用 a new session answered ${said(opens)}`);
        }
        return problems;
      },
    });

    expect(result.violations).toEqual([]);
  }, 600_000);
});
