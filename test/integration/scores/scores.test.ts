// Adoptions and scores as a new user meets them on the local stack: a piece accepted, its adoption by the 自治区 with
// a 批示 recorded from the command line, the points in `scores` and on the desk, the ranking downloaded as an .xlsx
// with Chinese intact; bulk import of a table of contents (BOM, GBK, .xlsx, Chinese and English headers, bad lines,
// re-import); rule versions (old adoptions keep their points until an explicit rescore); ties; the 信息奖 sent once.
// The CLI runs as a child process on the real clock, so this file does too (dates are today's).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import { dayOf, shanghai } from '../../../shared/core/clock';
import { importRoster } from '../../../shared/roster/importRoster';
import { awardMaySend } from '../../../shared/scores/award';
import { readTable } from '../../../shared/sheets/read';
import { xlsxOf } from '../../../shared/sheets/write';
import { admin } from '../../support/cli';
import { linkIn, type StoredEmail, startTestCounty, type TestCounty } from '../../support/harness';
import {
  type DeskSession,
  form,
  jsonPost,
  signIn,
  submitKeyOf,
  submitOver,
  tableSnapshot,
  wantsJson,
} from '../desk/deskSupport';

let county: TestCounty;
let workDir: string;
const desk = {} as Record<'wang' | 'leader', DeskSession>;
const k: Record<string, string> = {};
const today = dayOf(new Date());
const year = shanghai(new Date()).year;

const at = (name: string) => `${name}@${county.domain}`;
const file = (name: string, content: string | Buffer) => {
  const path = join(workDir, name);
  writeFileSync(path, content);
  return path;
};

beforeAll(async () => {
  county = await startTestCounty();
  workDir = mkdtempSync(join(tmpdir(), 'baosong-scores-it-'));
  const d = county.domain;
  const imported = await importRoster(
    [
      '单位,姓名,邮箱,手机,角色',
      `县委办公室,陈晓明,chen@${d},,信息员`,
      `城关镇党委,张伟,zhang@${d},,信息员`,
      `甲乡党委,甲信息员,jia@${d},,信息员`,
      `乙乡党委,乙信息员,yi@${d},,信息员`,
      `丙乡党委,丙信息员,bing@${d},,信息员`,
      `县委组织部信息科,王编辑,wang@${d},,编辑`,
      `县委组织部,赵部长,leader@${d},,领导`,
    ].join('\n'),
  );
  expect(imported.ok).toBe(true);
  for (const name of ['chen', 'zhang', 'jia', 'yi', 'bing']) k[name] = await submitKeyOf(county, at(name));
  desk.wang = await signIn(county, at('wang'));
  desk.leader = await signIn(county, at('leader'));
});
afterAll(async () => {
  await county.close();
  rmSync(workDir, { recursive: true, force: true });
});

/** A piece sent by `who` and accepted from the desk (《组工专报》: 1 point, or 2 for a research paper). */
async function accepted(who: string, title: string, kind: 'info' | 'research' = 'info'): Promise<string> {
  const receipt = await submitOver(county, k[who]!, title, { kind });
  const res = await desk.wang.fetch(`${desk.wang}/pieces/${receipt}`, jsonPost({ decision: 'accept', revision: 1 }));
  expect(res.status).toBe(200);
  return receipt;
}

async function mailsTo(to: string, where: (m: StoredEmail) => boolean, count = 1): Promise<StoredEmail[]> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const found = (await county.mails(to)).filter(where);
    if (found.length >= count || Date.now() > deadline) return found;
    await new Promise((r) => setTimeout(r, 50));
  }
}

interface RankJson {
  ranking: { rows: { id: string; name: string; points: number; rank: number; byLevel: Record<string, number> }[] };
}
const deskRanking = async (query: string) =>
  ((await (await desk.wang.fetch(`${desk.wang}/scores?${query}`, wantsJson)).json()) as RankJson).ranking.rows;

let first = '';

