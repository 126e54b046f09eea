// The email outbox end to end: a piece submitted while SES is down is still received (201), its acknowledgment
// waits in the outbox, the sweeper respects the back-off and sends it exactly once when SES is back; sweepers
// running side by side never send one notification twice. This file runs its own aws-ses-v2-local so it can stop it.
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { handler as sweep } from '../../../functions/sweeper';
import { type RunningServer, startSes } from '../../../local/standins';
import { setClock } from '../../../shared/core/clock';
import { config } from '../../../shared/core/config';
import { deliverWritten, failedEmails, outboxAttributes } from '../../../shared/mail/outbox';
import { backoffMs, MAX_ATTEMPTS } from '../../../shared/mail/retry';
import { reviewTemplates } from '../../../shared/review/emails';
import { importRoster } from '../../../shared/roster/importRoster';
import { listRoster, rosterRecipients } from '../../../shared/roster/people';
import { revokePerson } from '../../../shared/roster/revokePerson';
import { db, putIfAbsent, tableName } from '../../../shared/store/db';
import { keys } from '../../../shared/store/keys';
import { OUTBOX_INDEX } from '../../../shared/store/tableDefinition';
import { faults } from '../../support/faults';
import { LONG_BODY, linkIn, rosterCsv, startTestCounty, type TestCounty } from '../../support/harness';

let county: TestCounty;
let ses: RunningServer | undefined;
let sesPort: number;
const keyOf: Record<string, string> = {};
const T0 = new Date('2026-03-10T02:00:00Z').getTime();
const ACK = /^已收到您的稿件/;

beforeAll(async () => {
  setClock(new Date(T0));
  ses = await startSes({ port: 0 });
  sesPort = ses.port;
  county = await startTestCounty({ sesEndpoint: `http://127.0.0.1:${sesPort}` });
  const imported = await importRoster(rosterCsv(county.domain));
  expect(imported).toMatchObject({ ok: true, summary: { welcomed: 3 } });
  for (const name of ['chen', 'zhang', 'zhou']) {
    const [welcome] = await county.waitForMails(`${name}@${county.domain}`, 1);
    keyOf[name] = new URL(linkIn(welcome)).searchParams.get('k')!;
  }
});
afterAll(async () => {
  setClock(undefined);
  await county.close();
  await ses?.close();
});

async function stopSes(): Promise<void> {
  await ses?.close();
  ses = undefined;
}

async function restartSes(): Promise<void> {
  ses = await startSes({ port: sesPort });
}

