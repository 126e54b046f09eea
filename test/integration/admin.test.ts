// The operators' CLI (`npm run admin -- …`) as an operator runs it: a child process, with --aws pointed at this file's
// county through the environment (table, signing key, the stand-ins' endpoints), so its links open on this file's
// gateway. Help and usage errors, an .xlsx roster, 停用 and 启用 seen through a person's link, an editor's links
// revoked (their desk session ends, the new sign-in link works) and a leader's sign-in link sent again, and the
// month's figures written as a workbook and a CSV. Child processes are slow (about 1.5 s each): the independent ones
// run together.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monthOf } from '../../shared/core/clock';
import { readTable } from '../../shared/sheets/read';
import { xlsxOf } from '../../shared/sheets/write';
import { admin } from '../support/cli';
import { DESK_NEW_LINK, DESK_WELCOME, signInLinkOf, signInWith } from '../support/deskSession';
import { LONG_BODY, linkIn, startTestCounty, type TestCounty } from '../support/harness';

const WELCOME = /^欢迎使用组工信息报送系统/;

let county: TestCounty;
let workDir: string;
const at = (name: string) => `${name}@${county.domain}`;

beforeAll(async () => {
  county = await startTestCounty();
  workDir = mkdtempSync(join(tmpdir(), 'baosong-admin-it-'));
});
afterAll(async () => {
  await county.close();
  rmSync(workDir, { recursive: true, force: true });
});

