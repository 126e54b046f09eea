// Recording adoptions (采用) over real HTTP: from the link in the email confirming an acceptance (GET changes
// nothing, POST records one), from the desk's piece page, two editors recording the same adoption at once (one
// record), duplicates, bad input (nothing written), withdrawal (an event with its reason), the informant's email and
// 我的报送 with the points.
import { setClock } from '../../../shared/core/clock';
import { config } from '../../../shared/core/config';
import { signinToken } from '../../../shared/links/links';
import { importRoster } from '../../../shared/roster/importRoster';
import { personIdOf } from '../../../shared/store/keys';
import { linkIn, type StoredEmail, startTestCounty, type TestCounty } from '../../support/harness';
import {
  type DeskSession,
  form,
  jsonPost,
  reviewLinkOf,
  signIn,
  signInWith,
  submitKeyOf,
  submitOver,
  tableSnapshot,
  wantsJson,
} from '../desk/deskSupport';

let county: TestCounty;
const desk = {} as Record<'wang' | 'li' | 'leader', DeskSession>;
let k = '';
/** 2026-10-20 10:00 Asia/Shanghai. */
const T0 = new Date('2026-10-20T02:00:00Z').getTime();

const address = (name: string) => `${name}@${county.domain}`;

/** A session signed in at the clock's time (a moment other than T0), from a sign-in link as an email then carried it. */
async function signInThen(name: string): Promise<DeskSession> {
  const token = await signinToken(personIdOf(config().countyId, address(name)), 1);
  return signInWith(county.baseUrl, `${county.baseUrl}/desk/signin/${token}`);
}
const url = (path: string) => `${county.baseUrl}${path}`;

beforeAll(async () => {
  setClock(new Date(T0));
  county = await startTestCounty();
  const d = county.domain;
  const imported = await importRoster(
    [
      '单位,姓名,邮箱,手机,角色',
      `城关镇党委,张伟,zhang@${d},,信息员`,
      `县委组织部信息科,王编辑,wang@${d},,编辑`,
      `县委组织部信息科,李编辑,li@${d},,编辑`,
      `县委组织部,赵部长,leader@${d},,领导`,
    ].join('\n'),
  );
  expect(imported.ok).toBe(true);
  k = await submitKeyOf(county, address('zhang'));
  desk.wang = await signIn(county, address('wang'));
  desk.li = await signIn(county, address('li'));
  desk.leader = await signIn(county, address('leader'));
});
afterAll(async () => {
  setClock(undefined);
  await county.close();
});

async function waitFor(to: string, where: (m: StoredEmail) => boolean, count = 1): Promise<StoredEmail[]> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const found = (await county.mails(to)).filter(where);
    if (found.length >= count || Date.now() > deadline) return found;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A piece sent (ten days before T0) and accepted by 王编辑 from his review link into 《组工专报》 issue 7. */
async function acceptedPiece(title: string, kind: 'info' | 'research' = 'info'): Promise<string> {
  setClock(new Date(T0 - 10 * 86_400_000));
  const receipt = await submitOver(county, k, title, { kind });
  setClock(new Date(T0));
  const review = await reviewLinkOf(county, address('wang'), receipt);
  expect((await fetch(review, form({ decision: 'accept', issue: '7' }))).status).toBe(200);
  return receipt;
}

/** The adoption link in 王编辑's confirmation of the acceptance of `receipt`. */
async function adoptionLinkOf(receipt: string, who = 'wang'): Promise<string> {
  const [mail] = await waitFor(
    address(who),
    (m) => (m.body.text ?? '').includes(`回执号 ${receipt}`) && m.body.text!.includes('/adoption/'),
  );
  return linkIn(mail, '/adoption/');
}

const adoptionItems = async (receipt: string) =>
  (await tableSnapshot()).filter((i) => String(i.pk).endsWith(`#P#${receipt}`) && String(i.sk).startsWith('A#'));

const REGION = { level: 'region', outlet: '《新疆组工信息》', issue: '12', date: '2026-10-15', instruction: 'region' };

