// Bounces, complaints and the suppression list, from the SES configuration set's SNS events (functions/mailEvents.ts)
// to the mail that stops: a hard bounce, an address on SES's suppression list and a complaint mark the person (the
// desk's 名单 shows 退信 or 投诉 with the reason and date); the next email to them — sent at once or by the sweeper,
// a review request to an editor included — is given up with that reason instead of sent, and `npm run admin --
// outbox failed` shows it; the 通报 (and its desk page) and the quarterly email list them as given up. A transient
// bounce is noted and mail goes on. The same event twice is one mark; an address nobody has is ignored. A corrected
// address in a re-imported roster gets its mail; 恢复发送 lifts a stop.
import { handler as mailEvents } from '../../../functions/mailEvents';
import { handler as sweep } from '../../../functions/sweeper';
import { bulletinProgress, bulletinRun, sendBulletin } from '../../../shared/bulletin/sendBulletin';
import { setClock } from '../../../shared/core/clock';
import { config } from '../../../shared/core/config';
import { failedEmails } from '../../../shared/mail/outbox';
import { quarterlyRun, sendQuarterly } from '../../../shared/research/quarterly';
import { importRoster } from '../../../shared/roster/importRoster';
import { getPerson, rosterSummary } from '../../../shared/roster/people';
import { revokeLinks } from '../../../shared/roster/revokeLinks';
import { personIdOf } from '../../../shared/store/keys';
import { bounceMessage, complaintMessage, deliveryMessage, snsEvent } from '../../fixtures/sesEvents';
import { admin } from '../../support/cli';
import { startTestCounty, type TestCounty } from '../../support/harness';
import { type DeskSession, form, signIn, submitKeyOf, submitOver, wantsJson } from '../desk/deskSupport';

let county: TestCounty;
let desk: DeskSession;
const keyOf: Record<string, string> = {};
/** 2026-06-15 10:00 in Asia/Shanghai. */
const T0 = new Date('2026-06-15T02:00:00Z');
const HEADER = '单位,姓名,邮箱,手机,角色';

const address = (name: string) => `${name}@${county.domain}`;
const url = (path: string) => `${county.baseUrl}${path}`;
const personOf = (name: string) => personIdOf(config().countyId, address(name));
const person = (name: string) => getPerson(config().countyId, personOf(name), { consistent: true });
const rosterLines = (chenAddress: string) => [
  HEADER,
  `县委办公室,陈晓明,${chenAddress},,信息员`,
  `城关镇党委,张伟,${address('zhang')},,信息员`,
  `红旗乡党委,周强,${address('zhou')},,信息员`,
  `县教育局,吴敏,${address('wu')},,信息员`,
  `县委组织部信息科,王编辑,${address('editor')},,编辑`,
  `县委组织部信息科,李编辑,${address('editor2')},,编辑`,
  `县委组织部,赵部长,${address('leader')},,领导`,
];

async function rosterPage(): Promise<string> {
  const res = await desk.fetch(`${desk}/roster`);
  expect(res.status).toBe(200);
  return res.text();
}

/** The 名单's row of one person (its table row, from the name on). */
async function rosterRow(name: string): Promise<string> {
  const page = await rosterPage();
  const row = page.split('<tr>').find((r) => r.includes(`<td>${name}</td>`));
  if (!row) throw new Error(`no row for ${name}`);
  return row;
}

/** Emails given up to `to` (the failed-email list `npm run admin -- outbox failed` prints). */
const failedTo = async (to: string) => (await failedEmails(config().countyId)).filter((f) => f.to === to);

/** Mails to `name` whose subject matches, after a moment for any send in flight. */
async function mailsTo(name: string, subject: RegExp) {
  return (await county.mails(address(name))).filter((m) => subject.test(m.subject));
}

const ACK = /^已收到您的稿件/;
const NEW_LINK = /^您的报送链接已更新/;

