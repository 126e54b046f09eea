// Rotating the link-signing keys as an operator does it (`npm run admin -- keys rotate`, locally: the ring in the
// data dir, which the running app re-reads), seen through real HTTP: links signed before the rotation keep opening
// until their key retires, links signed after it name the new key, and a link whose key has retired answers 403
// with the Chinese page (or `invalid_link` to a JSON client), like a forged one. The data dir starts as one from
// before key rings: its single key (signing.key) signed every link so far, some of them naming no key at all.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { localSigningKey } from '../../../local/env';
import { setClock } from '../../../shared/core/clock';
import { parseRing } from '../../../shared/links/keyRing';
import { signToken } from '../../../shared/links/tokens';
import { importRoster } from '../../../shared/roster/importRoster';
import { personIdOf } from '../../../shared/store/keys';
import { admin, type CliRun } from '../../support/cli';
import {
  LONG_BODY,
  linkIn,
  rosterCsv,
  type StoredEmail,
  startTestCounty,
  type TestCounty,
} from '../../support/harness';

const DAY = 86_400_000;

let county: TestCounty;
let workDir: string;
let ringFile: string;
const at = (name: string) => `${name}@${county.domain}`;

beforeAll(async () => {
  county = await startTestCounty();
  workDir = mkdtempSync(join(tmpdir(), 'baosong-rotation-it-'));
  writeFileSync(join(workDir, 'signing.key'), process.env.SIGNING_KEY!);
  const port = (url: string) => new URL(url).port;
  // The CLI runs locally on this data dir and these stand-ins; the app here re-reads the same ring, as `npm start`
  // does (its first start turns signing.key into the ring, with that key as the legacy key k0).
  ringFile = localSigningKey(workDir).file;
  Object.assign(process.env, {
    DATA_DIR: workDir,
    DDB_PORT: port(process.env.DDB_ENDPOINT!),
    SES_PORT: port(process.env.SES_ENDPOINT!),
    SIGNING_KEY_FILE: ringFile,
  });
  expect((await importRoster(rosterCsv(county.domain))).ok).toBe(true);
});
afterAll(async () => {
  setClock(undefined);
  await county.close();
  rmSync(workDir, { recursive: true, force: true });
});

const tokenOf = (link: string) => new URL(link).searchParams.get('k') ?? new URL(link).pathname.split('/').pop()!;
const keyIdOf = (link: string) =>
  JSON.parse(Buffer.from(tokenOf(link).split('.')[0]!, 'base64url').toString()).kid as string | undefined;
const newest = (mails: StoredEmail[], subject: RegExp) => mails.filter((m) => subject.test(m.subject)).at(-1);

/** Nothing the CLI prints may hold a secret of the ring (support/cli already refuses links). */
function printsNoSecret(run: CliRun): void {
  const secrets = parseRing(readFileSync(ringFile, 'utf8'), ringFile).keys.map((k) => k.secret);
  for (const secret of [...secrets, process.env.SIGNING_KEY!]) {
    expect(run.stdout + run.stderr).not.toContain(secret);
    expect(run.stdout + run.stderr).not.toContain(secret.slice(0, 12));
  }
}

async function opens(link: string): Promise<number> {
  return (await fetch(link)).status;
}

/** A link refused as invalid: 403 with the Chinese page, and `invalid_link` to a JSON client. */
async function expectRefused(link: string): Promise<void> {
  const page = await fetch(link);
  expect(page.status).toBe(403);
  expect(page.headers.get('content-type')).toMatch(/^text\/html/);
  expect(await page.text()).toContain('链接无效');
  const asJson = await fetch(link, { headers: { accept: 'application/json' } });
  expect(asJson.status).toBe(403);
  expect(await asJson.json()).toMatchObject({ error: 'invalid_link' });
}

const links: { personal: string; legacy: string; review: string; afterRotation?: string; appSigned?: string } = {
  personal: '',
  legacy: '',
  review: '',
};

