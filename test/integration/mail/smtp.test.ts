// SMTP as the second mail transport (MAIL_TRANSPORT=smtp), against a real SMTP server started here
// (test/support/smtp.ts: smtp-server, login over TLS only). sendEmail and sendEmailWithAttachments — what the outbox
// and the mail runs call — deliver each email once, to its one recipient, with the Chinese subject, display name,
// bodies and attachment intact; nothing a caller passes can add a header or a recipient; the server's refusals are
// classified as SES's are (5yz given up, 4yz and a dropped or silent connection tried again); a send never outlives
// the request's budget. Each configuration loads the mail modules afresh (configuration is read once per process).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isNativeError } from 'node:util/types';
import { readConfig } from '../../../shared/core/config';
import { SMTP_PASS, SMTP_USER, startSmtpServer, type TestSmtpServer } from '../../support/smtp';

const DOMAIN = 'smtp.example.com';
const SUBJECT = '2026年10月组工信息工作通报';
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const FILENAME = '2026年10月各单位报送情况.xlsx';
// Starts like a real .xlsx (a zip) and holds every byte value, so any mangling of binary content shows.
const XLSX_BYTES = new Uint8Array([0x50, 0x4b, 0x03, 0x04, ...Array.from({ length: 256 }, (_, i) => i)]);
const TEXT = '各单位：现将2026年10月组工信息报送情况通报如下，详见附件。';
const HTML = `<p>${TEXT}</p>`;

const BASE_ENV = {
  TABLE_NAME: 't_smtp',
  COUNTY_ID: 'csmtp',
  PUBLIC_URL: 'http://127.0.0.1:1',
  SENDER: 'baosong@example.com',
  SIGNING_KEY: 'k'.repeat(64),
  AWS_REGION: 'cn-north-1',
};
const MAIL_KEYS = [
  'MAIL_TRANSPORT',
  'SMTP_HOST',
  'SMTP_PORT',
  'SMTP_SECURE',
  'SMTP_USER',
  'SMTP_PASS',
  'SMTP_SECRET_ARN',
  'SMTP_ALLOW_SELF_SIGNED',
  'SES_CONFIGURATION_SET',
  'SENDER_NAME',
];

/** The mail modules loaded afresh under `env`, as a new process with that configuration would load them. */
async function load(env: Record<string, string>) {
  for (const key of MAIL_KEYS) delete process.env[key];
  Object.assign(process.env, BASE_ENV, env);
  jest.resetModules();
  const [ses, raw, budget, retry] = await Promise.all([
    import('../../../shared/mail/ses'),
    import('../../../shared/mail/rawEmail'),
    import('../../../shared/core/budget'),
    import('../../../shared/mail/retry'),
  ]);
  return { ...ses, ...raw, ...budget, ...retry };
}

/** The error a send rejected with (fails the test if it did not). */
async function failureOf(sending: Promise<unknown>): Promise<Error & Record<string, unknown>> {
  const outcome = await sending.then(
    () => ({ went: true as const }),
    (err: unknown) => ({ went: false as const, err }),
  );
  if (outcome.went) throw new Error('the send was expected to fail, and it went');
  // Not `instanceof Error`: Node's own errors (a refused connection, a bad certificate) come from outside jest's realm.
  if (!isNativeError(outcome.err)) throw new Error(`the send failed with a non-error: ${String(outcome.err)}`);
  return outcome.err as Error & Record<string, unknown>;
}

const plain = (to: string, subject = SUBJECT) => ({ to, subject, html: HTML, text: TEXT });
const withSheet = (to: string, filename = FILENAME) => ({
  ...plain(to),
  attachments: [{ filename, contentType: XLSX, content: XLSX_BYTES }],
});

