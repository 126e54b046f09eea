// `keys rotate --aws` against the Secrets Manager secret, with the SDK's send replaced by a secret held here: today's
// plain generated string is read as the legacy key, the rotated ring is written back as JSON, and a secret changed
// by someone else in between is not overwritten.
import { GetSecretValueCommand, PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { parseRing } from '../../../shared/links/keyRing';
import { KEY_COMMANDS, retireDateOf } from '../../../shared/links/keysCli';

const ARN = 'arn:aws-cn:secretsmanager:cn-north-1:123456789012:secret:baosong-signing-key';
const plain = 'P'.repeat(64);
const secret = { text: plain, version: 'v1', puts: 0, racer: undefined as string | undefined };
let printed = '';

beforeAll(() => {
  Object.assign(process.env, {
    TABLE_NAME: 'keys_cli_unit',
    COUNTY_ID: 'demo',
    PUBLIC_URL: 'https://baosong.example.com',
    SENDER: 'baosong@example.com',
    SIGNING_KEY_SECRET_ARN: ARN,
  });
  delete process.env.SIGNING_KEY;
  delete process.env.SIGNING_KEY_FILE;
  jest.spyOn(SecretsManagerClient.prototype, 'send').mockImplementation((async (command: unknown) => {
    if (command instanceof GetSecretValueCommand) {
      expect(command.input.SecretId).toBe(ARN);
      const answer = { SecretString: secret.text, VersionId: secret.version };
      // Someone else's rotation lands between this read and the write.
      if (secret.racer) secret.version = secret.racer;
      return answer;
    }
    if (command instanceof PutSecretValueCommand) {
      expect(command.input.SecretId).toBe(ARN);
      secret.text = command.input.SecretString!;
      secret.version = `v${++secret.puts + 1}`;
      return { VersionId: secret.version };
    }
    throw new Error('unexpected command');
  }) as never);
  jest.spyOn(console, 'log').mockImplementation((line: string) => {
    printed += `${line}\n`;
  });
  jest.spyOn(console, 'error').mockImplementation((line: string) => {
    printed += `${line}\n`;
  });
});
afterAll(() => jest.restoreAllMocks());
beforeEach(() => {
  printed = '';
});

describe('keys rotate --aws', () => {
  it("reads today's plain generated secret as the legacy key and writes the rotated ring back as JSON", async () => {
    const code = await KEY_COMMANDS['keys rotate']!.run({ values: { 'retire-old-after': '30' } });

    expect(code).toBe(0);
    expect(secret.puts).toBe(1);
    const ring = parseRing(secret.text, 'the secret');
    expect(ring.keys.map((k) => k.id)).toEqual(['k0', 'k1']);
    expect(ring.keys[0]).toMatchObject({ id: 'k0', secret: plain, retiresAt: expect.any(String) });
    expect(printed).toContain(`已生成新密钥 k1（写入Secrets Manager 密钥 ${ARN}）`);
    for (const key of ring.keys) expect(printed).not.toContain(key.secret.slice(0, 12));
  });

  it('lists the keys of the secret without their secrets', async () => {
    expect(await KEY_COMMANDS['keys list']!.run({ values: {} })).toBe(0);

    expect(printed).toMatch(/k0\t创建于 （启用密钥编号之前）\t可验证，\d{4}-\d\d-\d\d \d\d:\d\d 起停用/);
    expect(printed).toMatch(/k1\t创建于 .*\t签发新链接（当前密钥）/);
    for (const key of parseRing(secret.text, 'the secret').keys) expect(printed).not.toContain(key.secret);
  });

  it('does not overwrite a secret someone else changed since it was read', async () => {
    const before = secret.text;
    secret.racer = 'someone-else';

    await expect(KEY_COMMANDS['keys rotate']!.run({ values: {} })).rejects.toThrow('链接签名密钥刚被他人更改');
    expect(secret.text).toBe(before);
    secret.racer = undefined;
  });
});

describe('the retire date of old keys', () => {
  const at = new Date('2026-11-26T02:00:00Z');

  it('is 90 days on by default, DAYS on with --retire-old-after, or 0:00 Beijing time of --retire-at', () => {
    expect(retireDateOf({}, at)).toEqual({ date: new Date('2027-02-24T02:00:00Z') });
    expect(retireDateOf({ 'retire-old-after': '0' }, at)).toEqual({ date: at });
    expect(retireDateOf({ 'retire-at': '2027-03-01' }, at)).toEqual({ date: new Date('2027-02-28T16:00:00Z') });
  });

  it('refuses what is not a day count or a day to come, in Chinese', () => {
    for (const values of [
      { 'retire-old-after': '-1' },
      { 'retire-old-after': '1.5' },
      { 'retire-old-after': '3651' },
      { 'retire-at': '2026-02-30' },
      { 'retire-at': '2026-11-26' },
      { 'retire-at': '2027-01-01', 'retire-old-after': '3' },
    ]) {
      expect(retireDateOf(values, at)).toEqual({ error: expect.stringMatching(/[\u4e00-\u9fff]/) });
    }
  });
});
