// Deciding from the desk (信息科工作台) over real HTTP: the 待审 queue, 采用 with the suggested 《组工专报》 issue, a
// 退回修改 without feedback refused, 不予采用 only after its confirmation page, and a desk decision racing a decision
// from an email link: one decision per revision, the loser told who decided, one email to the informant.
import { setClock } from '../../../shared/core/clock';
import { importRoster } from '../../../shared/roster/importRoster';
import { LONG_BODY, linkIn, type StoredEmail, startTestCounty, type TestCounty } from '../../support/harness';
import {
  type DeskSession,
  eventsOf,
  form,
  jsonPost,
  reviewLinkOf,
  signIn,
  sleep,
  submitKeyOf,
  submitOver,
  tableSnapshot,
  wantsJson,
} from './deskSupport';

let county: TestCounty;
const desk = {} as Record<'wang' | 'li', DeskSession>;
const keys = { chen: '', zhang: '' };
const DAY_MS = 86_400_000;
/** 2026-06-15 10:00 in Asia/Shanghai. */
const T0 = new Date('2026-06-15T02:00:00Z').getTime();

const address = (name: string) => `${name}@${county.domain}`;

beforeAll(async () => {
  setClock(new Date(T0));
  county = await startTestCounty();
  const d = county.domain;
  const imported = await importRoster(
    [
      '单位,姓名,邮箱,手机,角色',
      `县委办公室,陈晓明,chen@${d},,信息员`,
      `城关镇党委,张伟,zhang@${d},,信息员`,
      `县委组织部信息科,王编辑,wang@${d},,编辑`,
      `县委组织部信息科,李编辑,li@${d},,编辑`,
    ].join('\n'),
  );
  expect(imported.ok).toBe(true);
  keys.chen = await submitKeyOf(county, address('chen'));
  keys.zhang = await submitKeyOf(county, address('zhang'));
  desk.wang = await signIn(county, address('wang'));
  desk.li = await signIn(county, address('li'));
});
afterAll(async () => {
  setClock(undefined);
  await county.close();
});

const DECISION_SUBJECT = /^您的稿件(已采用|需要修改|未予采用)/;

/** What the informant was told about decisions on `receipt` (waits until `atLeast` are there). */
async function decisionMails(informant: string, receipt: string, atLeast = 1): Promise<StoredEmail[]> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const found = (await county.mails(address(informant))).filter(
      (m) => DECISION_SUBJECT.test(m.subject) && (m.body.text?.includes(receipt) ?? false),
    );
    if (found.length >= atLeast || Date.now() > deadline) return found;
    await sleep(50);
  }
}

const decisionsOf = async (receipt: string) =>
  (await eventsOf(receipt)).filter((e) => ['accepted', 'returned', 'rejected'].includes(String(e.type)));

/** The 期号 the piece page fills in for an editor. */
async function suggestedIssue(receipt: string): Promise<number> {
  const page = await (await desk.wang.fetch(`${desk.wang}/pieces/${receipt}`)).text();
  const value = /name="issue" inputmode="numeric" maxlength="8" value="(\d+)"/.exec(page)?.[1];
  expect(value).toBeDefined();
  return Number(value);
}