describe('recording an adoption from the email link', () => {
  it('the confirmation of an acceptance carries a link that shows the piece and changes nothing when opened', async () => {
    const receipt = await acceptedPiece('城关镇“夜校课堂”提升党员教育实效');
    const [confirmation] = await waitFor(address('wang'), (m) => m.subject.startsWith('已采用'));
    expect(confirmation?.subject).toContain('《组工专报》第 7 期');
    // The other editor's notice carries his own link too.
    const li = await adoptionLinkOf(receipt, 'li');
    const link = await adoptionLinkOf(receipt);
    expect(li).not.toBe(link);

    const before = await tableSnapshot();
    for (let i = 0; i < 2; i++) {
      const page = await fetch(link);
      expect(page.status).toBe(200);
      const body = await page.text();
      expect(body).toContain('城关镇“夜校课堂”提升党员教育实效');
      expect(body).toContain('登记采用');
      expect(body).toContain('还没有登记上级采用');
      expect((await fetch(link, { method: 'HEAD' })).status).toBe(200);
    }
    expect(await tableSnapshot()).toEqual(before);
  });

  it('records the 自治区 adoption with a 批示, scores it, tells the informant, and shows it on 我的报送 and the desk', async () => {
    const receipt = await acceptedPiece('红旗乡“党员积分超市”激发活力');
    const link = await adoptionLinkOf(receipt);
    const res = await fetch(link, form(REGION));
    expect(res.status).toBe(200);
    const page = await res.text();
    // 自治区 10 × 信息 1 + 自治区领导批示 50.
    expect(page).toContain('已登记：自治区《新疆组工信息》第 12 期（2026-10-15），计 60 分');
    const [told] = await waitFor(
      address('zhang'),
      (m) => m.subject === '您的稿件被自治区采用：红旗乡“党员积分超市”激发活力',
    );
    expect(told?.body.text).toContain('计 60 分');
    expect(told?.body.text).toContain('自治区领导批示');

    // 我的报送 from the read-only link the email carries: the adoption and the points (1 for 《组工专报》 + 60).
    const mine = await (await fetch(linkIn(told, '/mine'))).text();
    expect(mine).toContain('被自治区采用：《新疆组工信息》第 12 期（2026-10-15），自治区领导批示：60 分');
    expect(mine).toContain('《组工专报》采用（2026-10-20）：1 分');
    expect(mine).toMatch(/<tr><th>积分<\/th><td>61 分<\/td><\/tr>/);

    const deskPage = await (await desk.wang.fetch(`${desk.wang}/pieces/${receipt}`)).text();
    expect(deskPage).toContain('《组工专报》采用：1 分。上级采用 1 次，共 60 分。');
    expect(deskPage).toContain('《新疆组工信息》');
  });

  it('answers the same adoption again with the record already there, however the outlet is typed, and adds nothing', async () => {
    const receipt = await acceptedPiece('县人社局“就业驿站”服务群众');
    const link = await adoptionLinkOf(receipt);
    expect((await fetch(link, form(REGION))).status).toBe(200);
    const before = await tableSnapshot();
    const again = await fetch(link, form({ ...REGION, outlet: ' 新疆组工信息 ' }));
    expect(again.status).toBe(200);
    expect(await again.text()).toContain('没有重复登记');
    expect(await tableSnapshot()).toEqual(before);
    const json = await fetch(link, jsonPost(REGION));
    expect(await json.json()).toMatchObject({ added: false, points: 60 });
    expect(
      (await waitFor(address('zhang'), (m) => m.subject.includes('县人社局“就业驿站”'))).filter((m) =>
        m.subject.startsWith('您的稿件被'),
      ),
    ).toHaveLength(1);
  });

  it('refuses a forged link, and a link of an editor whose links were revoked', async () => {
    const receipt = await acceptedPiece('县林草局“护林员”网格管理');
    const link = await adoptionLinkOf(receipt);
    const forged = `${link.slice(0, -3)}${link.endsWith('AAA') ? 'BBB' : 'AAA'}`;
    const before = await tableSnapshot();
    expect((await fetch(forged)).status).toBe(403);
    expect((await fetch(forged, form(REGION))).status).toBe(403);
    expect(await tableSnapshot()).toEqual(before);
  });
});