async function submit(informant: string, title: string): Promise<Response> {
  return fetch(`${county.baseUrl}/submissions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ k: keyOf[informant], kind: 'info', title, body: LONG_BODY }),
  });
}

/** The keys of the items still holding unsent email, read from the sparse outbox index. */
async function outbox(): Promise<string[]> {
  const out = await db().send(
    new QueryCommand({
      TableName: tableName(),
      IndexName: OUTBOX_INDEX.name,
      KeyConditionExpression: '#o = :o',
      ExpressionAttributeNames: { '#o': OUTBOX_INDEX.partition },
      ExpressionAttributeValues: { ':o': keys.outbox(config().countyId) },
    }),
  );
  return (out.Items ?? []).map((item) => `${item.pk}|${item.sk}`);
}

/** Emails of this file that went out more than once: the same subject to the same address. */
async function duplicates(): Promise<string[]> {
  const seen = (await county.mails()).map((m) => `${m.destination.to.join(',')} ${m.subject}`);
  return seen.filter((line, i) => seen.indexOf(line) !== i);
}

async function acks(to: string, title: string) {
  return (await county.mails(to)).filter((m) => ACK.test(m.subject) && m.subject.endsWith(title));
}

describe('when SES is down and comes back', () => {
  const title = 'SES 故障期间报送的稿件';
  let receipt: string;
  let pieceKey: string;

  it('still accepts the piece with 201 and a receipt number', async () => {
    await stopSes();

    const res = await submit('chen', title);

    expect(res.status).toBe(201);
    const body = (await res.json()) as { receipt: string; status: string };
    expect(body.receipt).toMatch(/^2026-\d{4}$/);
    expect(body.status).toBe('submitted');
    receipt = body.receipt;
    pieceKey = `${keys.piece(config().countyId, receipt)}|${keys.eventSk(1)}`;
    expect(await outbox()).toContain(pieceKey);
  });

  it('leaves the acknowledgment in the outbox while the sweeper runs within the back-off', async () => {
    expect(await sweep()).toMatchObject({ sent: 0, failed: 0 });
    expect(await outbox()).toContain(pieceKey);
  });

  it('keeps it in the outbox when the sweeper retries after the back-off and SES is still down', async () => {
    setClock(new Date(T0 + backoffMs(1) + 1000));

    const result = await sweep();

    expect(result.sent).toBe(0);
    expect(result.failed).toBeGreaterThan(0);
    expect(await outbox()).toContain(pieceKey);
  });

  it('does not send before the longer second back-off is over, even with SES back', async () => {
    await restartSes();
    setClock(new Date(T0 + backoffMs(1) + 1000 + backoffMs(2) - 1000));

    expect(await sweep()).toMatchObject({ sent: 0 });
    expect(await acks(`chen@${county.domain}`, title)).toHaveLength(0);
  });

  it('sends exactly one acknowledgment once the back-off is over, with a working receipt link', async () => {
    setClock(new Date(T0 + backoffMs(1) + 1000 + backoffMs(2) + 1000));

    expect(await sweep()).toMatchObject({ failed: 0 });

    const sent = await acks(`chen@${county.domain}`, title);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.subject).toBe(`已收到您的稿件（回执号 ${receipt}）：${title}`);
    const page = await fetch(linkIn(sent[0], '/submissions/'));
    expect(page.status).toBe(200);
    expect(await page.text()).toContain(title);
    expect(await outbox()).not.toContain(pieceKey);
    expect(await duplicates()).toEqual([]);
  });

  it('sends nothing more when the sweeper runs again', async () => {
    expect(await sweep()).toEqual({ sent: 0, failed: 0, pending: 0 });
    expect(await acks(`chen@${county.domain}`, title)).toHaveLength(1);
    expect(await duplicates()).toEqual([]);
  });
});

describe('sweepers running side by side', () => {
  it('send each pending email once (leases), however many sweep at the same time', async () => {
    setClock(new Date(T0 + 3600_000));
    for (const name of ['chen', 'zhang', 'zhou']) {
      const res = await fetch(`${county.baseUrl}/link`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ email: `${name}@${county.domain}` }).toString(),
      });
      expect(res.status).toBe(200);
    }
    expect(await outbox()).toHaveLength(3);

    await Promise.all(Array.from({ length: 5 }, () => sweep()));

    for (const name of ['chen', 'zhang', 'zhou']) {
      const links = (await county.mails(`${name}@${county.domain}`)).filter((m) => m.subject === '您的个人报送链接');
      expect(links).toHaveLength(1);
    }
    expect(await outbox()).toHaveLength(0);
    expect(await duplicates()).toEqual([]);
  });

  it('send a failed acknowledgment once when five sweep it together after SES recovers', async () => {
    const title = '五个清扫同时处理的稿件';
    await stopSes();
    const res = await submit('zhang', title);
    expect(res.status).toBe(201);
    await restartSes();
    setClock(new Date(T0 + 3600_000 + backoffMs(1) + 1000));

    await Promise.all(Array.from({ length: 5 }, () => sweep()));

    expect(await acks(`zhang@${county.domain}`, title)).toHaveLength(1);
    // When the sweepers split an item's emails between them, none of them saw all sent, so the item leaves the
    // outbox on the next pass, without sending anything again.
    expect(await sweep()).toMatchObject({ sent: 0, failed: 0 });
    expect(await outbox()).toHaveLength(0);
    expect(await duplicates()).toEqual([]);
  });
});

describe('a submission while SES is up', () => {
  it('sends its acknowledgment once, even with sweepers running during and right after the request', async () => {
    const title = 'SES 正常时报送的稿件';
    setClock(new Date(T0 + 7200_000));
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
    expect(await acks(`zhou@${county.domain}`, title)).toHaveLength(1);
    expect(await outbox()).toHaveLength(0);
    expect(await duplicates()).toEqual([]);
  });
});

describe('a notification whose template the sender was not handed', () => {
  it('is left in the outbox by that sender and sent once by the sweeper, which knows every template', async () => {
    setClock(new Date(T0 + 3 * 7200_000));
    const at = new Date(T0 + 3 * 7200_000).toISOString();
    const person = (await listRoster(config().countyId)).people.find((p) => p.email === `zhang@${county.domain}`)!;
    const key = { pk: keys.rosterEvents(config().countyId), sk: `TEST#${person.personId}` };
    const note = {
      to: person.email,
      template: 'newLink',
      personId: person.personId,
      data: { name: person.name, personId: person.personId },
    };
    const item = { ...key, type: 'test', at, ...outboxAttributes(config().countyId, [note], at) };
    expect(await putIfAbsent(item)).toBe(true);

    const byReview = await deliverWritten(item, {
      templates: reviewTemplates,
      recipients: rosterRecipients(config().countyId, { people: [person] }),
    });

    expect(byReview).toEqual({ sent: 0, failed: 0, pending: 1 });
    expect(await outbox()).toContain(`${key.pk}|${key.sk}`);
    expect(await county.mails(person.email).then((m) => m.filter((e) => /已更新/.test(e.subject)))).toHaveLength(0);

    await sweep();

    const sent = (await county.mails(person.email)).filter((e) => /已更新/.test(e.subject));
    expect(sent).toHaveLength(1);
    expect(linkIn(sent[0])).toContain('/submit?k=');
    expect(await outbox()).not.toContain(`${key.pk}|${key.sk}`);
  });
});