describe('the 待审 queue', () => {
  let older = '';
  let newer = '';

  beforeAll(async () => {
    setClock(new Date(T0 - 3 * DAY_MS));
    older = await submitOver(county, keys.chen, '县委办公室深化“三服务”活动', { kind: 'info' });
    setClock(new Date(T0 - DAY_MS));
    newer = await submitOver(county, keys.zhang, '关于城关镇村级后备干部队伍建设的调研', { kind: 'research' });
    setClock(new Date(T0));
  });

  it('lists every waiting piece oldest first, with how many days each has waited', async () => {
    const res = await desk.wang.fetch(`${desk.wang}`, wantsJson);

    expect(res.status).toBe(200);
    const { waiting } = (await res.json()) as { waiting: { receipt: string; revision: number; days: number }[] };
    expect(waiting).toEqual([
      { receipt: older, revision: 1, days: 3 },
      { receipt: newer, revision: 1, days: 1 },
    ]);
  });

  it('shows the unit, the informant, the kind and the days on each row of the page', async () => {
    const page = await (await desk.wang.fetch(`${desk.wang}`)).text();

    expect(page).toContain('共 2 篇等待审核，最早到达的在前。');
    const rows = page.split('<tr>').slice(2);
    expect(rows[0]).toContain(older);
    expect(rows[0]).toContain('<td>县委办公室</td><td>陈晓明</td><td>信息</td><td>第 1 稿</td><td class="n">3 天</td>');
    expect(rows[1]).toContain(newer);
    expect(rows[1]).toContain(
      '<td>城关镇党委</td><td>张伟</td><td>调研文稿</td><td>第 1 稿</td><td class="n">1 天</td>',
    );
    expect(page).toContain(`href="${desk.wang}/pieces/${older}"`);
  });

  it('lets go of a piece once it is decided', async () => {
    const res = await desk.wang.fetch(
      `${desk.wang}/pieces/${older}`,
      form({ decision: 'return', comment: '请补充做法。', revision: '1' }),
    );
    expect(res.status).toBe(200);

    const { waiting } = (await (await desk.wang.fetch(`${desk.wang}`, wantsJson)).json()) as {
      waiting: { receipt: string }[];
    };
    expect(waiting.map((w) => w.receipt)).toEqual([newer]);
    await decisionMails('chen', older);
    const decided = await desk.wang.fetch(`${desk.wang}/pieces/${newer}`, form({ decision: 'accept', revision: '1' }));
    expect(decided.status).toBe(200);
    await decisionMails('zhang', newer);
  });
});

describe('accepting from the desk', () => {
  it('records the suggested 期号, tells the informant, lists the piece in its issue, and suggests the next one', async () => {
    const receipt = await submitOver(county, keys.chen, '县委办公室推行“一线工作法”');
    const suggested = await suggestedIssue(receipt);
    expect(suggested).toBe(1);

    const res = await desk.wang.fetch(
      `${desk.wang}/pieces/${receipt}`,
      form({ decision: 'accept', issue: String(suggested), comment: '做法实在。', revision: '1' }),
    );

    expect(res.status).toBe(200);
    expect(await res.text()).toContain(`已处理：采用，编入《组工专报》第 ${suggested} 期。`);
    const decisions = await decisionsOf(receipt);
    expect(decisions).toHaveLength(1);
    expect(decisions[0]).toMatchObject({ type: 'accepted', issueNo: suggested, editorName: '王编辑', revision: 1 });
    const [told] = await decisionMails('chen', receipt);
    expect(told?.subject).toBe(`您的稿件已采用（《组工专报》第 ${suggested} 期）：县委办公室推行“一线工作法”`);
    const issues = (await (await desk.wang.fetch(`${desk.wang}/issues?year=2026`, wantsJson)).json()) as {
      nextIssueNo: number;
      issues: { issueNo: number; receipts: string[] }[];
    };
    expect(issues.issues).toContainEqual({ issueNo: suggested, receipts: [receipt] });
    expect(issues.nextIssueNo).toBe(suggested + 1);
    const issuesPage = await (await desk.li.fetch(`${desk.li}/issues?year=2026`)).text();
    expect(issuesPage).toContain(`第 ${suggested} 期（1 篇）`);
    expect(issuesPage).toContain('县委办公室推行“一线工作法”');

    const next = await submitOver(county, keys.zhang, '城关镇“红色物业”破解小区治理难题');
    expect(await suggestedIssue(next)).toBe(suggested + 1);
    const page = await (await desk.wang.fetch(`${desk.wang}/pieces/${next}`)).text();
    expect(page).toContain(`编入正在编排的第 ${suggested} 期时，请改为 ${suggested}。`);
  });

  it('answers a JSON client with the decision it recorded', async () => {
    const receipt = await submitOver(county, keys.zhang, '城关镇开展党员“亮身份”活动');
    const issue = await suggestedIssue(receipt);

    const res = await desk.wang.fetch(
      `${desk.wang}/pieces/${receipt}`,
      jsonPost({ decision: 'accept', issue, revision: 1 }),
    );

    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ receipt, revision: 1, decision: 'accepted' });
    expect((await decisionsOf(receipt))[0]).toMatchObject({ issueNo: issue });
  });
});