describe('bad input changes nothing', () => {
  it('names every bad field in Chinese, keeps what was typed, and writes nothing', async () => {
    const receipt = await acceptedPiece('县教育局“红烛先锋”品牌建设');
    const link = await adoptionLinkOf(receipt);
    const before = await tableSnapshot();
    const cases: [Record<string, string>, string][] = [
      [{ ...REGION, level: '省部级' }, '采用级别“省部级”无法识别'],
      [{ ...REGION, date: '2026-10-21' }, '采用日期 2026-10-21 还没有到'],
      [{ ...REGION, date: '2026-02-30' }, '采用日期“2026-02-30”不正确'],
      [{ ...REGION, date: '2026-10-01' }, '采用日期 2026-10-01 早于稿件报送日期 2026-10-10'],
      [{ ...REGION, outlet: '' }, '请填写刊物名称'],
      [{ ...REGION, instruction: '省长' }, '领导批示“省长”无法识别'],
    ];
    for (const [fields, message] of cases) {
      const res = await fetch(link, form(fields));
      expect({ fields, status: res.status }).toEqual({ fields, status: 400 });
      const body = await res.text();
      expect(body).toContain(message);
      if (fields.outlet) expect(body).toContain(`value="${fields.outlet}"`);
    }
    const json = await fetch(link, jsonPost({ ...REGION, level: 'province' }));
    expect(json.status).toBe(400);
    expect(await json.json()).toMatchObject({ errors: [{ field: 'level' }] });
    expect(await tableSnapshot()).toEqual(before);
  });

  it('refuses to record an adoption of a piece never accepted, and of an unknown receipt', async () => {
    const waiting = await submitOver(county, k, '县卫健委“家庭医生”签约服务');
    const before = await tableSnapshot();
    const res = await desk.wang.fetch(`${desk.wang}/pieces/${waiting}/adoptions`, form(REGION));
    expect(res.status).toBe(409);
    expect(await res.text()).toContain(`稿件 ${waiting} 还没有被《组工专报》采用，不能登记上级采用`);
    const unknown = await desk.wang.fetch(`${desk.wang}/pieces/2026-9999/adoptions`, jsonPost(REGION));
    expect(unknown.status).toBe(404);
    expect(await tableSnapshot()).toEqual(before);
  });
});