beforeAll(async () => {
  setClock(T0);
  county = await startTestCounty();
  expect((await importRoster(rosterLines(address('chen')).join('\n'))).ok).toBe(true);
  desk = await signIn(county, address('editor'));
  for (const name of ['chen', 'zhang', 'zhou', 'wu']) keyOf[name] = await submitKeyOf(county, address(name));
}, 60_000);
afterAll(async () => {
  setClock(undefined);
  await county.close();
});

describe('a permanent bounce', () => {
  it('marks the person: the 名单 shows 退信, the reason and the date', async () => {
    const result = await mailEvents(
      snsEvent(bounceMessage(address('chen'), { subType: 'NoEmail', at: '2026-06-15T02:10:00.000Z' })),
    );

    expect(result).toEqual({ recorded: 1, already: 0, ignored: 0 });
    const row = await rosterRow('陈晓明');
    expect(row).toContain('已停发邮件');
    expect(row).toContain('退信（2026年6月15日）：地址不存在。服务器答复：smtp; 550 5.1.1 user unknown');
    expect(row).toContain('恢复发送');
    const json = (await (await desk.fetch(`${desk}/roster`, wantsJson)).json()) as { mailStopped: string[] };
    expect(json.mailStopped).toEqual([personOf('chen')]);
  });

  it('gives the next email to them up with the reason instead of sending it, and sends the rest', async () => {
    const title = '退信后报送的稿件';

    await submitOver(county, keyOf.chen!, title);

    expect(await county.waitForMails(address('editor'), 1, new RegExp(title))).toHaveLength(1);
    expect(await mailsTo('chen', ACK)).toEqual([]);
    const [failed] = await failedTo(address('chen'));
    expect(failed?.lastError).toMatch(/^未发送，此邮箱已停发。退信（2026年6月15日）：地址不存在/);
    expect(failed?.stopped).toBe(failed?.lastError);
    expect(failed?.attempts).toBe(0);
  });

  it('gives up an email the sweeper sends the same way', async () => {
    await revokeLinks(address('chen')); // the desk's button: the new link is left to the sweeper

    await sweep();

    expect(await mailsTo('chen', NEW_LINK)).toEqual([]);
    expect((await failedTo(address('chen'))).map((f) => f.template)).toEqual(expect.arrayContaining(['newLink']));
  });
});

describe('the failed-email list of the CLI', () => {
  it('shows each email given up to a stopped address with the reason', async () => {
    const run = await admin('--aws', 'outbox', 'failed');

    expect(run.code).toBe(0);
    const lines = run.stdout.split('\n').filter((line) => line.includes(`\t${address('chen')}\t`));
    expect(lines.length).toBeGreaterThanOrEqual(2);
    for (const line of lines) expect(line).toContain('未发送，此邮箱已停发。退信（2026年6月15日）：地址不存在');
  }, 30_000);
});

describe('an address on SES’s suppression list', () => {
  it('is marked 退信 with the list named, and its email is not sent', async () => {
    const result = await mailEvents(snsEvent(bounceMessage(address('zhang'), { subType: 'OnAccountSuppressionList' })));

    expect(result.recorded).toBe(1);
    expect(await rosterRow('张伟')).toContain('退信（2026年6月15日）：在 SES 的禁止发送名单中');
    await submitOver(county, keyOf.zhang!, '禁止发送名单中的信息员报送');
    expect(await mailsTo('zhang', ACK)).toEqual([]);
    expect((await failedTo(address('zhang')))[0]?.lastError).toContain('禁止发送名单');
  });
});