describe('returning a piece from the desk', () => {
  it('without feedback answers 400 with the message, keeps what was typed, and writes and sends nothing', async () => {
    const receipt = await submitOver(county, keys.chen, '县委办公室建立督查“回头看”机制');
    const before = await tableSnapshot();
    const mailsBefore = (await county.mails()).length;

    const res = await desk.wang.fetch(
      `${desk.wang}/pieces/${receipt}`,
      form({ decision: 'return', issue: '9', comment: '   ', revision: '1' }),
    );

    expect(res.status).toBe(400);
    const page = await res.text();
    expect(page).toContain('退回修改时请填写修改意见，信息员会在修改页面上看到。');
    expect(page).toContain('name="issue" inputmode="numeric" maxlength="8" value="9"');
    expect(page).toContain('<button type="submit" name="decision" value="return" class="return">退回修改</button>');
    const asJson = await desk.wang.fetch(
      `${desk.wang}/pieces/${receipt}`,
      jsonPost({ decision: 'return', revision: 1 }),
    );
    expect(asJson.status).toBe(400);
    expect(await asJson.json()).toEqual({
      errors: [{ field: 'comment', message: '退回修改时请填写修改意见，信息员会在修改页面上看到。' }],
    });
    expect(await tableSnapshot()).toEqual(before);
    expect((await county.mails()).length).toBe(mailsBefore);
  });

  it('with feedback records it and sends the informant the feedback', async () => {
    const receipt = await submitOver(county, keys.chen, '县委办公室“每周一课”活动');
    const feedback = '请补充参加人数和成效。';

    const res = await desk.wang.fetch(
      `${desk.wang}/pieces/${receipt}`,
      form({ decision: 'return', comment: feedback, revision: '1' }),
    );

    expect(res.status).toBe(200);
    expect(await res.text()).toContain('已处理：退回修改。');
    const [told] = await decisionMails('chen', receipt);
    expect(told?.subject).toBe('您的稿件需要修改：县委办公室“每周一课”活动');
    expect(told?.body.text).toContain(feedback);
  });
});

describe('rejecting a piece from the desk', () => {
  it('asks for confirmation first: the first press writes nothing, 确认 records it and tells the informant', async () => {
    const receipt = await submitOver(county, keys.zhang, '城关镇某村道路硬化情况');
    const reason = '与党建工作关联不大。';
    const before = await tableSnapshot();
    const mailsBefore = (await county.mails()).length;

    const asked = await desk.wang.fetch(
      `${desk.wang}/pieces/${receipt}`,
      form({ decision: 'reject', comment: reason, revision: '1' }),
    );

    expect(asked.status).toBe(200);
    const confirmation = await asked.text();
    expect(confirmation).toContain('确认不予采用');
    expect(confirmation).toContain(`原因：${reason}`);
    expect(confirmation).toContain(`action="${desk.wang}/pieces/${receipt}"`);
    expect(confirmation).toContain('name="confirm" value="1"');
    expect(confirmation).toContain('<input type="hidden" name="revision" value="1">');
    const asJson = await desk.wang.fetch(
      `${desk.wang}/pieces/${receipt}`,
      jsonPost({ decision: 'reject', revision: 1 }),
    );
    expect(asJson.status).toBe(428);
    expect(await asJson.json()).toMatchObject({ error: 'confirmation_required' });
    const back = await desk.wang.fetch(
      `${desk.wang}/pieces/${receipt}`,
      form({ decision: 'reject', confirm: '1', back: '1', comment: reason, revision: '1' }),
    );
    expect(back.status).toBe(200);
    expect(await back.text()).toContain(`>${reason}</textarea>`);
    expect(await tableSnapshot()).toEqual(before);
    expect((await county.mails()).length).toBe(mailsBefore);

    const confirmed = await desk.wang.fetch(
      `${desk.wang}/pieces/${receipt}`,
      form({ decision: 'reject', confirm: '1', comment: reason, revision: '1' }),
    );

    expect(confirmed.status).toBe(200);
    expect(await confirmed.text()).toContain('已处理：不予采用。');
    expect((await decisionsOf(receipt)).map((e) => e.type)).toEqual(['rejected']);
    const [told] = await decisionMails('zhang', receipt);
    expect(told?.subject).toBe('您的稿件未予采用：城关镇某村道路硬化情况');
    expect(told?.body.text).toContain(reason);
  });
});