describe('links signed before a rotation', () => {
  it('are what the single key of old signed: with its key id now, without one in older emails', async () => {
    const welcome = newest(await county.waitForMails(at('zhang'), 1), /^欢迎使用/);
    links.personal = linkIn(welcome);
    // A personal link emailed before tokens named their key.
    const zhou = signToken(Buffer.from(process.env.SIGNING_KEY!, 'utf8'), 'submit', {
      c: process.env.COUNTY_ID!,
      i: personIdOf(process.env.COUNTY_ID!, at('zhou')),
      v: 1,
    });
    links.legacy = `${county.baseUrl}/submit?k=${zhou}`;
    const submitted = await fetch(`${county.baseUrl}/submissions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ k: tokenOf(links.personal), kind: 'info', title: '密钥更换前的稿件', body: LONG_BODY }),
    });
    expect(submitted.status).toBe(201);
    links.review = linkIn(newest(await county.waitForMails(at('editor'), 1), /密钥更换前的稿件/), '/review/');

    expect(keyIdOf(links.personal)).toBe('k0');
    expect(keyIdOf(links.legacy)).toBeUndefined();
    expect(keyIdOf(links.review)).toBe('k0');
    expect(await Promise.all([links.personal, links.legacy, links.review].map(opens))).toEqual([200, 200, 200]);
  });
});

describe('keys list and keys rotate, locally', () => {
  it('list the keys without their secrets, and refuse a wrong retire date with exit 2', async () => {
    const [list, past, notDays, both] = await Promise.all([
      admin('keys', 'list'),
      admin('keys', 'rotate', '--retire-at', '2020-01-01'),
      admin('keys', 'rotate', '--retire-old-after', 'soon'),
      admin('keys', 'rotate', '--retire-old-after', '3', '--retire-at', '2099-01-01'),
    ]);

    expect(list).toMatchObject({ code: 0, stderr: '' });
    expect(list.stdout).toContain(ringFile);
    expect(list.stdout).toMatch(/k0\t创建于 （启用密钥编号之前）\t签发新链接（当前密钥）/);
    printsNoSecret(list);
    expect(past).toMatchObject({ code: 2, stdout: '' });
    expect(past.stderr).toContain('停用日期应在今天之后');
    expect(notDays).toMatchObject({ code: 2, stdout: '' });
    expect(notDays.stderr).toContain('--retire-old-after 应为 0 到 3650 之间的整数天数');
    expect(both).toMatchObject({ code: 2, stdout: '' });
    // A refused command line leaves the ring as it was.
    expect(parseRing(readFileSync(ringFile, 'utf8'), ringFile).keys.map((k) => k.id)).toEqual(['k0']);
  });

  it('rotate: a new key signs from now on, the old one verifies for 90 days, and what that means is said', async () => {
    const started = Date.now();
    const rotate = await admin('keys', 'rotate');

    expect(rotate).toMatchObject({ code: 0, stderr: '' });
    expect(rotate.stdout).toContain('已生成新密钥 k1');
    expect(rotate.stdout).toMatch(/旧密钥 k0 签发的链接继续有效至 \d{4}-\d\d-\d\d \d\d:\d\d（北京时间）/);
    expect(rotate.stdout).toContain('把我的链接发到我的邮箱');
    printsNoSecret(rotate);
    const ring = parseRing(readFileSync(ringFile, 'utf8'), ringFile);
    expect(ring.keys.map((k) => k.id)).toEqual(['k0', 'k1']);
    expect(ring.keys[0]!.secret).toBe(process.env.SIGNING_KEY);
    const retiresAt = Date.parse(ring.keys[0]!.retiresAt!);
    expect(retiresAt).toBeGreaterThanOrEqual(started + 90 * DAY);
    expect(retiresAt).toBeLessThan(Date.now() + 90 * DAY);
    expect(ring.keys[1]!.retiresAt).toBeUndefined();
  });
});

describe('after the rotation', () => {
  it('links signed before it still open their pages, with a key id or without', async () => {
    expect(await Promise.all([links.personal, links.legacy, links.review].map(opens))).toEqual([200, 200, 200]);
  });

  it('a link the CLI signs names the new key, and the running app, which had not seen that key, opens it', async () => {
    const sent = await admin('desk-link', at('zhang'));
    expect(sent.code).toBe(0);
    links.afterRotation = linkIn(newest(await county.waitForMails(at('zhang'), 2), /^您的个人报送链接/));

    expect(keyIdOf(links.afterRotation)).toBe('k1');
    expect(await opens(links.afterRotation)).toBe(200);
  });

  it('the running app signs with the new key too', async () => {
    const submitted = await fetch(`${county.baseUrl}/submissions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ k: tokenOf(links.legacy), kind: 'info', title: '密钥更换后的稿件', body: LONG_BODY }),
    });
    expect(submitted.status).toBe(201);
    links.appSigned = linkIn(newest(await county.waitForMails(at('editor'), 2), /密钥更换后的稿件/), '/review/');

    expect(keyIdOf(links.appSigned)).toBe('k1');
    expect(await opens(links.appSigned)).toBe(200);
  });
});

describe('once the old key has retired', () => {
  it('links it signed answer 403 with the Chinese page, and links of the new key still open', async () => {
    setClock(new Date(Date.now() + 91 * DAY));

    // The personal links never expire, the review link has expired: retired, all are simply invalid.
    for (const link of [links.personal, links.legacy, links.review]) await expectRefused(link);
    expect(await opens(links.afterRotation!)).toBe(200);
  });

  it('a rotation after a leak (--retire-old-after 0) ends every older key at once', async () => {
    const rotate = await admin('keys', 'rotate', '--retire-old-after', '0');
    expect(rotate).toMatchObject({ code: 0, stderr: '' });
    expect(rotate.stdout).toContain('已生成新密钥 k2');
    expect(rotate.stdout).toContain('旧密钥 k1 已停用');
    printsNoSecret(rotate);
    const list = await admin('keys', 'list');
    expect(list.stdout).toMatch(/k1\t创建于 .*\t已停用/);
    expect(list.stdout).toMatch(/k2\t创建于 .*\t签发新链接（当前密钥）/);
    printsNoSecret(list);

    // A warm process keeps its copy of the ring for at most five minutes.
    setClock(new Date(Date.now() + 91 * DAY + 6 * 60_000));
    await expectRefused(links.afterRotation!);
  });
});