async function submitWith(link: string): Promise<Response> {
  const k = new URL(link).searchParams.get('k')!;
  return fetch(`${county.baseUrl}/submissions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ k, kind: 'info', title: '命令行测试稿件', body: LONG_BODY }),
  });
}

describe('help and usage errors', () => {
  it('answers --help with Chinese usage, and a wrong command line with a message, the usage and exit 2', async () => {
    const future = `${Number(monthOf(new Date()).slice(0, 4)) + 1}-01`;
    const [help, importHelp, unknown, missing, badMonths] = await Promise.all([
      admin('--help'),
      admin('roster', '--aws', 'import', '-h'),
      admin('frobnicate'),
      admin('roster', 'deactivate'),
      Promise.all(['2026-13', 'abc', future].map((m) => admin('--aws', 'figures', '--month', m))),
    ]);

    expect(help).toMatchObject({ code: 0, stderr: '' });
    expect(help.stdout).toMatch(/^用法：npm run admin -- \[--aws\] <命令>/);
    for (const command of ['roster import FILE', 'roster deactivate EMAIL', 'roster activate EMAIL', 'figures'])
      expect(help.stdout).toContain(command);
    expect(importHelp).toMatchObject({ code: 0, stderr: '' });
    expect(importHelp.stdout).toMatch(/^用法：npm run admin -- \[--aws\] roster import FILE\n/);
    expect(importHelp.stdout).toContain('.xlsx');
    expect(importHelp.stdout).toContain('GBK');

    expect(unknown).toMatchObject({ code: 2, stdout: '' });
    expect(unknown.stderr).toMatch(/^未知命令：frobnicate\n\n用法：/);
    expect(missing).toMatchObject({ code: 2, stdout: '' });
    expect(missing.stderr).toMatch(/^缺少参数 EMAIL\n\n用法：npm run admin -- \[--aws\] roster deactivate EMAIL\n/);
    for (const bad of badMonths) {
      expect(bad).toMatchObject({ code: 2, stdout: '' });
      expect(bad.stderr).toMatch(/月份不正确|还没有到/);
    }
  });
});

describe('the roster and the figures, through the CLI', () => {
  it('imports a roster saved as an .xlsx workbook', async () => {
    const file = join(workDir, '名单.xlsx');
    const columns = ['单位', '姓名', '邮箱', '手机', '角色'].map((header) => ({ header, width: 16 }));
    const rows = [
      ['县委办公室', '陈晓明', at('chen'), '13900000011', '信息员'],
      ['城关镇党委', '张伟', at('zhang'), null, '信息员'],
      ['红旗乡党委', '周强', at('zhou'), '13900000023', '信息员'],
      ['县委组织部信息科', '王编辑', at('editor'), null, '编辑'],
      ['县委组织部', '赵部长', at('leader'), null, '领导'],
    ];
    writeFileSync(file, await xlsxOf({ name: '名单', columns, rows }));

    const run = await admin('--aws', 'roster', 'import', file);

    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toBe(
      '导入完成：单位 5 个；新增 5 人，更新 0 人，未变 0 人；发送欢迎邮件 3 封。另向编辑、领导发送工作台登录链接 2 封。\n',
    );
    expect(await county.waitForMails(at('zhang'), 1, WELCOME)).toHaveLength(1);
    for (const who of ['editor', 'leader']) expect(await county.waitForMails(at(who), 1, DESK_WELCOME)).toHaveLength(1);
  });

  it('停用 stops a person’s link (403) and 启用 brings it back; an unknown address fails with exit 1; revoke and desk-link send sign-in links', async () => {
    const [welcome] = await county.waitForMails(at('zhang'), 1, WELCOME);
    const link = linkIn(welcome);
    expect((await fetch(link)).status).toBe(200);
    const editorDesk = await signInWith(county.baseUrl, await signInLinkOf(county, at('editor')));
    expect((await editorDesk.fetch('/desk')).status).toBe(200);

    const [off, nobody, revoked, deskLink] = await Promise.all([
      admin('--aws', 'roster', 'deactivate', at('zhang')),
      admin('--aws', 'roster', 'deactivate', at('nobody')),
      admin('--aws', 'roster', 'revoke', at('editor')),
      admin('desk-link', at('leader'), '--aws'),
    ]);

    expect(off).toMatchObject({ code: 0, stderr: '' });
    expect(off.stdout).toBe(`已停用 张伟（${at('zhang')}）：链接失效，不再收到邮件；已报送的稿件保留。\n`);
    expect((await fetch(link)).status).toBe(403);
    expect(nobody).toMatchObject({ code: 1, stdout: '' });
    expect(nobody.stderr).toContain(`名单中没有这个人员：${at('nobody')}`);
    expect(revoked).toMatchObject({ code: 0, stderr: '' });
    expect(revoked.stdout).toContain(
      `已作废 王编辑 的旧链接（现为第 2 版），新的工作台登录链接已发到 ${at('editor')}。`,
    );
    // The editor's open session ends with the revoke; the sign-in link of the new email signs in.
    expect((await editorDesk.fetch('/desk')).status).toBe(401);
    const editorAgain = await signInWith(county.baseUrl, await signInLinkOf(county, at('editor'), DESK_NEW_LINK));
    expect((await editorAgain.fetch('/desk')).status).toBe(200);
    expect(deskLink).toMatchObject({ code: 0, stderr: '' });
    expect(deskLink.stdout).toContain(`已把赵部长的工作台登录链接发到 ${at('leader')}`);
    const leaderLink = await signInLinkOf(county, at('leader'), /^您的信息科工作台登录链接$/);
    const leaderDesk = await (await signInWith(county.baseUrl, leaderLink)).fetch('/desk');
    expect(leaderDesk.status).toBe(200);
    expect(await leaderDesk.text()).toContain('信息科工作台 · 赵部长（领导，只能查看）');

    const on = await admin('--aws', 'roster', 'activate', at('zhang'));

    expect(on).toMatchObject({ code: 0, stderr: '' });
    expect(on.stdout).toBe(`已启用 张伟（${at('zhang')}）：链接恢复有效。\n`);
    expect((await fetch(link)).status).toBe(200);
    expect((await submitWith(link)).status).toBe(201);
  });

  it("prints this month's figures and writes them as an .xlsx and a CSV", async () => {
    const [xlsx, csv] = [join(workDir, 'out.xlsx'), join(workDir, 'out.csv')];

    const run = await admin('--aws', 'figures', '--month', monthOf(new Date()), '--xlsx', xlsx, '--csv', csv);

    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toMatch(/\n城关镇党委\s+1\s+0\s+1\s+0\n/);
    expect(run.stdout).toMatch(/\n合计\s+1\s+0\s+1\s+0\n/);
    // The units with informants only: the 信息科 and the leaders' unit send no pieces.
    expect(run.stdout).toContain('本月未报送的单位（2 个）：红旗乡党委、县委办公室');
    const table = await readTable(readFileSync(xlsx));
    if (!table.ok) throw new Error(table.message);
    const [header, ...rows] = table.rows.map((r) => r.fields);
    expect(header?.slice(0, 5)).toEqual(['单位', '本月报送', '本月报送：信息', '本月报送：调研文稿', '本月采用']);
    expect(rows.map((r) => r[0]).sort()).toEqual(['县委办公室', '城关镇党委', '红旗乡党委', '合计'].sort());
    expect(rows.find((r) => r[0] === '城关镇党委')?.slice(0, 3)).toEqual(['城关镇党委', '1', '1']);
    const bytes = readFileSync(csv);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(bytes.toString('utf8')).toContain('单位,本月报送');
  });
});