describe('over STARTTLS with a login (a plain port)', () => {
  let smtp: TestSmtpServer;
  let mail: Awaited<ReturnType<typeof load>>;

  beforeAll(async () => {
    smtp = await startSmtpServer();
    mail = await load(smtp.env());
  });
  afterAll(async () => {
    await smtp.close();
  });
  beforeEach(() => {
    smtp.disarm();
    smtp.clear();
  });

  it('sends a plain email once, to its one recipient, with the Chinese subject and display name and UTF-8 bodies', async () => {
    const to = `leader@${DOMAIN}`;

    const messageId = await mail.sendEmail(plain(to));

    expect(smtp.messages).toHaveLength(1);
    const [m] = smtp.messages;
    expect(m?.to).toEqual([to]);
    expect(m?.from).toBe('baosong@example.com');
    expect(m?.secure).toBe(true);
    expect(m?.user).toBe(SMTP_USER);
    expect(m?.parsed.messageId).toBe(messageId);
    expect(m?.parsed.subject).toBe(SUBJECT);
    expect(m?.parsed.from?.value).toEqual([{ name: '县委组织部信息科', address: 'baosong@example.com' }]);
    expect(m?.parsed.to).toMatchObject({ value: [{ address: to }] });
    expect(m?.parsed.text?.trim()).toBe(TEXT);
    expect(m?.parsed.html).toContain(HTML);
    expect(m?.parsed.attachments).toEqual([]);
    // Every non-ASCII character encoded (encoded words, base64 bodies): no server needs 8BITMIME or SMTPUTF8.
    expect(m!.raw.every((byte) => byte < 0x80)).toBe(true);
    const rawText = m!.raw.toString('latin1');
    expect(rawText).toMatch(/^From: =\?UTF-8\?[BQ]\?[^?]+\?= <baosong@example\.com>\r$/m);
    expect(rawText).toMatch(/charset=utf-8\r\nContent-Transfer-Encoding: base64/i);
  });

  it('sends the .xlsx attachment with its Chinese filename and its bytes identical', async () => {
    const to = `editor@${DOMAIN}`;

    const messageId = await mail.sendEmailWithAttachments(withSheet(to));

    expect(smtp.messages).toHaveLength(1);
    const [m] = smtp.messages;
    expect(m?.to).toEqual([to]);
    expect(m?.parsed.messageId).toBe(messageId);
    expect(m?.parsed.subject).toBe(SUBJECT);
    expect(m?.parsed.from?.value).toEqual([{ name: '县委组织部信息科', address: 'baosong@example.com' }]);
    expect(m?.parsed.text?.trim()).toBe(TEXT);
    expect(m?.parsed.html).toContain(HTML);
    expect(m?.parsed.attachments).toHaveLength(1);
    const [attachment] = m!.parsed.attachments;
    expect(attachment?.filename).toBe(FILENAME);
    expect(attachment?.contentType).toBe(XLSX);
    expect(new Uint8Array(attachment!.content)).toEqual(XLSX_BYTES);
    expect(m!.raw.every((byte) => byte < 0x80)).toBe(true);
  });

  it('keeps a CR/LF in the subject or a filename from adding a header or a recipient', async () => {
    const to = `zhang@${DOMAIN}`;

    await mail.sendEmailWithAttachments({
      ...withSheet(to, '报送情况\r\nBcc: x@evil.example.xlsx'),
      subject: `${SUBJECT}\r\nBcc: x@evil.example`,
    });

    expect(smtp.messages).toHaveLength(1);
    const [m] = smtp.messages;
    expect(m?.to).toEqual([to]);
    expect(m?.parsed.subject).toBe(`${SUBJECT} Bcc: x@evil.example`);
    expect(m?.parsed.bcc).toBeUndefined();
    expect(m?.parsed.attachments[0]?.filename).toBe('报送情况 Bcc: x@evil.example.xlsx');
    const headers = m!.raw.toString('latin1').split('\r\n\r\n')[0]!.split('\r\n');
    expect(headers.filter((line) => /^bcc:/i.test(line))).toEqual([]);
  });

  it.each([
    ['a CR/LF and a Bcc line', `zhou@${DOMAIN}\r\nBcc: x@evil.example`],
    ['a second address', `zhou@${DOMAIN}, x@evil.example`],
    ['a group', `all: zhou@${DOMAIN}, x@evil.example;`],
  ])('refuses a recipient with %s, for good, and sends nothing', async (_what, to) => {
    const err = await failureOf(mail.sendEmail(plain(to)));

    expect(err.code).toBe('EENVELOPE');
    expect(mail.isGivenUp(1, err)).toBe(true);
    expect(smtp.messages).toEqual([]);
  });

  it.each([
    ['rcpt', 550],
    ['rcpt', 553],
    ['data', 554],
    ['data', 550],
  ] as const)(
    'gives up at once when the server answers %s with %i (permanent, as SES MessageRejected)',
    async (at, code) => {
      const to = `chen@${DOMAIN}`;
      smtp.arm({ kind: 'refuse', at, code });

      const err = await failureOf(mail.sendEmail(plain(to)));

      expect(err.responseCode).toBe(code);
      expect(mail.isGivenUp(1, err)).toBe(true);
      expect(smtp.messages).toEqual([]);
    },
  );

  it.each([
    ['rcpt', 421],
    ['rcpt', 450],
    ['rcpt', 451],
    ['rcpt', 452],
    ['data', 421],
    ['data', 451],
  ] as const)('tries again later when the server answers %s with %i (temporary)', async (at, code) => {
    const to = `chen@${DOMAIN}`;
    smtp.arm({ kind: 'refuse', at, code });

    const err = await failureOf(mail.sendEmail(plain(to)));

    expect(err.responseCode).toBe(code);
    expect(mail.isGivenUp(1, err)).toBe(false);
    expect(mail.isGivenUp(mail.MAX_ATTEMPTS, err)).toBe(true);
    expect(smtp.messages).toEqual([]);
    // And the next try goes.
    await mail.sendEmail(plain(to));
    expect(smtp.messages.map((m) => m.to)).toEqual([[to]]);
  });

  it('tries again later when the connection drops after the message was taken (the answer lost)', async () => {
    smtp.arm({ kind: 'lostAnswer' });

    const err = await failureOf(mail.sendEmail(plain(`chen@${DOMAIN}`)));

    expect(mail.isGivenUp(1, err)).toBe(false);
    expect(smtp.messages).toHaveLength(1); // it did go: a retry sends it twice, the outbox's crash window
  });

  it('cuts off a server that takes the connection and never answers, within the request budget', async () => {
    smtp.arm({ kind: 'silent' });
    const started = Date.now();

    const err = await failureOf(mail.withBudget(400, () => mail.sendEmail(plain(`chen@${DOMAIN}`))));

    expect(Date.now() - started).toBeLessThan(1500);
    expect(mail.isAborted(err)).toBe(true);
    expect(mail.isGivenUp(1, err)).toBe(false);
    expect(smtp.messages).toEqual([]);
  });

  it('cuts off a server that takes the message and never answers, within the request budget', async () => {
    smtp.arm({ kind: 'timeout' });
    const started = Date.now();

    const err = await failureOf(mail.withBudget(400, () => mail.sendEmailWithAttachments(withSheet(`chen@${DOMAIN}`))));

    expect(Date.now() - started).toBeLessThan(1500);
    expect(mail.isAborted(err)).toBe(true);
    expect(mail.isGivenUp(1, err)).toBe(false);
  });

  it('cuts off a silent server outside any request (a job) by its own time-outs', async () => {
    smtp.arm({ kind: 'silent' });
    const started = Date.now();

    const err = await failureOf(mail.sendEmail(plain(`chen@${DOMAIN}`)));

    expect(Date.now() - started).toBeLessThan(8000);
    expect(err.code).toBe('ETIMEDOUT');
    expect(mail.isGivenUp(1, err)).toBe(false);
  }, 15_000);

  it('tries again later when the server is down', async () => {
    await smtp.stop();
    try {
      const err = await failureOf(mail.sendEmail(plain(`chen@${DOMAIN}`)));

      expect(err.code).toBe('ESOCKET');
      expect(mail.isGivenUp(1, err)).toBe(false);
    } finally {
      await smtp.start();
    }
    await mail.sendEmail(plain(`chen@${DOMAIN}`));
    expect(smtp.messages).toHaveLength(1);
  });
});

