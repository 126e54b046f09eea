// The outbox and the 通报 run over SMTP (MAIL_TRANSPORT=smtp), end to end against a real SMTP server started here
// (test/support/smtp.ts), with the invariants outbox.test.ts checks over SES: every recipient's email once, each its
// own message; a piece submitted while the server is down or refusing for now (4yz) is still received, and its
// emails are sent once by the sweeper after the back-off; one the server refuses for good (5yz) is given up at once
// and swept no more; a lost answer sends an email twice at most; a silent server costs a request no more than its
// budget; each of these faults at each email of a submission heals so. Every message came over TLS after a login.
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { handler as sweep } from '../../../functions/sweeper';
import { sendBulletin } from '../../../shared/bulletin/sendBulletin';
import { setClock } from '../../../shared/core/clock';
import { config } from '../../../shared/core/config';
import { failedEmails } from '../../../shared/mail/outbox';
import { backoffMs } from '../../../shared/mail/retry';
import { importRoster } from '../../../shared/roster/importRoster';
import { db, tableName } from '../../../shared/store/db';
import { keys } from '../../../shared/store/keys';
import { OUTBOX_INDEX } from '../../../shared/store/tableDefinition';
import { LONG_BODY, linkIn, rosterCsv, startTestCounty, type TestCounty } from '../../support/harness';
import { SMTP_USER, type SmtpFault, smtpCounty, startSmtpServer, type TestSmtpServer } from '../../support/smtp';

let smtp: TestSmtpServer;
let county: TestCounty;
const keyOf: Record<string, string> = {};
const T0 = new Date('2026-03-10T02:00:00Z').getTime();
const BUDGET_MS = 1500;
const ACK = /^已收到您的稿件/;
const at = (name: string) => `${name}@${county.domain}`;

beforeAll(async () => {
  setClock(new Date(T0));
  smtp = await startSmtpServer();
  Object.assign(process.env, smtp.env({ REQUEST_BUDGET_MS: String(BUDGET_MS) }));
  county = smtpCounty(await startTestCounty(), smtp);
  const imported = await importRoster(rosterCsv(county.domain));
  expect(imported).toMatchObject({ ok: true, summary: { welcomed: 3 } });
  for (const name of ['chen', 'zhang', 'zhou']) {
    const [welcome] = await county.waitForMails(at(name), 1);
    keyOf[name] = new URL(linkIn(welcome)).searchParams.get('k')!;
  }
});
afterAll(async () => {
  setClock(undefined);
  await county.close();
  await smtp.close();
});
afterEach(() => {
  smtp.disarm();
});