describe('recording on the desk', () => {
  it('two editors recording the same adoption at once make one record, and the informant one email', async () => {
    const receipt = await acceptedPiece('县统计局“数据赋能”基层治理', 'research');
    const central = { level: 'central', outlet: '《组工通讯》', issue: '3', date: '2026-10-18', instruction: 'none' };
    const answers = await Promise.all(
      [desk.wang, desk.li, desk.wang, desk.li].map((d) =>
        d.fetch(`${d}/pieces/${receipt}/adoptions`, jsonPost(central)),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200]);
    const bodies = (await Promise.all(answers.map((a) => a.json()))) as { added: boolean; points: number }[];
    expect(bodies.filter((b) => b.added)).toHaveLength(1);
    // 中央 30 × 调研文稿 2.
    expect(bodies.map((b) => b.points)).toEqual([60, 60, 60, 60]);
    expect((await adoptionItems(receipt)).filter((i) => i.type === 'adopted')).toHaveLength(1);
    const told = await waitFor(address('zhang'), (m) => m.subject === '您的稿件被中央采用：县统计局“数据赋能”基层治理');
    await new Promise((r) => setTimeout(r, 300));
    expect((await county.mails(address('zhang'))).filter((m) => m.subject === told[0]?.subject)).toHaveLength(1);
  });

  it('a leader sees the adoptions but cannot record or withdraw one', async () => {
    const receipt = await acceptedPiece('县司法局“法律明白人”培养');
    const page = await (await desk.leader.fetch(`${desk.leader}/pieces/${receipt}`)).text();
    expect(page).toContain('采用与积分');
    expect(page).not.toContain('登记采用</button>');
    const before = await tableSnapshot();
    const refused = await desk.leader.fetch(`${desk.leader}/pieces/${receipt}/adoptions`, form(REGION));
    expect(refused.status).toBe(403);
    expect(await refused.text()).toContain('领导的工作台只能查看');
    expect(await tableSnapshot()).toEqual(before);
  });

  it('withdraws an adoption with its reason, as an event; the points go, and a second withdrawal changes nothing', async () => {
    const receipt = await acceptedPiece('县水利局“河长制”落地见效');
    const record = await desk.wang.fetch(
      `${desk.wang}/pieces/${receipt}/adoptions`,
      jsonPost({ ...REGION, instruction: 'none' }),
    );
    const { adoptionId } = (await record.json()) as { adoptionId: string };
    const withdraw = `${desk.wang}/pieces/${receipt}/adoptions/${adoptionId}/withdraw`;

    const before = await tableSnapshot();
    const noReason = await desk.wang.fetch(withdraw, form({ reason: '  ' }));
    expect(noReason.status).toBe(400);
    expect(await noReason.text()).toContain('请填写撤销原因');
    expect(await tableSnapshot()).toEqual(before);

    const done = await desk.wang.fetch(withdraw, form({ reason: '期号登记错误' }));
    expect(done.status).toBe(200);
    const page = await done.text();
    expect(page).toContain('已撤销');
    expect(page).toContain('已撤销（期号登记错误）');
    expect(page).toContain('上级采用 0 次，共 0 分。');
    const items = await adoptionItems(receipt);
    expect(items.map((i) => i.sk).sort()).toEqual([`A#${adoptionId}`, `A#${adoptionId}#W`]);
    expect(items.find((i) => i.type === 'withdrawn')).toMatchObject({ reason: '期号登记错误', points: -10 });

    // Pressed again by the same editor: done, nothing new; by another editor: told who withdrew it.
    const after = await tableSnapshot();
    expect((await desk.wang.fetch(withdraw, form({ reason: '期号登记错误' }))).status).toBe(200);
    const other = await desk.li.fetch(
      `${desk.li}/pieces/${receipt}/adoptions/${adoptionId}/withdraw`,
      jsonPost({ reason: '重复' }),
    );
    expect(other.status).toBe(409);
    expect(JSON.stringify(await other.json())).toContain('已由 王编辑');
    expect(await tableSnapshot()).toEqual(after);
    // The same adoption cannot simply be recorded again once withdrawn.
    const again = await desk.wang.fetch(
      `${desk.wang}/pieces/${receipt}/adoptions`,
      form({ ...REGION, instruction: 'none' }),
    );
    expect(again.status).toBe(409);
    expect(await again.text()).toContain('已于 2026-10-20 撤销');
  });

  it('lists the year’s adoptions on the 采用 page, filtered by level, with withdraw buttons for editors only', async () => {
    const res = await desk.wang.fetch(`${desk.wang}/adoptions`, wantsJson);
    const all = (await res.json()) as { rows: { level: string; withdrawn: boolean }[] };
    expect(all.rows.length).toBeGreaterThanOrEqual(3);
    const central = (await (
      await desk.wang.fetch(`${desk.wang}/adoptions?level=central`, wantsJson)
    ).json()) as typeof all;
    expect(central.rows.length).toBeGreaterThan(0);
    expect(central.rows.every((r) => r.level === 'central')).toBe(true);
    const html = await (await desk.wang.fetch(`${desk.wang}/adoptions`)).text();
    expect(html).toContain('>撤销</button>');
    const leader = await (await desk.leader.fetch(`${desk.leader}/adoptions`)).text();
    expect(leader).toContain('《新疆组工信息》');
    expect(leader).not.toContain('<form method="post"');
    expect((await desk.wang.fetch(`${desk.wang}/adoptions?level=province`)).status).toBe(400);
  });

  it('does not send the year’s 信息奖 before its December: the award is final once sent', async () => {
    const page = await (await desk.wang.fetch(`${desk.wang}/scores`)).text();
    expect(page).toContain('2026 年 12 月起可以发送信息奖');
    expect(page).not.toContain('发送 2026 年度信息奖</button>');
    const before = await tableSnapshot();
    const early = await desk.wang.fetch(`${desk.wang}/scores/award`, form({ year: '2026' }));
    expect(early.status).toBe(409);
    expect(await early.text()).toContain('2026 年度还没有到 12 月');
    expect(await tableSnapshot()).toEqual(before);
  });

  it('takes 12, 第12期 and 2026年第12期 for one issue; one adoption twice in a file with another 批示 is refused by line', async () => {
    const receipt = await acceptedPiece('县商务局“电商进村”助农增收');
    const upload = async (lines: string[]) => {
      const body = new FormData();
      body.append('file', new Blob([['回执号,采用级别,刊物,期号,采用日期,领导批示', ...lines].join('\n')]), 'toc.csv');
      return desk.wang.fetch(`${desk.wang}/adoptions`, { method: 'POST', body });
    };
    const before = await tableSnapshot();
    const refused = await upload([
      `${receipt},自治区,《新疆组工信息》,12,2026-10-15,无`,
      `${receipt},自治区,新疆组工信息,2026年第12期,2026-10-15,自治区`,
    ]);
    expect(refused.status).toBe(400);
    expect(await refused.text()).toContain(
      '第 3 行：与第 2 行是同一采用（同一回执号、级别、刊物、期号），但采用日期或领导批示不同',
    );
    expect(await tableSnapshot()).toEqual(before);

    const taken = await upload([
      `${receipt},自治区,《新疆组工信息》,12,2026-10-15,无`,
      `${receipt},自治区,新疆组工信息,第12期,2026-10-15,无`,
    ]);
    expect(taken.status).toBe(200);
    expect(await taken.text()).toContain('共 2 行，新登记 1 条，已登记过 1 条');
    const again = await desk.wang.fetch(
      `${desk.wang}/pieces/${receipt}/adoptions`,
      jsonPost({ ...REGION, issue: '2026年第12期', instruction: 'none' }),
    );
    expect(await again.json()).toMatchObject({ added: false });
    expect((await adoptionItems(receipt)).filter((i) => i.type === 'adopted')).toHaveLength(1);
  });

  it('shows on 我的报送 the pieces sent last year that were accepted or adopted this year, with this year’s points', async () => {
    // Sent and accepted in December 2025, adopted by the 自治区 this October.
    setClock(new Date('2025-12-20T02:00:00Z'));
    const old = await submitOver(county, k, '城关镇“冬训课堂”经验做法');
    const december = await signInThen('wang');
    expect(
      (await december.fetch(`${december}/pieces/${old}`, jsonPost({ decision: 'accept', revision: 1 }))).status,
    ).toBe(200);
    // Sent on the last day of 2025 (Asia/Shanghai), accepted in January.
    setClock(new Date('2025-12-31T15:00:00Z'));
    const late = await submitOver(county, k, '城关镇“年终盘点”督查问效');
    setClock(new Date('2026-01-05T02:00:00Z'));
    const january = await signInThen('wang');
    expect(
      (await january.fetch(`${january}/pieces/${late}`, jsonPost({ decision: 'accept', revision: 1 }))).status,
    ).toBe(200);
    setClock(new Date(T0));
    const adopted = await desk.wang.fetch(
      `${desk.wang}/pieces/${old}/adoptions`,
      jsonPost({ ...REGION, instruction: 'none' }),
    );
    expect(await adopted.json()).toMatchObject({ added: true, points: 10 });

    const page = await (await fetch(url(`/mine?k=${encodeURIComponent(k)}`))).text();
    expect(page).toContain('往年报送、今年采用的稿件');
    expect(page).toContain(`<h3>城关镇“冬训课堂”经验做法</h3><p>回执号 ${old}，今年积分 10 分</p>`);
    expect(page).toContain(`<h3>城关镇“年终盘点”督查问效</h3><p>回执号 ${late}，今年积分 1 分</p>`);
    expect(page).toContain('《组工专报》采用（2026-01-05）：1 分');
  });
});