describe('the login and TLS', () => {
  let smtp: TestSmtpServer;

  beforeAll(async () => {
    smtp = await startSmtpServer();
  });
  afterAll(async () => {
    await smtp.close();
  });

  it('refuses a wrong password (535) and tries again later: the settings are fixed once for every email', async () => {
    const mail = await load(smtp.env({ SMTP_PASS: 'wrong' }));

    const err = await failureOf(mail.sendEmail(plain(`chen@${DOMAIN}`)));

    expect(err.code).toBe('EAUTH');
    expect(err.responseCode).toBe(535);
    expect(mail.isGivenUp(1, err)).toBe(false);
    expect(smtp.messages).toEqual([]);
  });

  it('checks the server certificate unless told otherwise (the test server’s is self-signed)', async () => {
    const mail = await load(smtp.env({ SMTP_ALLOW_SELF_SIGNED: '' }));

    const err = await failureOf(mail.sendEmail(plain(`chen@${DOMAIN}`)));

    expect(err.message).toMatch(/certificate/i);
    expect(mail.isGivenUp(1, err)).toBe(false);
    expect(smtp.messages).toEqual([]);
  });

  it('never logs in over a plain connection: a server without STARTTLS is refused', async () => {
    const clear = await startSmtpServer({ startTls: false });
    try {
      const mail = await load(clear.env());

      const err = await failureOf(mail.sendEmail(plain(`chen@${DOMAIN}`)));

      expect(err.code).toBe('ETLS');
      expect(clear.messages).toEqual([]);
    } finally {
      await clear.close();
    }
  });

  it('sends over implicit TLS (port 465 style) as well', async () => {
    const tls = await startSmtpServer({ secure: true });
    try {
      const mail = await load(tls.env());

      await mail.sendEmailWithAttachments(withSheet(`wang@${DOMAIN}`));

      expect(tls.messages).toHaveLength(1);
      expect(tls.messages[0]).toMatchObject({ to: [`wang@${DOMAIN}`], secure: true, user: SMTP_USER });
      expect(new Uint8Array(tls.messages[0]!.parsed.attachments[0]!.content)).toEqual(XLSX_BYTES);
    } finally {
      await tls.close();
    }
  });
});