describe('a complaint', () => {
  it('is marked 投诉, and the email the sweeper would send is given up', async () => {
    expect((await mailEvents(snsEvent(complaintMessage(address('zhou'))))).recorded).toBe(1);

    expect(await rosterRow('周强')).toContain('投诉（2026年6月15日）：收件人将邮件标为垃圾邮件');
    const res = await desk.fetch(`${desk}/roster/people/${personOf('zhou')}`, form({ action: 'revoke' }));
    expect(res.status).toBe(200);
    await sweep();
    expect(await mailsTo('zhou', NEW_LINK)).toEqual([]);
    expect((await failedTo(address('zhou')))[0]?.lastError).toContain('投诉');
  });

  it('of an editor stops their review requests too (the roster summary knows it)', async () => {
    expect((await mailEvents(snsEvent(complaintMessage(address('editor2'))))).recorded).toBe(1);
    expect((await rosterSummary(config().countyId)).editors.find((e) => e.name === '李编辑')?.mailStop).toMatchObject({
      kind: 'complaint',
    });
    const title = '投诉之后的待审稿件';

    await submitOver(county, keyOf.wu!, title);

    expect(await county.waitForMails(address('editor'), 1, new RegExp(title))).toHaveLength(1);
    expect(await mailsTo('editor2', new RegExp(title))).toEqual([]);
    expect((await failedTo(address('editor2'))).map((f) => f.template)).toEqual(expect.arrayContaining(['review']));
  });
});

describe('a transient bounce', () => {
  it('is noted on the 名单, the server’s answer escaped, and mail goes on', async () => {
    const diagnosticCode = `smtp; 452 4.2.2 <${address('wu')}> <b>over quota</b>`;
    const result = await mailEvents(
      snsEvent(bounceMessage(address('wu'), { type: 'Transient', subType: 'MailboxFull', diagnosticCode })),
    );

    expect(result.recorded).toBe(1);
    const row = await rosterRow('吴敏');
    expect(row).toContain(
      `暂时退信（2026年6月15日）：邮箱已满。服务器答复：smtp; 452 4.2.2 &lt;${address('wu')}&gt; &lt;b&gt;over quota&lt;/b&gt;（邮件照常发送）`,
    );
    expect(row).not.toContain('<b>');
    expect(row).not.toContain('已停发邮件');
    expect(row).not.toContain('恢复发送');
    const title = '邮箱满过的信息员报送';
    await submitOver(county, keyOf.wu!, title);
    expect(await county.waitForMails(address('wu'), 1, new RegExp(title))).toHaveLength(1);
    expect(await failedTo(address('wu'))).toEqual([]);
  });
});

describe('what is recorded once or not at all', () => {
  it('records a stop delivered twice once', async () => {
    const event = snsEvent(bounceMessage(address('zhang'), { subType: 'OnAccountSuppressionList', messageId: 'm-1' }));
    const before = (await person('zhang')) as unknown as { mailEventIds: Set<string> };

    const first = await mailEvents(event);
    const again = await mailEvents(event);

    expect(first).toEqual({ recorded: 1, already: 0, ignored: 0 });
    expect(again).toEqual({ recorded: 0, already: 1, ignored: 0 });
    const after = (await person('zhang')) as unknown as { mailEventIds: Set<string> };
    expect(after.mailEventIds.size).toBe(before.mailEventIds.size + 1);
  });

  it('records a transient bounce delivered twice once, keeping only the last one', async () => {
    const event = snsEvent(
      bounceMessage(address('wu'), { type: 'Transient', subType: 'MailboxFull', at: '2026-06-15T04:00:00.000Z' }),
    );

    const first = await mailEvents(event);
    const again = await mailEvents(event);

    expect(first).toEqual({ recorded: 1, already: 0, ignored: 0 });
    expect(again).toEqual({ recorded: 0, already: 1, ignored: 0 });
    const after = await person('wu');
    expect(after?.mailNote?.at).toBe('2026-06-15T04:00:00.000Z');
    expect(after).not.toHaveProperty('mailEventIds');
  });

  it('ignores an address nobody in the roster has, and writes nothing for it', async () => {
    const result = await mailEvents(snsEvent(bounceMessage(address('nobody'))));

    expect(result).toEqual({ recorded: 0, already: 0, ignored: 1 });
    expect(await person('nobody')).toBeUndefined();
  });

  it('skips a delivery event and a message that is not JSON, without failing', async () => {
    const result = await mailEvents(snsEvent(deliveryMessage(address('editor')), 'not json at all'));

    expect(result).toEqual({ recorded: 0, already: 0, ignored: 2 });
  });
});