/**
 * What a browser sends when a button of the desk's decision form is pressed: every field of the form as the page
 * filled it in (the hidden draft number, the 期号 suggested), what the editor typed, and the button's own value.
 */
async function pressOnPage(receipt: string, button: string, typed: Record<string, string> = {}): Promise<Response> {
  const page = await (await desk.wang.fetch(`${desk.wang}/pieces/${receipt}`)).text();
  const formHtml = /<form method="post" action="([^"]+)">([\s\S]*?)<\/form>/.exec(page);
  expect(formHtml).not.toBeNull();
  const fields: Record<string, string> = {};
  for (const input of formHtml![2]!.matchAll(/<input [^>]*name="([^"]+)"[^>]*value="([^"]*)"/g)) {
    fields[input[1]!] = input[2]!;
  }
  const textarea = /<textarea [^>]*name="comment"[^>]*>([^<]*)<\/textarea>/.exec(formHtml![2]!);
  fields.comment = textarea?.[1] ?? '';
  return desk.wang.fetch(formHtml![1]!, form({ ...fields, ...typed, decision: button }));
}

describe('the decision form as the desk fills it in', () => {
  it('accepts a piece with the 期号 the form suggested', async () => {
    const receipt = await submitOver(county, keys.chen, '表单原样采用的稿件');
    const suggested = await suggestedIssue(receipt);

    const res = await pressOnPage(receipt, 'accept');

    expect(res.status).toBe(200);
    expect((await decisionsOf(receipt))[0]).toMatchObject({ type: 'accepted', issueNo: suggested });
  });

  it('returns a piece when 退回修改 is pressed with feedback typed, the suggested 期号 left in its field', async () => {
    const receipt = await submitOver(county, keys.chen, '表单原样退回的稿件');

    const res = await pressOnPage(receipt, 'return', { comment: '请补充数据。' });

    // The 期号 field is the desk's own suggestion: an editor who returns a piece has not chosen an issue.
    expect(res.status).toBe(200);
    expect(await res.text()).not.toContain('只有采用的稿件才填写期号。');
    expect((await decisionsOf(receipt)).map((e) => e.type)).toEqual(['returned']);
  });

  it('asks to confirm 不予采用 when it is pressed on the form as the desk filled it in', async () => {
    const receipt = await submitOver(county, keys.chen, '表单原样不予采用的稿件');

    const res = await pressOnPage(receipt, 'reject', { comment: '与党建工作关联不大。' });

    expect(res.status).toBe(200);
    expect(await res.text()).toContain('确认不予采用');
  });
});

describe('a desk decision on a draft that was replaced meanwhile', () => {
  it('is refused with 409 and records nothing on the new draft', async () => {
    const receipt = await submitOver(county, keys.zhang, '旧页面上处理的稿件');
    const returned = await desk.wang.fetch(
      `${desk.wang}/pieces/${receipt}`,
      form({ decision: 'return', comment: '请修改标题。', revision: '1' }),
    );
    expect(returned.status).toBe(200);
    const [mail] = await decisionMails('zhang', receipt);
    const revised = await fetch(
      linkIn(mail, '/revise/'),
      jsonPost({ kind: 'info', title: '旧页面上处理的稿件（修改稿）', body: `${LONG_BODY}修改稿。` }),
    );
    expect(revised.status).toBeLessThan(300);

    // Li still has the page of the first draft open, and presses 采用 on it.
    const stale = await desk.li.fetch(`${desk.li}/pieces/${receipt}`, form({ decision: 'accept', revision: '1' }));

    expect(stale.status).toBe(409);
    expect(await stale.text()).toContain('已提交第 2 稿');
    expect((await decisionsOf(receipt)).map((e) => [e.type, e.revision])).toEqual([['returned', 1]]);
  });
});