async function submit(informant: string, title: string): Promise<Response> {
  return fetch(`${county.baseUrl}/submissions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ k: keyOf[informant], kind: 'info', title, body: LONG_BODY }),
  });
}

async function acks(to: string, title: string) {
  return (await county.mails(to)).filter((m) => ACK.test(m.subject) && m.subject.endsWith(title));
}

async function about(to: string, title: string) {
  return (await county.mails(to)).filter((m) => m.subject.includes(title));
}

/** Emails about `title` that went out more than once: the same subject to the same address. */
async function duplicates(title: string): Promise<string[]> {
  const seen = (await county.mails())
    .filter((m) => m.subject.includes(title))
    .map((m) => `${m.destination.to.join(',')} ${m.subject}`);
  return seen.filter((line, i) => seen.indexOf(line) !== i);
}

/** Whether the item of a piece's first event still holds unsent email (read from the sparse outbox index). */
async function inOutbox(receipt: string): Promise<boolean> {
  const out = await db().send(
    new QueryCommand({
      TableName: tableName(),
      IndexName: OUTBOX_INDEX.name,
      KeyConditionExpression: '#o = :o',
      ExpressionAttributeNames: { '#o': OUTBOX_INDEX.partition },
      ExpressionAttributeValues: { ':o': keys.outbox(config().countyId) },
    }),
  );
  const piece = keys.piece(config().countyId, receipt);
  return (out.Items ?? []).some((item) => item.pk === piece && item.sk === keys.eventSk(1));
}

describe('a submission while the SMTP server is up', () => {
  it('sends the acknowledgment and the review request once each, one recipient a message, over TLS with a login', async () => {
    const title = 'SMTP 正常时报送的稿件';
    setClock(new Date(T0 + 3600_000));
    let answered = false;
    const posting = submit('zhou', title).finally(() => {
      answered = true;
    });
    const sweeping = (async () => {
      let sweeps = 0;
      while (!answered || sweeps < 3) {
        await sweep();
        sweeps += 1;
      }
    })();

    const [res] = await Promise.all([posting, sweeping]);
    await sweep();

    expect(res.status).toBe(201);
    const { receipt } = (await res.json()) as { receipt: string };
    const [ack] = await acks(at('zhou'), title);
    expect(await acks(at('zhou'), title)).toHaveLength(1);
    expect(ack?.subject).toBe(`已收到您的稿件（回执号 ${receipt}）：${title}`);
    expect(ack?.from).toBe('"县委组织部信息科" <baosong@example.com>');
    expect((await fetch(linkIn(ack, '/submissions/'))).status).toBe(200);
    expect(await about(at('editor'), title)).toHaveLength(1);
    expect(await inOutbox(receipt)).toBe(false);
    expect(await duplicates(title)).toEqual([]);
    for (const m of smtp.messages) {
      expect(m.to).toHaveLength(1);
      expect(m).toMatchObject({ secure: true, user: SMTP_USER });
    }
  });
});

describe('when the SMTP server is down and comes back', () => {
  const title = 'SMTP 服务器停机期间报送的稿件';
  let receipt: string;

  it('still accepts the piece with 201 and keeps its emails in the outbox', async () => {
    setClock(new Date(T0 + 2 * 3600_000));
    await smtp.stop();

    const res = await submit('chen', title);

    expect(res.status).toBe(201);
    receipt = ((await res.json()) as { receipt: string }).receipt;
    expect(await inOutbox(receipt)).toBe(true);
  });

  it('leaves them there while the sweeper runs within the back-off, and after it while the server is still down', async () => {
    expect(await sweep()).toMatchObject({ sent: 0, failed: 0 });
    setClock(new Date(T0 + 2 * 3600_000 + backoffMs(1) + 1000));

    const result = await sweep();

    expect(result.sent).toBe(0);
    expect(result.failed).toBeGreaterThan(0);
    expect(await inOutbox(receipt)).toBe(true);
  });

  it('sends each email exactly once when the server is back and the back-off is over', async () => {
    await smtp.start();
    setClock(new Date(T0 + 2 * 3600_000 + backoffMs(1) + 1000 + backoffMs(2) - 1000));
    expect(await sweep()).toMatchObject({ sent: 0 });
    setClock(new Date(T0 + 2 * 3600_000 + backoffMs(1) + 1000 + backoffMs(2) + 1000));

    expect(await sweep()).toMatchObject({ failed: 0 });

    expect(await acks(at('chen'), title)).toHaveLength(1);
    expect(await about(at('editor'), title)).toHaveLength(1);
    expect(await inOutbox(receipt)).toBe(false);
    expect(await sweep()).toEqual({ sent: 0, failed: 0, pending: 0 });
    expect(await duplicates(title)).toEqual([]);
  });
});

describe('a refusal for now (4yz)', () => {
  it.each([
    ['RCPT TO', 'rcpt', 451],
    ['the end of DATA', 'data', 421],
  ] as const)('at %s is tried again by the sweeper after the back-off, and sent once', async (_where, stage, code) => {
    const t = T0 + (stage === 'rcpt' ? 4 : 5) * 3600_000;
    setClock(new Date(t));
    const title = `暂时拒收（${code}）的回执`;
    smtp.arm({ kind: 'refuse', at: stage, code }, { to: at('zhang') });

    const res = await submit('zhang', title);

    expect(res.status).toBe(201);
    const { receipt } = (await res.json()) as { receipt: string };
    expect(await acks(at('zhang'), title)).toHaveLength(0);
    expect(await about(at('editor'), title)).toHaveLength(1);
    expect(await inOutbox(receipt)).toBe(true);
    expect((await failedEmails(config().countyId)).filter((f) => f.key.pk.endsWith(receipt))).toEqual([]);

    setClock(new Date(t + backoffMs(1) + 1000));
    await sweep();

    expect(await acks(at('zhang'), title)).toHaveLength(1);
    expect(await about(at('editor'), title)).toHaveLength(1);
    expect(await inOutbox(receipt)).toBe(false);
    expect(await duplicates(title)).toEqual([]);
  });
});

describe('a refusal for good (5yz)', () => {
  it.each([
    ['RCPT TO', 'rcpt', 550],
    ['the end of DATA', 'data', 554],
  ] as const)(
    'at %s gives the email up at once, lists it as failed, and sweeps it no more',
    async (_where, stage, code) => {
      const t = T0 + (stage === 'rcpt' ? 6 : 7) * 3600_000;
      setClock(new Date(t));
      const title = `永久拒收（${code}）的回执`;
      smtp.arm({ kind: 'refuse', at: stage, code }, { to: at('chen'), times: 5 });

      const res = await submit('chen', title);

      expect(res.status).toBe(201);
      const { receipt } = (await res.json()) as { receipt: string };
      const failed = (await failedEmails(config().countyId)).filter(
        (f) => f.key.pk === keys.piece(config().countyId, receipt),
      );
      expect(failed).toEqual([
        expect.objectContaining({
          to: at('chen'),
          template: 'ack',
          attempts: 1,
          lastError: expect.stringContaining(String(code)),
        }),
      ]);
      setClock(new Date(t + 3 * backoffMs(3)));
      await sweep();
      expect(await acks(at('chen'), title)).toHaveLength(0);
      expect(await about(at('editor'), title)).toHaveLength(1);
      expect(await inOutbox(receipt)).toBe(false);
    },
  );
});

describe('an answer lost after the server took the message', () => {
  it('sends that email again after the back-off — twice at most, never more — and the rest once', async () => {
    const t = T0 + 8 * 3600_000;
    setClock(new Date(t));
    const title = '应答丢失的回执';
    smtp.arm({ kind: 'lostAnswer' }, { to: at('zhou') });

    const res = await submit('zhou', title);

    expect(res.status).toBe(201);
    const { receipt } = (await res.json()) as { receipt: string };
    for (let i = 1; i <= 3; i++) {
      setClock(new Date(t + i * backoffMs(i + 1)));
      await sweep();
    }
    expect(await acks(at('zhou'), title)).toHaveLength(2);
    expect(await about(at('editor'), title)).toHaveLength(1);
    expect(await inOutbox(receipt)).toBe(false);
  });
});

describe('a server that takes the connection and never answers', () => {
  it('costs the request no more than its budget; the sweeper sends the emails once when it answers again', async () => {
    const t = T0 + 9 * 3600_000;
    setClock(new Date(t));
    const title = '服务器无应答时报送的稿件';
    smtp.arm({ kind: 'silent' }, { times: 10 });
    const started = Date.now();

    const res = await submit('chen', title);

    expect(res.status).toBe(201);
    expect(Date.now() - started).toBeLessThan(BUDGET_MS + 1500);
    expect(smtp.hung).toBeGreaterThan(0);
    const { receipt } = (await res.json()) as { receipt: string };
    expect(await inOutbox(receipt)).toBe(true);
    smtp.disarm();

    setClock(new Date(t + backoffMs(1) + 1000));
    await sweep();

    expect(await acks(at('chen'), title)).toHaveLength(1);
    expect(await about(at('editor'), title)).toHaveLength(1);
    expect(await inOutbox(receipt)).toBe(false);
    expect(await duplicates(title)).toEqual([]);
  });
});

describe('a submission under every SMTP fault, at each of its emails', () => {
  const FAULTS: { name: string; fault: SmtpFault; mayRepeat: boolean }[] = [
    { name: 'lost answer', fault: { kind: 'lostAnswer' }, mayRepeat: true },
    { name: 'no answer after the message (time-out)', fault: { kind: 'timeout' }, mayRepeat: true },
    { name: '421 at the end of DATA', fault: { kind: 'refuse', at: 'data', code: 421 }, mayRepeat: false },
    { name: '451 at RCPT TO', fault: { kind: 'refuse', at: 'rcpt', code: 451 }, mayRepeat: false },
  ];
  const cases = FAULTS.flatMap((f) => ['zhou', 'editor'].map((target) => ({ ...f, target })));

  it(`keeps the piece and sends each email once (twice at most where the server took it) in ${cases.length} cases`, async () => {
    let t = T0 + 20 * 3600_000;
    const violations: string[] = [];
    for (const c of cases) {
      t += 3600_000;
      setClock(new Date(t));
      const title = `SMTP 故障 ${c.name} ${c.target}`;
      smtp.arm(c.fault, { to: at(c.target) });
      const res = await submit('zhou', title);
      smtp.disarm();
      const label = `${c.name} at ${c.target}`;
      if (res.status !== 201) violations.push(`${label}: answered ${res.status}`);
      const { receipt } = (await res.json()) as { receipt: string };
      // Recovery as time heals it: past every back-off, the sweeper runs until the outbox is empty.
      for (let i = 1; i <= 4 && (await inOutbox(receipt)); i++) {
        t += backoffMs(i) + 1000;
        setClock(new Date(t));
        await sweep();
      }
      const most = c.mayRepeat ? 2 : 1;
      for (const [name, n] of [
        ['acknowledgments', (await acks(at('zhou'), title)).length],
        ['review requests', (await about(at('editor'), title)).length],
      ] as const) {
        if (n < 1 || n > most) violations.push(`${label}: ${n} ${name}`);
      }
      if (await inOutbox(receipt)) violations.push(`${label}: still in the outbox`);
      const failed = (await failedEmails(config().countyId)).filter((f) => f.key.pk.endsWith(`#P#${receipt}`));
      if (failed.length) violations.push(`${label}: given up ${failed.map((f) => f.to).join(', ')}`);
    }
    expect(violations).toEqual([]);
  }, 60_000);
});