describe('credentials from Secrets Manager (SMTP_SECRET_ARN)', () => {
  let smtp: TestSmtpServer;
  let secrets: Server;
  let secretString = '';
  const asked: string[] = [];

  beforeAll(async () => {
    smtp = await startSmtpServer();
    // Secrets Manager as the SDK reaches it (AWS JSON 1.1 over HTTP), answering GetSecretValue only.
    secrets = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => {
        body += chunk;
      });
      req.on('end', () => {
        asked.push(`${req.headers['x-amz-target']} ${(JSON.parse(body) as { SecretId: string }).SecretId}`);
        res.setHeader('content-type', 'application/x-amz-json-1.1');
        res.end(JSON.stringify({ Name: 'smtp', SecretString: secretString }));
      });
    });
    await new Promise<void>((resolve) => secrets.listen(0, '127.0.0.1', resolve));
    Object.assign(process.env, {
      AWS_ENDPOINT_URL_SECRETS_MANAGER: `http://127.0.0.1:${(secrets.address() as AddressInfo).port}`,
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
    });
  });
  afterAll(async () => {
    await smtp.close();
    await new Promise((resolve) => secrets.close(resolve));
  });

  const ARN = 'arn:aws-cn:secretsmanager:cn-north-1:123456789012:secret:baosong-smtp';

  it('logs in with the secret’s username and password, read once for every send of the process', async () => {
    secretString = JSON.stringify({ username: SMTP_USER, password: SMTP_PASS });
    asked.length = 0;
    const mail = await load(smtp.env({ SMTP_USER: '', SMTP_PASS: '', SMTP_SECRET_ARN: ARN }));

    await mail.sendEmail(plain(`chen@${DOMAIN}`));
    await mail.sendEmailWithAttachments(withSheet(`zhou@${DOMAIN}`));

    expect(smtp.messages.map((m) => [m.to, m.user])).toEqual([
      [[`chen@${DOMAIN}`], SMTP_USER],
      [[`zhou@${DOMAIN}`], SMTP_USER],
    ]);
    expect(asked).toEqual([`secretsmanager.GetSecretValue ${ARN}`]);
  });

  it('reads the secret again after a refused login (a rotated password), and then logs in', async () => {
    secretString = JSON.stringify({ username: SMTP_USER, password: 'the-old-password' });
    asked.length = 0;
    smtp.clear();
    const mail = await load(smtp.env({ SMTP_USER: '', SMTP_PASS: '', SMTP_SECRET_ARN: ARN }));
    const err = await failureOf(mail.sendEmail(plain(`chen@${DOMAIN}`)));
    expect(err.code).toBe('EAUTH');
    secretString = JSON.stringify({ username: SMTP_USER, password: SMTP_PASS });

    await mail.sendEmail(plain(`chen@${DOMAIN}`));

    expect(asked).toHaveLength(2);
    expect(smtp.messages.map((m) => [m.to, m.user])).toEqual([[[`chen@${DOMAIN}`], SMTP_USER]]);
  });

  it('says the secret is malformed without repeating it, and reads it again on the next send', async () => {
    secretString = 'hunter2-not-json';
    asked.length = 0;
    const mail = await load(smtp.env({ SMTP_USER: '', SMTP_PASS: '', SMTP_SECRET_ARN: ARN }));

    const err = await failureOf(mail.sendEmail(plain(`chen@${DOMAIN}`)));

    expect(err.message).toContain('{"username":"…","password":"…"}');
    expect(err.message).not.toContain('hunter2');
    expect(mail.isGivenUp(1, err)).toBe(false);
    await failureOf(mail.sendEmail(plain(`chen@${DOMAIN}`)));
    expect(asked).toHaveLength(2);
  });
});