describe('a desk decision racing a decision from an email link', () => {
  const PIECES = 10;
  const LABELS = { accepted: '采用', returned: '退回修改', rejected: '不予采用' } as const;

  it('records exactly one decision per revision in ten races, tells each loser who decided, and emails the informant once', async () => {
    const receipts: string[] = [];
    for (let i = 0; i < PIECES; i++) receipts.push(await submitOver(county, keys.chen, `竞速审核稿件第${i + 1}篇`));
    const links = await Promise.all(receipts.map((r) => reviewLinkOf(county, address('li'), r)));

    const races = await Promise.all(
      receipts.map(async (receipt, i) => {
        // Half the races with browsers, half with JSON clients; the two sides always decide differently.
        const asJson = i % 2 === 1;
        const deskSide = asJson
          ? jsonPost({ decision: 'accept', revision: 1 })
          : form({ decision: 'accept', revision: '1' });
        const linkSide = asJson
          ? jsonPost({ decision: 'return', comment: '请压缩篇幅。' })
          : form({ decision: 'return', comment: '请压缩篇幅。' });
        const [fromDesk, fromLink] = await Promise.all([
          desk.wang.fetch(`${desk.wang}/pieces/${receipt}`, deskSide),
          fetch(links[i]!, linkSide),
        ]);
        return {
          receipt,
          asJson,
          desk: { status: fromDesk.status, body: await fromDesk.text() },
          link: { status: fromLink.status, body: await fromLink.text() },
        };
      }),
    );

    for (const race of races) {
      const decisions = await decisionsOf(race.receipt);
      expect({ receipt: race.receipt, decisions: decisions.length }).toEqual({ receipt: race.receipt, decisions: 1 });
      const winner = decisions[0]!;
      const deskWon = winner.editorName === '王编辑';
      expect(winner.type).toBe(deskWon ? 'accepted' : 'returned');
      const [won, lost] = deskWon ? [race.desk, race.link] : [race.link, race.desk];
      expect([won.status, lost.status]).toEqual([200, 409]);
      if (race.asJson) {
        expect(JSON.parse(lost.body)).toMatchObject({
          error: 'already_decided',
          decision: winner.type,
          editor: winner.editorName,
        });
      } else {
        expect(lost.body).toContain(`已由 ${winner.editorName} 于`);
        expect(lost.body).toContain(`处理：${LABELS[winner.type as keyof typeof LABELS]}`);
      }
    }
    await sleep(300);
    for (const receipt of receipts) expect(await decisionMails('chen', receipt)).toHaveLength(1);
  });

  it('tells an editor whose desk decision lost to their own different decision from an email link that theirs was not recorded (409)', async () => {
    const receipt = await submitOver(county, keys.zhang, '同一编辑两处处理的稿件');
    const ownLink = await reviewLinkOf(county, address('wang'), receipt);
    const accepted = await fetch(ownLink, form({ decision: 'accept', issue: '3' }));
    expect(accepted.status).toBe(200);

    const returned = await desk.wang.fetch(
      `${desk.wang}/pieces/${receipt}`,
      form({ decision: 'return', comment: '请补充数据。', revision: '1' }),
    );
    const returnedJson = await desk.wang.fetch(
      `${desk.wang}/pieces/${receipt}`,
      jsonPost({ decision: 'return', comment: '请补充数据。', revision: 1 }),
    );

    // As the email link answers the same: a decision other than the one recorded is not "done".
    expect(returned.status).toBe(409);
    expect(await returned.text()).toContain('您的处理没有记录');
    expect(returnedJson.status).toBe(409);
    expect(await returnedJson.json()).toMatchObject({
      error: 'already_decided',
      decision: 'accepted',
      editor: '王编辑',
    });
    expect((await decisionsOf(receipt)).map((e) => e.type)).toEqual(['accepted']);
  });

  it('answers the same editor pressing the same decision again (a refresh) as done, recording nothing new', async () => {
    const receipt = await submitOver(county, keys.zhang, '刷新处理结果页的稿件');

    const first = await desk.wang.fetch(`${desk.wang}/pieces/${receipt}`, form({ decision: 'accept', revision: '1' }));
    const again = await desk.wang.fetch(`${desk.wang}/pieces/${receipt}`, form({ decision: 'accept', revision: '1' }));

    expect([first.status, again.status]).toEqual([200, 200]);
    expect(await again.text()).toContain('已处理：采用。');
    expect(await decisionsOf(receipt)).toHaveLength(1);
    await sleep(200);
    expect(await decisionMails('zhang', receipt)).toHaveLength(1);
  });
});
