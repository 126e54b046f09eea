// Roster import and revocation as an organizer does them: the admin CLI (`npm run admin -- roster import FILE`) on a
// file saved from Excel, re-imports that update instead of duplicating, bad files refused whole, welcome emails once
// per new informant (editors and leaders a desk sign-in link), and a revoked link that stops working while the fresh
// one works (an editor's desk session ends with it).
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { handler as sweep } from '../../../functions/sweeper';
import { config } from '../../../shared/core/config';
import { importRoster } from '../../../shared/roster/importRoster';
import { listRoster, type Person } from '../../../shared/roster/people';
import { revokePerson } from '../../../shared/roster/revokePerson';
import { DESK_NEW_LINK, DESK_WELCOME, signInWith } from '../../support/deskSession';
import { faults } from '../../support/faults';
import { LONG_BODY, linkIn, startTestCounty, type TestCounty } from '../../support/harness';

const ROOT = join(__dirname, '../../..');
const FIXTURE_DOMAIN = 'roster-it.example.com';
const WELCOME = /^欢迎使用组工信息报送系统/;

let county: TestCounty;
let workDir: string;

beforeAll(async () => {
  county = await startTestCounty();
  workDir = mkdtempSync(join(tmpdir(), 'baosong-roster-it-'));
  // The CLI reads the signing key from its data dir: give it this county's, so its links open on this gateway.
  writeFileSync(join(workDir, 'signing.key'), process.env.SIGNING_KEY!);
});
afterAll(async () => {
  await county.close();
  rmSync(workDir, { recursive: true, force: true });
});

/** A fixture from test/fixtures with its addresses moved into this file's email domain; bytes (BOM, CRLF) kept. */
function fixture(name: string): string {
  const text = readFileSync(join(__dirname, '../../fixtures', name), 'utf8').replaceAll(FIXTURE_DOMAIN, county.domain);
  const path = join(workDir, name);
  writeFileSync(path, text, 'utf8');
  return path;
}

interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** `npm run admin -- …` against the local stand-ins this test file uses. */
function admin(...args: string[]): Promise<CliRun> {
  const port = (url: string) => new URL(url).port;
  const env = {
    ...process.env,
    DDB_PORT: port(process.env.DDB_ENDPOINT!),
    SES_PORT: port(process.env.SES_ENDPOINT!),
    DATA_DIR: workDir,
    PUBLIC_URL: county.baseUrl,
  };
  return new Promise((resolve) => {
    execFile('npx', ['tsx', 'scripts/admin.ts', ...args], { cwd: ROOT, env, timeout: 20_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

async function roster() {
  return listRoster(config().countyId);
}

async function person(localPart: string): Promise<Person | undefined> {
  return (await roster()).people.find((p) => p.email === `${localPart}@${county.domain}`);
}

async function welcomes(localPart: string) {
  return (await county.mails(`${localPart}@${county.domain}`)).filter((m) => WELCOME.test(m.subject));
}

async function submitWith(link: string): Promise<Response> {
  const k = new URL(link).searchParams.get('k')!;
  return fetch(`${county.baseUrl}/submissions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ k, kind: 'info', title: '名单测试稿件', body: LONG_BODY }),
  });
}

describe('importing a roster with the admin CLI', () => {
  it('imports a file saved from Excel (BOM, CRLF, Chinese headers) and says what it did', async () => {
    const run = await admin('roster', 'import', fixture('roster-it-excel.csv'));

    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toContain('导入完成：单位 5 个；新增 5 人，更新 0 人，未变 0 人；发送欢迎邮件 3 封。');
    const { units, people } = await roster();
    expect(units.map((u) => [u.name, u.kind]).sort()).toEqual(
      [
        ['县委办公室', 'department'],
        ['城关镇党委', 'township'],
        ['红旗乡党委', 'township'],
        ['县委组织部信息科', 'department'],
        ['县委组织部', 'department'],
      ].sort(),
    );
    expect(people.map((p) => [p.email, p.name, p.role, p.phone]).sort()).toEqual(
      [
        [`chen.xm@${county.domain}`, '陈晓明', 'informant', '13900000011'],
        [`zhang@${county.domain}`, '张伟', 'informant', undefined],
        [`zhou@${county.domain}`, '周强', 'informant', '0571-88886666'],
        [`editor@${county.domain}`, '王编辑', 'editor', undefined],
        [`leader@${county.domain}`, '赵部长', 'leader', undefined],
      ].sort(),
    );
  });

  it('sends each new informant exactly one welcome email whose link opens their form, and editors and leaders a desk sign-in link', async () => {
    for (const informant of ['chen.xm', 'zhang', 'zhou']) expect(await welcomes(informant)).toHaveLength(1);
    for (const [who, name] of [
      ['editor', '王编辑（编辑）'],
      ['leader', '赵部长（领导，只能查看）'],
    ] as const) {
      const mails = await county.mails(`${who}@${county.domain}`);
      expect(mails.map((m) => m.subject)).toEqual([expect.stringMatching(DESK_WELCOME)]);
      const session = await signInWith(county.baseUrl, linkIn(mails[0], '/desk/signin/'));
      const desk = await session.fetch('/desk');
      expect(desk.status).toBe(200);
      expect(await desk.text()).toContain(`信息科工作台 · ${name}`);
    }

    const [welcome] = await welcomes('chen.xm');
    expect(welcome?.subject).toBe('欢迎使用组工信息报送系统：您的个人报送链接');
    const form = await fetch(linkIn(welcome));
    expect(form.status).toBe(200);
    expect(await form.text()).toContain('陈晓明（县委办公室）');
  });

  it('refuses a file with two bad rows, naming both lines, and writes and sends nothing', async () => {
    const before = await roster();
    const mailsBefore = (await county.mails()).length;

    const run = await admin('roster', 'import', fixture('roster-it-two-bad-rows.csv'));

    expect(run.code).toBe(1);
    expect(run.stderr).toContain('名单有 2 处错误，未导入任何内容');
    expect(run.stderr).toContain(`第 3 行：邮箱格式不正确（sun-at-${county.domain}）`);
    expect(run.stderr).toMatch(/第 5 行：手机号码格式不正确（12345）/);
    expect(run.stdout).not.toContain('导入完成');
    expect(await roster()).toEqual(before);
    await sweep();
    expect((await county.mails()).length).toBe(mailsBefore);
  });
});

describe('importing with the use case', () => {
  let excel: string;
  beforeAll(() => {
    excel = readFileSync(fixture('roster-it-excel.csv'), 'utf8');
  });

  it('reports both bad lines of a bad file and changes nothing', async () => {
    const before = await roster();

    const result = await importRoster(readFileSync(fixture('roster-it-two-bad-rows.csv')));

    expect(result.ok).toBe(false);
    expect(!result.ok && result.errors.map((e) => e.line)).toEqual([3, 5]);
    expect(await roster()).toEqual(before);
  });

  it('updates instead of duplicating when the same file is imported again, with no second welcome', async () => {
    const before = await roster();

    const result = await importRoster(excel);
    await sweep();

    expect(result).toEqual({
      ok: true,
      summary: { units: 5, added: 0, updated: 0, unchanged: 5, welcomed: 0, deskLinks: 0 },
    });
    const after = await roster();
    expect(after.people).toHaveLength(before.people.length);
    expect(after.units).toHaveLength(before.units.length);
    for (const informant of ['chen.xm', 'zhang', 'zhou']) expect(await welcomes(informant)).toHaveLength(1);
  });

  it("updates a changed name and phone, keeps that informant's link working, and sends no email", async () => {
    const [welcome] = await welcomes('zhou');
    const mailsBefore = (await county.mails()).length;
    const changed = excel
      .replace('周强', '周志强')
      .replace('0571-8888 6666', '13900000023')
      .replace('139 0000 0011', '13900000012');

    const result = await importRoster(changed);
    await sweep();

    expect(result).toMatchObject({ ok: true, summary: { added: 0, updated: 2, unchanged: 3, welcomed: 0 } });
    expect(await person('zhou')).toMatchObject({ name: '周志强', phone: '13900000023', keyVersion: 1 });
    expect(await person('chen.xm')).toMatchObject({ name: '陈晓明', phone: '13900000012' });
    expect((await roster()).people).toHaveLength(5);
    const form = await fetch(linkIn(welcome));
    expect(form.status).toBe(200);
    expect(await form.text()).toContain('周志强（红旗乡党委）');
    expect((await county.mails()).length).toBe(mailsBefore);
  });

  it('welcomes only the newly added informant when a file adds an informant, an editor and a leader', async () => {
    const grown = [
      excel.trimEnd(),
      `县委宣传部,部门,钱新,qian@${county.domain},,信息员`,
      `县委组织部信息科,,孙审核,reviewer@${county.domain},,审核`,
      `县政府,,李县长,mayor@${county.domain},,领导`,
    ].join('\r\n');

    const result = await importRoster(grown);
    await sweep();

    expect(result).toMatchObject({ ok: true, summary: { added: 3, welcomed: 1, deskLinks: 2 } });
    expect(await welcomes('qian')).toHaveLength(1);
    for (const who of ['reviewer', 'mayor']) {
      expect((await county.mails(`${who}@${county.domain}`)).map((m) => m.subject)).toEqual([
        expect.stringMatching(DESK_WELCOME),
      ]);
    }
    for (const informant of ['chen.xm', 'zhang', 'zhou']) expect(await welcomes(informant)).toHaveLength(1);
  });
});

describe("revoking an informant's link", () => {
  const NEW_LINK = /^您的报送链接已更新/;

  it('makes the old link answer 403 and sends exactly one email with a new link that works', async () => {
    const [welcome] = await welcomes('zhang');
    const oldLink = linkIn(welcome);
    expect((await fetch(oldLink)).status).toBe(200);

    const revoked = await revokePerson(`Zhang@${county.domain}`);
    await sweep();

    expect(revoked).toMatchObject({ person: { name: '张伟' }, keyVersion: 2, emailed: true });
    expect((await fetch(oldLink)).status).toBe(403);
    expect((await submitWith(oldLink)).status).toBe(403);
    const fresh = (await county.mails(`zhang@${county.domain}`)).filter((m) => NEW_LINK.test(m.subject));
    expect(fresh).toHaveLength(1);
    const newLink = linkIn(fresh[0]);
    expect(newLink).not.toBe(oldLink);
    const form = await fetch(newLink);
    expect(form.status).toBe(200);
    expect(await form.text()).toContain('张伟（城关镇党委）');
    expect((await submitWith(newLink)).status).toBe(201);
  });

  it('does not bring the old link back when the roster is imported again', async () => {
    const [welcome] = await welcomes('zhang');

    const result = await importRoster(readFileSync(fixture('roster-it-excel.csv')));

    expect(result.ok).toBe(true);
    expect(await person('zhang')).toMatchObject({ keyVersion: 2 });
    expect((await fetch(linkIn(welcome))).status).toBe(403);
  });

  it('revokes an editor too: a new key version, their desk session ended, the old sign-in link refused, and a new one by email', async () => {
    const before = await person('editor');
    const [welcome] = await county.mails(`editor@${county.domain}`);
    const oldLink = linkIn(welcome, '/desk/signin/');
    const session = await signInWith(county.baseUrl, oldLink);
    expect((await session.fetch('/desk')).status).toBe(200);
    const mailsBefore = (await county.mails(`editor@${county.domain}`)).length;

    const revoked = await revokePerson(`editor@${county.domain}`);

    await sweep();
    expect(revoked).toMatchObject({ person: { name: '王编辑' }, keyVersion: before!.keyVersion + 1, emailed: true });
    expect(await person('editor')).toMatchObject({ keyVersion: before!.keyVersion + 1 });
    const mails = await county.mails(`editor@${county.domain}`);
    expect(mails.slice(mailsBefore).map((m) => m.subject)).toEqual([expect.stringMatching(DESK_NEW_LINK)]);
    // The session already open ends at its next request.
    expect((await session.fetch('/desk', { headers: { accept: 'application/json' } })).status).toBe(401);
    // The old sign-in link signs no one in, and offers a fresh link by email.
    const old = await fetch(oldLink);
    expect(old.status).toBe(403);
    expect(await old.text()).toContain(`action="${new URL(oldLink).pathname}/renew"`);
    const pressed = await fetch(oldLink, { method: 'POST', redirect: 'manual' });
    expect(pressed.status).toBe(403);
    expect(pressed.headers.getSetCookie()).toEqual([]);
    // The new one does.
    const fresh = await signInWith(county.baseUrl, linkIn(mails.at(-1), '/desk/signin/'));
    const desk = await fresh.fetch('/desk');
    expect(desk.status).toBe(200);
    expect(await desk.text()).toContain('信息科工作台 · 王编辑（编辑）');
  });

  it('refuses to revoke an address that is not on the roster, and changes nothing', async () => {
    const mailsBefore = (await county.mails()).length;

    await expect(revokePerson(`nobody@${county.domain}`)).rejects.toThrow('名单中没有这个邮箱');

    await sweep();
    expect(await county.mails()).toHaveLength(mailsBefore);
  });
});

describe('who reviews', () => {
  const reviewRequestsTo = async (localPart: string, title: string) =>
    (await county.mails(`${localPart}@${county.domain}`)).filter(
      (m) => m.subject.startsWith('【待审核】') && m.subject.includes(title),
    );

  it('is read from one item the import keeps: a submission queries no roster, and a new editor is seen at once', async () => {
    const [welcome] = await welcomes('zhou');
    const k = new URL(linkIn(welcome)).searchParams.get('k')!;
    const post = (title: string) =>
      fetch(`${county.baseUrl}/submissions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ k, kind: 'info', title, body: LONG_BODY }),
      });
    const rosterPk = `C#${config().countyId}#ROSTER`;
    const injector = faults();

    injector.count();
    expect((await post('谁来审核（一）')).status).toBe(201);
    const queried = injector.calls.filter(
      (c) =>
        c.command === 'QueryCommand' &&
        (c.input.ExpressionAttributeValues as Record<string, unknown>)[':pk'] === rosterPk,
    );
    injector.disarm();
    expect(queried).toEqual([]);
    await sweep();
    expect(await reviewRequestsTo('editor', '谁来审核（一）')).toHaveLength(1);
    expect(await reviewRequestsTo('leader', '谁来审核（一）')).toHaveLength(0);

    // 赵部长 becomes an editor in the next import.
    const csv = readFileSync(fixture('roster-it-excel.csv'), 'utf8').replace(
      `赵部长,leader@${county.domain},,领导`,
      `赵部长,leader@${county.domain},,编辑`,
    );
    expect((await importRoster(csv)).ok).toBe(true);
    expect((await post('谁来审核（二）')).status).toBe(201);
    await sweep();
    expect(await reviewRequestsTo('editor', '谁来审核（二）')).toHaveLength(1);
    expect(await reviewRequestsTo('leader', '谁来审核（二）')).toHaveLength(1);
  });
});
