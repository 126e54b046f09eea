// The monthly 通报 on a generated county-year (fixed seed): pieces sent over HTTP at planned moments (two at the
// month boundary, 23:59 and 00:00 Asia/Shanghai), decided from the desk, some adopted upstream; one unit silent.
// Every figure of the October 通报 equals a recount of the raw items written (a Scan, test code only). Then the
// sending: the CLI's dry run sends nothing; a real run mails every recipient once with the .xlsx attached and a web
// view link; a second run and two runs at once send nothing twice; a crash resumes without duplicates; throttling is
// waited out; sends keep the configured pace; earlier years' data leave the read cost unchanged.

import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { handler as sweep } from '../../../functions/sweeper';
import { recordAdoption } from '../../../shared/adoption/recordAdoption';
import { computeBulletin } from '../../../shared/bulletin/computeBulletin';
import { bulletinRun, type Send, sendBulletin } from '../../../shared/bulletin/sendBulletin';
import { setClock } from '../../../shared/core/clock';
import { config } from '../../../shared/core/config';
import { signinToken } from '../../../shared/links/links';
import { importRoster } from '../../../shared/roster/importRoster';
import { db, tableName } from '../../../shared/store/db';
import { keys, personIdOf } from '../../../shared/store/keys';
import { admin } from '../../support/cli';
import { allItems } from '../../support/faultState';
import { linkIn, startTestCounty, type TestCounty } from '../../support/harness';
import { mulberry32 } from '../../support/random';
import { type DeskSession, form, jsonPost, signInWith, submitKeyOf, submitOver } from '../desk/deskSupport';

let county: TestCounty;
const UNITS = ['城关镇党委', '红旗乡党委', '县教育局', '县卫健委', '县农业农村局'];
/** The informant of each unit, by index; 县农业农村局 (the last) never sends. */
const keysOf: string[] = [];
let desk: DeskSession;
let leaderDesk: DeskSession;

/** The Asia/Shanghai month of an ISO time, computed here from the offset alone. */
const cstMonth = (iso: string) => new Date(Date.parse(iso) + 8 * 3600_000).toISOString().slice(0, 7);

/**
 * Signs `email` in to the desk at the clock's time, from a sign-in link as an email sent then would carry it: this
 * file's clock moves through the year, past a week-long sign-in link and a session of hours.
 */
async function signInNow(email: string): Promise<DeskSession> {
  const token = await signinToken(personIdOf(config().countyId, email), 1);
  return signInWith(county.baseUrl, `${county.baseUrl}/desk/signin/${token}`);
}

beforeAll(async () => {
  setClock(new Date('2026-01-02T02:00:00Z'));
  county = await startTestCounty();
  const d = county.domain;
  const imported = await importRoster(
    [
      '单位,姓名,邮箱,手机,角色',
      ...UNITS.map((u, i) => `${u},信息员${i},i${i}@${d},,信息员`),
      `县委组织部信息科,王编辑,wang@${d},,编辑`,
      `县委组织部,赵部长,leader@${d},,领导`,
    ].join('\n'),
  );
  expect(imported.ok).toBe(true);
  for (let i = 0; i < UNITS.length; i++) keysOf.push(await submitKeyOf(county, `i${i}@${d}`));

  // The plan: 24 pieces over January–October from the first four units, and two at the September/October boundary.
  const random = mulberry32(20261001);
  const plan: { at: string; unit: number; kind: 'info' | 'research' }[] = [];
  for (let n = 0; n < 24; n++) {
    const month = 1 + Math.floor(random() * 10);
    const day = 1 + Math.floor(random() * 27);
    plan.push({
      at: `2026-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}T0${1 + Math.floor(random() * 8)}:00:00Z`,
      unit: Math.floor(random() * 4),
      kind: random() < 0.3 ? 'research' : 'info',
    });
  }
  plan.push({ at: '2026-09-30T15:59:00Z', unit: 1, kind: 'info' }); // 23:59 on 30 September in Shanghai
  plan.push({ at: '2026-09-30T16:00:00Z', unit: 2, kind: 'research' }); // 00:00 on 1 October
  plan.sort((a, b) => a.at.localeCompare(b.at));
  let issue = 0;
  for (const [n, p] of plan.entries()) {
    setClock(new Date(p.at));
    const receipt = await submitOver(county, keysOf[p.unit]!, `第${n}篇 ${UNITS[p.unit]}的信息`, { kind: p.kind });
    const fate = random();
    if (fate < 0.3) continue; // waiting
    setClock(new Date(Date.parse(p.at) + Math.floor(random() * 3 + 1) * 86_400_000));
    const decision =
      fate < 0.75 ? { decision: 'accept', issue: String(++issue) } : { decision: 'return', comment: '请补充数据。' };
    const wang = await signInNow(`wang@${d}`);
    const res = await wang.fetch(`${wang}/pieces/${receipt}`, jsonPost({ ...decision, revision: 1 }));
    expect(res.status).toBe(200);
    if (decision.decision === 'accept' && random() < 0.5) {
      const levels = ['prefecture', 'region', 'central'] as const;
      const level = levels[Math.floor(random() * 3)]!;
      const on = new Date(Date.parse(p.at) + 5 * 86_400_000 + 8 * 3600_000).toISOString().slice(0, 10);
      setClock(new Date(`${on}T04:00:00Z`));
      await recordAdoption(
        receipt,
        { level, outlet: '《新疆组工信息》', issue: `${n}`, date: on, instruction: random() < 0.3 ? 'county' : 'none' },
        { name: '王编辑', personId: 'x' },
        { source: 'cli' },
      );
    }
  }
  setClock(new Date('2026-11-01T01:00:00Z'));
  desk = await signInNow(`wang@${d}`);
  leaderDesk = await signInNow(`leader@${d}`);
}, 120_000);
afterAll(async () => {
  setClock(undefined);
  await county.close();
});