describe('a 通报 run over SMTP', () => {
  it('sends each recipient the .xlsx once, gives up a 550, and waits out a 451 within the run, as an SES throttle', async () => {
    const t = T0 + 10 * 3600_000;
    setClock(new Date(t));
    smtp.arm({ kind: 'refuse', at: 'rcpt', code: 550 }, { to: at('zhang'), times: 5 });
    smtp.arm({ kind: 'refuse', at: 'data', code: 451 }, { to: at('leader') });
    const bulletins = async (name: string) => (await county.mails(at(name))).filter((m) => m.subject.includes('通报'));

    const result = await sendBulletin('2026-02', { by: '测试' });

    expect(result).toMatchObject({ recipients: 5, sent: 4, givenUp: 1, failed: 0 });
    for (const name of ['chen', 'zhou', 'editor', 'leader']) expect(await bulletins(name)).toHaveLength(1);
    const message = smtp.messages.find((m) => m.to[0] === at('chen') && m.parsed.subject?.includes('通报'));
    const [sheet] = message?.parsed.attachments ?? [];
    expect(sheet?.filename).toMatch(/\.xlsx$/);
    expect(sheet?.content.subarray(0, 2).toString('latin1')).toBe('PK');

    // The sweeper finds nothing left of the run to send.
    setClock(new Date(t + backoffMs(1) + 1000));
    await sweep();

    for (const name of ['chen', 'zhou', 'editor', 'leader']) expect(await bulletins(name)).toHaveLength(1);
    expect(await bulletins('zhang')).toHaveLength(0);
    expect(await duplicates('通报')).toEqual([]);
  });
});