describe('the mail runs', () => {
  it('do not send the 通报 to a stopped address: each is listed as given up, with the reason', async () => {
    const result = await sendBulletin('2026-05');

    // chen (退信), zhang (禁止发送名单), zhou and editor2 (投诉); wu, editor and leader get it.
    expect(result).toMatchObject({ recipients: 7, sent: 3, givenUp: 4, failed: 0 });
    for (const name of ['chen', 'zhang', 'zhou', 'editor2']) expect(await mailsTo(name, /通报/)).toEqual([]);
    for (const name of ['wu', 'editor', 'leader']) expect(await mailsTo(name, /通报/)).toHaveLength(1);
    const progress = await bulletinProgress((await bulletinRun('2026-05'))!);
    expect(progress.givenUp).toEqual(
      expect.arrayContaining([
        { name: '陈晓明', email: address('chen'), error: expect.stringContaining('退信（2026年6月15日）：地址不存在') },
        { name: '李编辑', email: address('editor2'), error: expect.stringContaining('投诉') },
      ]),
    );
    const page = await (await desk.fetch(`${desk}/bulletin?month=2026-05`)).text();
    expect(page).toContain('4 封未能发出');
    expect(page).toContain(`陈晓明（${address('chen')}）：未发送，此邮箱已停发。退信（2026年6月15日）：地址不存在`);
  });

  it('do not send the quarterly email to a stopped editor', async () => {
    const result = await sendQuarterly('2026Q1');

    expect(result).toMatchObject({ recipients: 3, sent: 2, givenUp: 1 });
    const run = await quarterlyRun('2026Q1');
    expect(run?.recipients.find((r) => r.name === '李编辑')?.stopped).toContain('投诉');
    expect(await mailsTo('editor2', /重点调研/)).toEqual([]);
  });
});

describe('when the roster corrects the address', () => {
  it('sends to the corrected address, and still not to the old one', async () => {
    const imported = await importRoster(rosterLines(address('chen.xm')).join('\n'));

    expect(imported).toMatchObject({ ok: true, summary: { added: 1, welcomed: 1 } });
    expect(await county.waitForMails(address('chen.xm'), 1, /^欢迎/)).toHaveLength(1);
    const rows = (await rosterPage()).split('<tr>').filter((r) => r.includes('<td>陈晓明</td>'));
    expect(rows.find((r) => r.includes(address('chen.xm')))).not.toContain('退信');
    expect(rows.find((r) => r.includes(`>${address('chen')}<`))).toContain('退信');

    setClock(new Date('2026-07-01T01:00:00Z'));
    const result = await sendBulletin('2026-06');

    expect(await mailsTo('chen.xm', /通报/)).toHaveLength(1);
    expect(await mailsTo('chen', /通报/)).toEqual([]);
    expect(result.givenUp).toBe(4);
  });
});

describe('恢复发送 on the 名单', () => {
  it('lifts the stop: the next email to that address goes out', async () => {
    // Two weeks on, the editor's session and sign-in link are long over: they ask the front page for a fresh link.
    expect((await desk.fetch(`${desk}/roster`)).status).toBe(401);
    expect((await fetch(url('/link'), form({ email: address('editor') }))).status).toBe(200);
    await sweep();
    desk = await signIn(county, address('editor'), /^您的信息科工作台登录链接$/);
    const res = await desk.fetch(`${desk}/roster/people/${personOf('zhou')}`, form({ action: 'resume' }));

    expect(res.status).toBe(200);
    const page = await res.text();
    expect(page).toContain(`已恢复向 周强（${address('zhou')}）发送邮件`);
    expect((await person('zhou'))?.mailStop).toBeUndefined();
    await desk.fetch(`${desk}/roster/people/${personOf('zhou')}`, form({ action: 'revoke' }));
    await sweep();
    expect(await mailsTo('zhou', NEW_LINK)).toHaveLength(1);
  });
});