describe('the October 通报 of a generated county-year', () => {
  it('has every figure a recount of the raw events gives, month boundaries in Asia/Shanghai', async () => {
    const b = await computeBulletin('2026-10');
    const items = await allItems();
    // Every unit with an informant is in the table, the silent one too.
    expect(b.units.map((r) => r.name).sort()).toEqual([...UNITS].sort());
    expect(b.summary.month.sent).toBeGreaterThan(0);
    const events = items.filter((i) => String(i.sk).startsWith('E#') || String(i.sk).startsWith('A#'));
    const inMonth = (i: Record<string, unknown>, m: string) => cstMonth(String(i.at)) === m;
    const upTo = (i: Record<string, unknown>) =>
      cstMonth(String(i.at)) >= '2026-01' && cstMonth(String(i.at)) <= '2026-10';
    const sentIn = (pred: (i: Record<string, unknown>) => boolean) =>
      events.filter((i) => i.type === 'submitted' && pred(i));
    const oct = (i: Record<string, unknown>) => inMonth(i, '2026-10');
    // The county: sent, accepted, adopted, points — this month and the year.
    expect(b.summary.month.sent).toBe(sentIn(oct).length);
    expect(b.summary.year.sent).toBe(sentIn(upTo).length);
    expect(b.summary.month.research).toBe(sentIn((i) => oct(i) && i.kind === 'research').length);
    expect(b.summary.month.accepted).toBe(events.filter((i) => i.type === 'accepted' && oct(i)).length);
    expect(b.summary.year.accepted).toBe(events.filter((i) => i.type === 'accepted' && upTo(i)).length);
    const adopted = events.filter((i) => i.type === 'adopted');
    for (const level of ['prefecture', 'region', 'central'] as const) {
      expect(b.summary.year.adopted[level]).toBe(adopted.filter((i) => i.level === level && upTo(i)).length);
      expect(b.summary.month.adopted[level]).toBe(adopted.filter((i) => i.level === level && oct(i)).length);
    }
    const pointsOf = (pred: (i: Record<string, unknown>) => boolean) =>
      Math.round(
        events
          .filter((i) => (i.type === 'accepted' || i.type === 'adopted') && pred(i))
          .reduce((n, i) => n + Number(i.points ?? 0), 0) * 100,
      ) / 100;
    expect(b.summary.year.points).toBe(pointsOf(upTo));
    expect(b.summary.month.points).toBe(pointsOf(oct));
    // The boundary: the piece of 23:59 on 30 September counts in September, the one of 00:00 in October.
    const boundary = sentIn((i) => i.at === '2026-09-30T16:00:00.000Z');
    expect(boundary).toHaveLength(1);
    expect(b.perMonth.find((m) => m.month === '2026-09')?.sent).toBe(sentIn((i) => inMonth(i, '2026-09')).length);
    expect(b.perMonth.map((m) => m.sent).reduce((a, n) => a + n, 0)).toBe(b.summary.year.sent);
    // Each unit, and the silent ones named.
    for (const row of b.units) {
      const mine = (i: Record<string, unknown>) => i.unitId === row.unitId;
      expect(row.month.sent).toBe(sentIn((i) => mine(i) && oct(i)).length);
      expect(row.year.sent).toBe(sentIn((i) => mine(i) && upTo(i)).length);
      expect(row.year.points).toBe(pointsOf((i) => mine(i) && upTo(i)));
    }
    const silent = b.units
      .filter((r) => sentIn((i) => i.unitId === r.unitId && oct(i)).length === 0)
      .map((r) => r.name);
    expect(b.silent).toEqual(silent.sort((x, y) => x.localeCompare(y, 'zh')));
    expect(b.silent).toContain('县农业农村局');
    expect(b.belowShare).toContain('县农业农村局');
    // Ranked by points, competition ranks.
    const points = b.units.map((r) => r.year.points);
    expect(points).toEqual([...points].sort((x, y) => y - x));
    expect(b.units[0]?.yearRank).toBe(1);
    // The pace line.
    expect(b.target.projected).toBe(Math.round((b.summary.year.sent / 10) * 12));
    expect(b.target.percent).toBe(Math.round((b.target.projected / 230) * 100));
  });

  it('costs the same reads with ten times more history in earlier years', async () => {
    const before = { readUnits: 0 };
    await computeBulletin('2026-10', before);
    const county_ = process.env.COUNTY_ID!;
    const old = (await allItems()).filter((i) => String(i.sk).startsWith('E#'));
    // Ten copies of this year's events, filed in 2016–2025 (their month partitions and pieces of their own).
    for (let y = 0; y < 10; y++) {
      await Promise.all(
        old.map((e) =>
          db().send(
            new PutCommand({
              TableName: tableName(),
              Item: {
                ...e,
                pk: `${e.pk}#old${y}`,
                gsi1pk: keys.month(county_, `${2016 + y}${String(e.gsi1pk).slice(-3)}`),
              },
            }),
          ),
        ),
      );
    }
    const after = { readUnits: 0 };
    await computeBulletin('2026-10', after);
    expect(before.readUnits).toBeGreaterThan(0);
    expect(Math.abs(after.readUnits - before.readUnits) / before.readUnits).toBeLessThan(0.1);
  });
});