describe('with MAIL_TRANSPORT=ses (the default)', () => {
  it('names SES_CONFIGURATION_SET on SendEmail and SendRawEmail, and only when it is set', async () => {
    const inputs: Record<string, unknown>[] = [];
    for (const set of ['baosong-events', '']) {
      const mail = await load({ SES_CONFIGURATION_SET: set });
      mail.sesClient().middlewareStack.add(
        (next) => async (args) => {
          inputs.push((args as { input: Record<string, unknown> }).input);
          return next(args);
        },
        { step: 'initialize' },
      );

      await mail.sendEmail(plain(`chen@${DOMAIN}`));
      await mail.sendEmailWithAttachments(withSheet(`chen@${DOMAIN}`));
    }

    expect(inputs.map((i) => i.ConfigurationSetName)).toEqual([
      'baosong-events',
      'baosong-events',
      undefined,
      undefined,
    ]);
    expect(inputs.every((i) => !('ConfigurationSetName' in i) || i.ConfigurationSetName)).toBe(true);
  });
});

describe('the SMTP settings', () => {
  const env = (more: Record<string, string>) => ({
    ...BASE_ENV,
    MAIL_TRANSPORT: 'smtp',
    SMTP_HOST: 'mail.example.gov.cn',
    ...more,
  });
  const secret = { SMTP_SECRET_ARN: 'arn:aws-cn:secretsmanager:cn-north-1:1:secret:s' };

  it('default to SES, and to port 465 with implicit TLS for SMTP', () => {
    expect(readConfig(BASE_ENV)).toMatchObject({ mailTransport: 'ses' });
    expect(readConfig(BASE_ENV).smtp).toBeUndefined();
    expect(readConfig(env(secret)).smtp).toEqual({
      host: 'mail.example.gov.cn',
      port: 465,
      secure: true,
      secretArn: secret.SMTP_SECRET_ARN,
      allowSelfSigned: false,
    });
  });

  it('use STARTTLS on any other port, 587 when implicit TLS is turned off', () => {
    expect(readConfig(env({ ...secret, SMTP_PORT: '587' })).smtp).toMatchObject({ port: 587, secure: false });
    expect(readConfig(env({ ...secret, SMTP_SECURE: 'false' })).smtp).toMatchObject({ port: 587, secure: false });
    expect(readConfig(env({ ...secret, SMTP_PORT: '2465', SMTP_SECURE: 'true' })).smtp).toMatchObject({
      port: 2465,
      secure: true,
    });
    expect(readConfig(env({ SMTP_USER: 'u', SMTP_PASS: 'p' })).smtp).toMatchObject({ user: 'u', pass: 'p' });
  });

  it.each([
    [{ MAIL_TRANSPORT: 'sendmail' }, /MAIL_TRANSPORT/],
    [{ SMTP_HOST: '', ...secret }, /SMTP_HOST/],
    [{}, /SMTP_SECRET_ARN/],
    [{ SMTP_USER: 'u' }, /SMTP_PASS/],
    [{ ...secret, SMTP_PORT: 'smtp' }, /SMTP_PORT/],
    [{ ...secret, SMTP_SECURE: 'yes please' }, /SMTP_SECURE/],
    [{ ...secret, SMTP_ALLOW_SELF_SIGNED: '1' }, /SMTP_ALLOW_SELF_SIGNED.*local/],
  ])('fail fast naming the variable (%o)', (more, named) => {
    expect(() => readConfig(env(more as Record<string, string>))).toThrow(named);
  });
});