describe('a new user’s first adoption', () => {
  it('records the 自治区 adoption with a 批示 on the command line; the points show in scores, on the desk and on 我的报送', async () => {
    first = await accepted('chen', '县委办公室“两办”督查提质增效');
    const add = await admin(
      '--aws',
      'adoption',
      'add',
      '--receipt',
      first,
      '--level',
      'region',
      '--outlet',
      '《新疆组工信息》',
      '--issue',
      '12',
      '--date',
      today,
      '--instruction',
      'region',
    );
    expect(add).toMatchObject({ code: 0, stderr: '' });
    expect(add.stdout).toContain(
      `已登记：${first}《县委办公室“两办”督查提质增效》自治区《新疆组工信息》第 12 期（${today}），计 60 分（积分规则第 1 版）`,
    );
    const [told] = await mailsTo(at('chen'), (m) => m.subject.startsWith('您的稿件被自治区采用'));
    expect(told?.body.text).toContain('计 60 分');

    const again = await admin(
      '--aws',
      'adoption',
      'add',
      '--receipt',
      first,
      '--level',
      '自治区',
      '--outlet',
      '新疆组工信息',
      '--issue',
      '12',
      '--date',
      today,
    );
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('未重复登记');

    const scores = await admin('--aws', 'scores', '--year', String(year));
    expect(scores).toMatchObject({ code: 0, stderr: '' });
    expect(scores.stdout).toMatch(/\n1\s+县委办公室\s+61\s+2\s+0\s+1\s+0\s+1\s/);
    expect(scores.stdout).toContain('排名规则：积分相同时，依次比较中央、自治区、地区、县《组工专报》的采用篇次');

    const rows = await deskRanking(`year=${year}&by=informant`);
    expect(rows[0]).toMatchObject({ name: '陈晓明', points: 61, rank: 1 });
    const mine = await (await fetch(linkIn(told, '/mine'))).text();
    expect(mine).toContain('积分 61 分');
  });

  it('downloads the ranking as an .xlsx (from the desk and from the CLI) that reads back with its Chinese intact', async () => {
    const res = await desk.wang.fetch(`${desk.wang}/scores/download?year=${year}&by=informant&format=xlsx`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toContain(
      encodeURIComponent(`组工信息积分排名-${year}-信息员.xlsx`),
    );
    const table = await readTable(Buffer.from(await res.arrayBuffer()));
    if (!table.ok) throw new Error(table.message);
    const [header, ...rows] = table.rows.map((r) => r.fields);
    expect(header).toEqual([
      '名次',
      '信息员',
      '所在单位',
      '积分',
      '采用篇次',
      '中央采用',
      '自治区采用',
      '地区采用',
      '县《组工专报》采用',
      '最后采用日期',
    ]);
    expect(rows[0]).toEqual(['1', '陈晓明', '县委办公室', '61', '2', '0', '1', '0', '1', today]);
    expect(rows.at(-1)?.[0]).toMatch(/^排名规则：/);

    const [xlsx, csv] = [join(workDir, 'rank.xlsx'), join(workDir, 'rank.csv')];
    const run = await admin('--aws', 'scores', '--year', String(year), '--by', 'piece', '--xlsx', xlsx, '--csv', csv);
    expect(run.code).toBe(0);
    const cli = await readTable(readFileSync(xlsx));
    if (!cli.ok) throw new Error(cli.message);
    expect(cli.rows[1]?.fields.slice(0, 4)).toEqual(['1', `${first} 县委办公室“两办”督查提质增效`, '县委办公室', '61']);
    expect([...readFileSync(csv).subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(readFileSync(csv, 'utf8')).toContain('名次,稿件,所在单位,积分');
  });
});

describe('a table of contents in bulk', () => {
  it('reports every bad line by number and records nothing; BOM, GBK and .xlsx files with either headers record once', async () => {
    const a = await accepted('zhang', '城关镇“红色物业”破解小区治理难题');
    const b = await accepted('zhang', '城关镇“党员中心户”联系群众', 'research');
    const before = await tableSnapshot();
    const bad = file(
      'bad.csv',
      [
        '回执号,采用级别,刊物,期号,采用日期,领导批示',
        `${a},地区,《阿克苏组工》,5,${today},`,
        `${a},省部级,《阿克苏组工》,6,${today},`,
        `2099-0001,地区,《阿克苏组工》,7,${today},`,
        `${b},中央,,8,2999-01-01,`,
      ].join('\n'),
    );
    const refused = await admin('--aws', 'adoption', 'import', bad);
    expect(refused).toMatchObject({ code: 1, stdout: '' });
    expect(refused.stderr).toContain('采用目录有 4 处错误，未登记任何内容');
    // By line, in the order of the file.
    expect(refused.stderr.indexOf('第 4 行')).toBeLessThan(refused.stderr.indexOf('第 5 行'));
    expect(refused.stderr).toContain('第 3 行：采用级别“省部级”无法识别');
    expect(refused.stderr).toContain('第 4 行：没有回执号为 2099-0001 的稿件');
    expect(refused.stderr).toContain('第 5 行：请填写刊物名称');
    expect(refused.stderr).toContain('第 5 行：采用日期 2999-01-01 还没有到');
    expect(await tableSnapshot()).toEqual(before);

    const bom = file(
      'bom.csv',
      `\uFEFF回执号,采用级别,刊物,期号,采用日期\n${a},地区,《阿克苏组工》,5,${today.replace(/-/g, '/')}\n`,
    );
    const gbk = file(
      'gbk.csv',
      iconv.encode(`回执号,级别,采用刊物,期数,日期,批示\n${b},自治区,《新疆组工信息》,13,${today},地区\n`, 'gbk'),
    );
    const xlsx = file(
      'toc.xlsx',
      await xlsxOf({
        name: '目录',
        columns: ['receipt', 'level', 'outlet', 'issue', 'date', 'instruction'].map((header) => ({
          header,
          width: 12,
        })),
        rows: [[b, 'central', '《组工通讯》', '9', today, 'none']],
      }),
    );
    const runs = [];
    for (const f of [bom, gbk, xlsx]) runs.push(await admin('--aws', 'adoption', 'import', f));
    expect(runs.map((r) => r.code)).toEqual([0, 0, 0]);
    for (const r of runs) expect(r.stdout).toContain('新登记 1 条');
    const again = await admin('--aws', 'adoption', 'import', gbk);
    expect(again.stdout).toContain('共 1 行，新登记 0 条，已登记过 1 条');

    // The desk's upload takes the same files: everything there already, nothing new.
    const upload = new FormData();
    upload.append('file', new Blob([readFileSync(bom)], { type: 'text/csv' }), 'bom.csv');
    const desked = await desk.wang.fetch(`${desk.wang}/adoptions`, { method: 'POST', body: upload });
    expect(desked.status).toBe(200);
    expect(await desked.text()).toContain('新登记 0 条，已登记过 1 条');
    const rows = await deskRanking(`year=${year}&by=piece`);
    // b: 《组工专报》 1×2, 自治区 10×2 + 地区批示 20, 中央 30×2.
    expect(rows.find((r) => r.id === b)?.points).toBe(102);
    expect(rows.find((r) => r.id === a)?.points).toBe(6);
  });
});

describe('rules as versioned data', () => {
  it('refuses a malformed rules file with Chinese messages and stores nothing', async () => {
    const before = await tableSnapshot();
    const broken = await admin(
      '--aws',
      'rules',
      'set',
      file('broken.json', '{ "points": { "county": 1, }'),
      '--from',
      '2026-01-01',
    );
    expect(broken.code).toBe(1);
    expect(broken.stderr).toContain('规则文件不是有效的 JSON');
    const wrong = JSON.parse(readFileSync(join(__dirname, '../../../shared/scoring/defaultRules.json'), 'utf8'));
    wrong.points.region = '十';
    wrong.bonus = 1;
    const typo = await admin('--aws', 'rules', 'set', file('typo.json', JSON.stringify(wrong)), '--from', '2026-01-01');
    expect(typo.code).toBe(1);
    expect(typo.stderr).toContain('points.region 应为数字');
    expect(typo.stderr).toContain('不认识的项目“bonus”');
    const upload = new FormData();
    upload.append('file', new Blob(['not json']), 'rules.json');
    upload.append('from', '2026-01-01');
    const desked = await desk.wang.fetch(`${desk.wang}/scores/rules`, { method: 'POST', body: upload });
    expect(desked.status).toBe(400);
    expect(await desked.text()).toContain('规则文件有错误，未登记');
    expect(await tableSnapshot()).toEqual(before);
  });

  it('a new version scores new adoptions; old ones keep their points until an explicit rescore, which leaves an audit event', async () => {
    const rules = JSON.parse(readFileSync(join(__dirname, '../../../shared/scoring/defaultRules.json'), 'utf8'));
    rules.points.region = 20;
    const set = await admin('--aws', 'rules', 'set', file('v2.json', JSON.stringify(rules)), '--from', `${year}-01-01`);
    expect(set).toMatchObject({ code: 0, stderr: '' });
    expect(set.stdout).toContain(`已登记第 2 版积分规则，${year}-01-01 起生效`);
    expect(
      (await admin('--aws', 'rules', 'set', file('v2.json', JSON.stringify(rules)), '--from', `${year}-01-01`)).stdout,
    ).toContain('没有新增版本');

    // The first adoption (自治区 with a 自治区 批示) was 60 under version 1 and stays 60.
    expect((await deskRanking(`year=${year}&by=piece`)).find((r) => r.id === first)?.points).toBe(61);
    const newer = await accepted('chen', '县委办公室“一线工作法”推动落实');
    const record = await desk.wang.fetch(
      `${desk.wang}/pieces/${newer}/adoptions`,
      jsonPost({ level: 'region', outlet: '《新疆组工信息》', issue: '14', date: today }),
    );
    expect(await record.json()).toMatchObject({ added: true, points: 20 });

    const rescored = await admin('--aws', 'rules', 'rescore', '--from', `${year}-01-01`);
    expect(rescored).toMatchObject({ code: 0, stderr: '' });
    // 自治区 adoptions recorded under version 1: the first (60 → 70) and b's (40 → 60).
    expect(rescored.stdout).toMatch(/积分改变 2 条，合计变化 \+30 分/);
    expect((await deskRanking(`year=${year}&by=piece`)).find((r) => r.id === first)?.points).toBe(71);
    expect((await admin('--aws', 'rules', 'rescore', '--from', `${year}-01-01`)).stdout).toContain('积分改变 0 条');
    const audit = (await tableSnapshot()).filter(
      (i) => String(i.pk).endsWith('#RULES') && String(i.sk).startsWith('RESCORE#'),
    );
    expect(audit.map((i) => i.changed)).toEqual([2, 0]);
    const page = await (await desk.leader.fetch(`${desk.leader}/scores`)).text();
    expect(page).toContain(`现行积分规则（第 2 版，${year}-01-01 起）`);
    expect(page).not.toContain('登记为新版本');
  });
});

describe('ranking ties and the 信息奖', () => {
  it('breaks a tie by the adoptions at the higher level; units equal under the whole rule share a rank', async () => {
    const [jia, yi, bing] = [
      await accepted('jia', '甲乡“牧民夜校”'),
      await accepted('yi', '乙乡“庭院经济”'),
      await accepted('bing', '丙乡“护边员”'),
    ];
    const record = (receipt: string, fields: Record<string, string>) =>
      desk.wang.fetch(`${desk.wang}/pieces/${receipt}/adoptions`, jsonPost(fields));
    // Each 31 points: 甲 one 中央 adoption (30), 乙 and 丙 six 地区 ones (6 × 5); and each its 《组工专报》 point.
    await record(jia, { level: 'central', outlet: '《组工通讯》', issue: '20', date: today });
    for (const receipt of [yi, bing]) {
      for (const issue of ['1', '2', '3', '4', '5', '6']) {
        await record(receipt, { level: 'prefecture', outlet: '《阿克苏组工》', issue, date: today });
      }
    }
    const rows = await deskRanking(`year=${year}&by=unit`);
    const order = rows.filter((r) => ['甲乡党委', '乙乡党委', '丙乡党委'].includes(r.name));
    expect(order.map((r) => [r.name, r.points])).toEqual([
      ['甲乡党委', 31],
      ['丙乡党委', 31],
      ['乙乡党委', 31],
    ]);
    const [a, b, c] = order.map((r) => r.rank);
    expect([b! - a!, c! - b!]).toEqual([1, 0]);
    const html = await (await desk.wang.fetch(`${desk.wang}/scores?year=${year}`)).text();
    expect(html).toContain('最后一次采用日期较早者');
  });

  it('computes the award, sends it to editors and leaders once, however often it is sent', async () => {
    // The CLI runs on the real clock: before December the year's award may not be sent (see adoption.test.ts).
    if (!awardMaySend(year)) {
      const early = await admin('--aws', 'award', '--year', String(year), '--send');
      expect(early.code).toBe(1);
      expect(early.stderr).toContain('还没有到 12 月');
      return;
    }
    const before = await tableSnapshot();
    const shown = await admin('--aws', 'award', '--year', String(year), '--units', '2');
    // Computing it writes nothing.
    expect(await tableSnapshot()).toEqual(before);
    expect(shown).toMatchObject({ code: 0, stderr: '' });
    expect(shown.stdout).toMatch(
      /先进单位：\n {2}1\. 城关镇党委 {2}128 分，采用 5 篇次\n {2}2\. 县委办公室 {2}92 分，采用 4 篇次\n先进个人：/,
    );
    expect(shown.stdout).toContain('先进个人：');
    expect(shown.stdout).toContain('优秀信息：');
    const sent = await admin('--aws', 'award', '--year', String(year), '--send');
    expect(sent.code).toBe(0);
    expect(sent.stdout).toContain('已发送给 2 位编辑和领导');
    const again = await admin('--aws', 'award', '--year', String(year), '--send');
    expect(again.stdout).toContain('发送过，没有重复发送');
    const button = await desk.wang.fetch(`${desk.wang}/scores/award`, form({ year: String(year) }));
    expect(button.status).toBe(200);
    expect(await button.text()).toContain('已由 管理员（命令行） 发送过，没有重复发送');
    const subject = `${year} 年度组工信息“信息奖”评选结果`;
    await new Promise((r) => setTimeout(r, 300));
    for (const who of ['wang', 'leader']) {
      const mails = await mailsTo(at(who), (m) => m.subject === subject);
      expect({ who, count: mails.length }).toEqual({ who, count: 1 });
      expect(mails[0]?.body.text).toContain('先进单位');
    }
    expect((await mailsTo(at('chen'), (m) => m.subject === subject, 0)).length).toBe(0);
  });
});