describe('an email that cannot be sent', () => {
  it('is given up at once when SES refuses it for good, listed as failed, and swept no more', async () => {
    setClock(new Date(T0 + 4 * 7200_000));
    const title = 'SES 拒收的回执';
    faults().rejectSes(1);
    const res = await submit('chen', title);
    faults().rejectSes(0);
    expect(res.status).toBe(201);
    const { receipt } = (await res.json()) as { receipt: string };

    const failed = await failedEmails(config().countyId);

    const mine = failed.filter((f) => f.key.pk === keys.piece(config().countyId, receipt));
    expect(mine).toEqual([
      expect.objectContaining({
        to: `chen@${county.domain}`,
        template: 'ack',
        attempts: 1,
        lastError: expect.stringContaining('MessageRejected'),
      }),
    ]);
    setClock(new Date(T0 + 5 * 7200_000));
    await sweep();
    expect(await acks(`chen@${county.domain}`, title)).toHaveLength(0);
    expect(await outbox()).not.toContain(`${keys.piece(config().countyId, receipt)}|${keys.eventSk(1)}`);
  });

  it(`is given up after ${MAX_ATTEMPTS} failed attempts, and the rest of its item is still sent`, async () => {
    let t = T0 + 6 * 7200_000;
    setClock(new Date(t));
    const title = '一直发不出的回执';
    faults().failSes(1);
    const res = await submit('zhang', title);
    const { receipt } = (await res.json()) as { receipt: string };
    const pieceKey = `${keys.piece(config().countyId, receipt)}|${keys.eventSk(1)}`;
    // The acknowledgment is the item's first email; every sweep after the back-off fails it again.
    for (let attempt = 2; attempt <= MAX_ATTEMPTS; attempt++) {
      t += backoffMs(attempt) + 1000;
      setClock(new Date(t));
      faults().failSes(1);
      await sweep();
    }
    faults().failSes(0);

    const failed = (await failedEmails(config().countyId)).filter((f) => `${f.key.pk}|${f.key.sk}` === pieceKey);
    expect(failed).toEqual([expect.objectContaining({ template: 'ack', attempts: MAX_ATTEMPTS })]);
    expect(await outbox()).not.toContain(pieceKey);
    expect(await acks(`zhang@${county.domain}`, title)).toHaveLength(0);
    // The editor's review request on the same item went out.
    const review = (await county.mails(`editor@${county.domain}`)).filter((m) => m.subject.includes(title));
    expect(review).toHaveLength(1);
  });
});

describe('an email waiting in the outbox across a revoke', () => {
  it('is rendered when it is sent: its link carries the key version the roster has then, and works', async () => {
    const t = T0 + 8 * 7200_000;
    setClock(new Date(t));
    const title = '撤销前滞留的回执';
    await stopSes();
    const res = await submit('zhou', title);
    expect(res.status).toBe(201);
    await restartSes();
    await revokePerson(`zhou@${county.domain}`);
    setClock(new Date(t + backoffMs(1) + 1000));

    await sweep();

    const sent = await acks(`zhou@${county.domain}`, title);
    expect(sent).toHaveLength(1);
    expect((await fetch(linkIn(sent[0], '/submissions/'))).status).toBe(200);
  });
});