describe("the desk's 通报 tab", () => {
  it('previews the month with its charts and downloads it as a .docx that reads back', async () => {
    const page = await desk.fetch(`${desk}/bulletin?month=2026-10`);
    expect(page.status).toBe(200);
    const text = await page.text();
    expect(text).toContain('<h1>2026年10月组工信息工作通报</h1>');
    expect(text).toContain('<svg');
    expect(text).toContain('县农业农村局');
    const bad = await desk.fetch(`${desk}/bulletin?month=2026-13`);
    expect(bad.status).toBe(400);
    const doc = await desk.fetch(`${desk}/bulletin/download?month=2026-10`);
    expect(doc.status).toBe(200);
    expect(doc.headers.get('content-type')).toContain('wordprocessingml');
    const { unzipSync, strFromU8 } = await import('fflate');
    const xml = strFromU8(unzipSync(new Uint8Array(await doc.arrayBuffer()))['word/document.xml']!);
    expect(xml).toContain('2026年10月组工信息工作通报');
    expect(xml).toContain('县农业农村局');
  });
});

describe('sending the 通报', () => {
  const recipients = UNITS.length + 2;

  it('dry run prints the plain text and sends nothing', async () => {
    const run = await admin('--aws', 'bulletin', '--month', '2026-10', '--dry-run');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('2026年10月组工信息工作通报');
    expect(run.stdout).toContain('按目前进度，全年预计');
    expect(run.stdout).toContain('县农业农村局');
    await new Promise((r) => setTimeout(r, 300));
    expect((await county.mails()).filter((m) => m.subject.includes('工作通报'))).toHaveLength(0);
  });

  it('a real run mails everyone once with the .xlsx; a second run sends nothing', async () => {
    const run = await admin('--aws', 'bulletin', '--month', '2026-10');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`本次发出 ${recipients} 封`);
    const mails = (await county.mails()).filter((m) => m.subject === '2026年10月组工信息工作通报');
    expect(mails).toHaveLength(recipients);
    expect(new Set(mails.map((m) => m.destination.to[0])).size).toBe(recipients);
    const mail = mails[0]!;
    expect(mail.body.text).toContain('本月未报送单位');
    expect(mail.body.html).toContain('bgcolor="#c62828"');
    const attachments = (mail as unknown as { attachments: { filename: string }[] }).attachments;
    expect(attachments.map((a) => a.filename)).toEqual(['2026年10月各单位报送情况.xlsx']);
    // The web view: its charts, and nothing of a script.
    const view = await fetch(linkIn(mail, '/bulletin/'));
    expect(view.status).toBe(200);
    const page = await view.text();
    expect(page).toContain('<svg');
    expect(page).not.toContain('<script');
    const again = await admin('--aws', 'bulletin', '--month', '2026-10');
    expect(again.stdout).toContain('本次发出 0 封');
    expect((await county.mails()).filter((m) => m.subject === '2026年10月组工信息工作通报')).toHaveLength(recipients);
  });

  it('two runs at once send each recipient one message', async () => {
    const sent: string[] = [];
    const send: Send = async (e) => {
      sent.push(e.to);
      await new Promise((r) => setTimeout(r, 20));
      return `m${sent.length}`;
    };
    await Promise.all([sendBulletin('2026-09', { send }), sendBulletin('2026-09', { send })]);
    expect(sent).toHaveLength(recipients);
    expect(new Set(sent).size).toBe(recipients);
  });

  it('a crash in the middle resumes where it stopped, without duplicates', async () => {
    const first: string[] = [];
    const crashing: Send = (e) => {
      if (first.length >= 3) return new Promise(() => {}); // the process dies during this send
      first.push(e.to);
      return Promise.resolve(`c${first.length}`);
    };
    void sendBulletin('2026-08', { send: crashing });
    await new Promise((r) => setTimeout(r, 1500));
    setClock(new Date('2026-11-01T01:10:00Z')); // past the claims' lease
    const second: string[] = [];
    const r = await sendBulletin('2026-08', {
      send: async (e) => {
        second.push(e.to);
        return `r${second.length}`;
      },
    });
    setClock(new Date('2026-11-01T01:00:00Z'));
    expect(first).toHaveLength(3);
    expect(r.already).toBe(3);
    expect([...first, ...second].sort()).toEqual([...new Set([...first, ...second])].sort());
    expect(first.length + second.length).toBe(recipients);
  });

  it('waits out SES throttling and keeps the pace (10 a second)', async () => {
    const starts: number[] = [];
    let throttled = 0;
    const send: Send = async (e) => {
      starts.push(Date.now());
      if (throttled < 2) {
        throttled += 1;
        throw Object.assign(new Error('Maximum sending rate exceeded.'), { name: 'Throttling' });
      }
      await new Promise((r) => setTimeout(r, 150)); // a slow SES
      return e.to;
    };
    const r = await sendBulletin('2026-07', { send });
    expect(r.sent).toBe(recipients);
    expect(r.failed).toBe(0);
    const sorted = [...starts].sort((a, b) => a - b);
    // No window of one second holds more than 10 starts (allowing the timer's few ms).
    for (let i = 10; i < sorted.length; i++) expect(sorted[i]! - sorted[i - 10]!).toBeGreaterThanOrEqual(990);
    for (let i = 1; i < sorted.length; i++) expect(sorted[i]! - sorted[i - 1]!).toBeGreaterThanOrEqual(90);
  });

  it("the desk's send button queues a closed month once; the sweeper sends it; pressing again sends nothing", async () => {
    const subject = '2026年6月组工信息工作通报';
    const sendPath = `${desk}/bulletin/send`;
    // Opening the tab offers the button and changes nothing.
    const before = await (await desk.fetch(`${desk}/bulletin?month=2026-06`)).text();
    expect(before).toContain(`action="${desk}/bulletin/send"`);
    expect(await bulletinRun('2026-06')).toBeUndefined();
    // A leader's desk shows no button and may not send; this month cannot be sent by hand.
    expect(await (await leaderDesk.fetch(`${leaderDesk}/bulletin?month=2026-06`)).text()).not.toContain(
      '/bulletin/send',
    );
    expect((await leaderDesk.fetch(`${leaderDesk}/bulletin/send`, form({ month: '2026-06' }))).status).toBe(403);
    const early = await desk.fetch(sendPath, form({ month: '2026-11' }));
    expect(early.status).toBe(400);
    expect(await early.text()).toContain('本月尚未结束');
    expect((await desk.fetch(sendPath, form({ month: '2026-13' }))).status).toBe(400);
    expect(await bulletinRun('2026-11')).toBeUndefined();

    await sweep(); // whatever else waited in the outbox (the roster's welcome emails)
    const pressed = await desk.fetch(sendPath, form({ month: '2026-06' }));
    expect(pressed.status).toBe(202);
    expect(await pressed.text()).toContain(`已开始发送：收件人 ${recipients} 位`);
    expect((await county.mails()).filter((m) => m.subject === subject)).toHaveLength(0);
    const swept = await sweep();
    expect(swept.sent).toBe(recipients);
    const mails = (await county.mails()).filter((m) => m.subject === subject);
    expect(new Set(mails.map((m) => m.destination.to[0])).size).toBe(recipients);
    expect(mails).toHaveLength(recipients);
    const run = await bulletinRun('2026-06');
    expect(run?.startedBy).toBe('王编辑');
    expect(run?.finishedAt).toBeDefined();
    // Pressed again (a second tab, a double click): nothing more goes out.
    const again = await desk.fetch(sendPath, form({ month: '2026-06' }));
    expect(again.status).toBe(200);
    const page = await again.text();
    expect(page).toContain('此前已经发送（第 1 次），没有重复发送');
    expect(page).toContain(`已发出 ${recipients} 封`);
    expect(page).not.toContain(`action="${desk}/bulletin/send"`);
    await sweep();
    expect((await county.mails()).filter((m) => m.subject === subject)).toHaveLength(recipients);
  });

  it('a job that dies is finished by the sweeper once its lease is past', async () => {
    const sent: string[] = [];
    const dying: Send = (e) => {
      if (sent.length >= 2) return new Promise(() => {});
      sent.push(e.to);
      return Promise.resolve(`d${sent.length}`);
    };
    void sendBulletin('2026-05', { send: dying });
    await new Promise((r) => setTimeout(r, 1500));
    // Within the job's lease the sweeper leaves the run alone.
    expect((await sweep()).sent).toBe(0);
    setClock(new Date('2026-11-01T01:10:00Z'));
    try {
      const swept = await sweep();
      expect(swept.sent).toBe(recipients - 2);
      const mails = (await county.mails()).filter((m) => m.subject === '2026年5月组工信息工作通报');
      expect(mails.map((m) => m.destination.to[0]).sort()).toEqual(
        [...new Set(mails.map((m) => m.destination.to[0]))].sort(),
      );
      expect(mails.length + sent.length).toBe(recipients);
      expect((await bulletinRun('2026-05'))?.finishedAt).toBeDefined();
    } finally {
      setClock(new Date('2026-11-01T01:00:00Z'));
    }
  });

  it('gives up an address SES refuses for good, and the run still ends', async () => {
    const refused = `i1@${county.domain}`;
    const send: Send = async (e) => {
      if (e.to === refused)
        throw Object.assign(new Error('Email address is not verified.'), { name: 'MessageRejected' });
      return e.to;
    };
    const r = await sendBulletin('2026-04', { send });
    expect(r).toMatchObject({ sent: recipients - 1, givenUp: 1, failed: 0 });
    const run = await bulletinRun('2026-04');
    expect(run?.finishedAt).toBeDefined();
    const page = await (await desk.fetch(`${desk}/bulletin?month=2026-04`)).text();
    expect(page).toContain(`已发出 ${recipients - 1} 封，1 封未能发出`);
    expect(page).toContain(`信息员1（${refused}）：MessageRejected`);
    // A second run does not try it again.
    const again = await sendBulletin('2026-04', { send });
    expect(again).toMatchObject({ sent: 0, givenUp: 1 });
  });

  it('starts a resend only once the round before is done', async () => {
    const subject = '2026年3月组工信息工作通报';
    await sweep();
    await sendBulletin('2026-03', { by: '王编辑', freezeOnly: true });
    await expect(sendBulletin('2026-03', { resend: true })).rejects.toThrow('还在发送中');
    expect((await bulletinRun('2026-03'))?.round).toBe(1);
    await sweep();
    expect((await county.mails()).filter((m) => m.subject === subject)).toHaveLength(recipients);
    const again = await sendBulletin('2026-03', { resend: true });
    expect(again).toMatchObject({ round: 2, started: true, sent: recipients });
    expect((await county.mails()).filter((m) => m.subject === subject)).toHaveLength(2 * recipients);
    // Without a session, or a forged form of another site (the session's cookie, not its form token): nothing sent.
    const signedOut = await fetch(`${county.baseUrl}/desk/bulletin/send`, form({ month: '2026-02' }));
    expect(signedOut.status).toBe(401);
    const forged = await desk.withoutToken().fetch(`${desk}/bulletin/send`, form({ month: '2026-02' }));
    expect(forged.status).toBe(403);
    expect(await forged.text()).toContain('页面已过期或不是从工作台提交的，未做任何修改');
    expect(await bulletinRun('2026-02')).toBeUndefined();
  });
});
