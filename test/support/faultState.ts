// What the fault suite reads to check its invariants, straight from the table and the mailbox (never through the
// code under test): the pieces stored, the receipt numbers used, the email that went out, the outbox left over.
import { ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { handler as sweep } from '../../functions/sweeper';
import { SETTLE_MS } from '../../shared/core/budget';
import { setClock } from '../../shared/core/clock';
import { config } from '../../shared/core/config';
import { signinToken } from '../../shared/links/links';
import { db, tableName } from '../../shared/store/db';
import { personIdOf } from '../../shared/store/keys';
import { type DeskSession, signInWith } from './deskSession';
import type { FaultCase } from './faultCases';
import { form, type StoredEmail, type TestCounty } from './harness';
import type { TestSmtpServer } from './smtp';

/** Every item of the table (a Scan: test code only, the table is one test file's). */
export async function allItems(): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await db().send(new ScanCommand({ TableName: tableName(), ExclusiveStartKey: start }));
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

/** Only this piece waits for a decision: the pieces of earlier cases leave the reminder index (set-up, no faults). */
export async function onlyThisWaits(receipt: string): Promise<void> {
  for (const item of await allItems()) {
    if (item.awaiting === undefined || String(item.pk).endsWith(`#P#${receipt}`)) continue;
    await db().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: { pk: item.pk, sk: item.sk },
        UpdateExpression: 'REMOVE awaiting',
      }),
    );
  }
}

/** The events of the given type whose text (or piece title) is `title`. */
export async function eventsTitled(title: string, type?: string): Promise<Record<string, unknown>[]> {
  return (await allItems()).filter(
    (i) => String(i.sk).startsWith('E#') && i.title === title && (!type || i.type === type),
  );
}

/** Receipt numbers that are missing between 1 and the highest one used this year ("no gaps"). */
export async function receiptGaps(year: number): Promise<string[]> {
  const numbers = (await allItems())
    .filter((i) => i.type === 'submitted' && String(i.receipt).startsWith(`${year}-`))
    .map((i) => Number(String(i.receipt).slice(5)))
    .sort((a, b) => a - b);
  const gaps: string[] = [];
  for (let n = 1; n <= (numbers.at(-1) ?? 0); n++) if (!numbers.includes(n)) gaps.push(`${year}-${n}`);
  const repeated = numbers.filter((n, i) => numbers.indexOf(n) !== i).map((n) => `${year}-${n} twice`);
  return [...gaps, ...repeated];
}

/** A clock that only moves forward, by whole steps, so leases and back-offs of earlier cases are long over. */
export function steppingClock(start: number) {
  let t = start;
  setClock(new Date(t));
  return {
    now: () => t,
    advance(ms: number) {
      t += ms;
      setClock(new Date(t));
    },
  };
}

/** Items still holding unsent email, with what they hold (an empty list when all is sent). */
export async function unsent(): Promise<string[]> {
  return (await allItems())
    .filter((i) => typeof i.outbox === 'string')
    .map((i) => `${i.pk}|${i.sk} (${String(i.outbox)})`);
}

/**
 * Items that hold unsent or given-up email now and did not at `before` (what `unsent()` said when the case began):
 * after recovery, the email a case left behind, whatever earlier cases left.
 */
export async function leftInOutbox(before: readonly string[]): Promise<string[]> {
  return (await unsent()).filter((item) => !before.includes(item));
}

/**
 * Recovery as time heals it: the clock moves past every lease and back-off, and the sweeper runs until the outbox
 * is empty (or `rounds` sweeps have run).
 */
export async function recover(clock: ReturnType<typeof steppingClock>, rounds = 6): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    clock.advance(20 * 60_000);
    await sweep();
    if ((await unsent()).length === 0) return;
  }
}

/** How many emails went to `to` whose subject contains `text`. */
export function countMails(mails: StoredEmail[], to: string, text: string): number {
  return mails.filter((m) => m.destination.to.includes(to) && m.subject.includes(text)).length;
}

export interface FaultCounty {
  county: import('./harness').TestCounty;
  /** Personal keys of the informants, by name. */
  keys: Record<string, string>;
  address: (name: string) => string;
  clearMailbox: () => Promise<void>;
  close: () => Promise<void>;
  /** The SMTP server the county's mail goes through, when it was started with the `smtp` transport. */
  smtp?: TestSmtpServer;
}

/** The fault suite's request budget: short, so that a time-out costs little. */
export const FAULT_BUDGET_MS = 400;

/**
 * Whether a request under a fault answered in time: within its budget, the settling a commit may still take after
 * it, and a second of slack. A call the budget did not stop (its abort signal not passed on) answers far later.
 */
export function lateAnswer(ms: number): string[] {
  return ms > FAULT_BUDGET_MS + SETTLE_MS + 1000 ? [`answered after ${ms} ms (budget ${FAULT_BUDGET_MS} ms)`] : [];
}

/** `send`, and how long it took. */
export async function timed<A extends object>(send: () => Promise<A>): Promise<A & { ms: number }> {
  const started = Date.now();
  const answer = await send();
  return { ...answer, ms: Date.now() - started };
}

/** The county's own mailbox: an SES stand-in, or an SMTP server it sends through (MAIL_TRANSPORT=smtp). */
async function startMailbox(transport: 'ses' | 'smtp') {
  const { startTestCounty } = await import('./harness');
  if (transport === 'ses') {
    const { startSes } = await import('../../local/standins');
    const ses = await startSes({ port: 0 });
    const county = await startTestCounty({ sesEndpoint: `http://127.0.0.1:${ses.port}` });
    return {
      county,
      clearMailbox: async () => {
        await fetch(`http://127.0.0.1:${ses.port}/clear-store`, { method: 'POST' });
      },
      closeMailbox: () => ses.close(),
    };
  }
  const { smtpCounty, startSmtpServer } = await import('./smtp');
  const smtp = await startSmtpServer();
  Object.assign(process.env, smtp.env());
  const county = smtpCounty(await startTestCounty(), smtp);
  return { county, smtp, clearMailbox: async () => smtp.clear(), closeMailbox: () => smtp.close() };
}

/**
 * A county for one fault file: its own mailbox (so each case starts from an empty one) — an SES stand-in, or with
 * `transport: 'smtp'` an SMTP server the injector's `smtp` service faults —, two informants (zhang, zhou) and two
 * editors (wang, li), and a short request budget so that time-outs cost little.
 */
export async function startFaultCounty(options: { transport?: 'ses' | 'smtp' } = {}): Promise<FaultCounty> {
  const { importRoster } = await import('../../shared/roster/importRoster');
  const { linkIn } = await import('./harness');
  const { faults } = await import('./faults');
  process.env.REQUEST_BUDGET_MS = String(FAULT_BUDGET_MS);
  const { county, smtp, clearMailbox, closeMailbox } = await startMailbox(options.transport ?? 'ses');
  const d = county.domain;
  const imported = await importRoster(
    [
      '单位,姓名,邮箱,手机,角色',
      `城关镇党委,张伟,zhang@${d},,信息员`,
      `红旗乡党委,周强,zhou@${d},,信息员`,
      `县委组织部信息科,王编辑,wang@${d},,编辑`,
      `县委组织部信息科,李编辑,li@${d},,编辑`,
    ].join('\n'),
  );
  if (!imported.ok) throw new Error('fault county roster did not import');
  const keys: Record<string, string> = {};
  for (const name of ['zhang', 'zhou']) {
    const [welcome] = await county.waitForMails(`${name}@${d}`, 1);
    keys[name] = new URL(linkIn(welcome)).searchParams.get('k')!;
  }
  const injector = faults();
  if (smtp) injector.watchSmtp(smtp);
  return {
    county,
    keys,
    address: (name) => `${name}@${d}`,
    clearMailbox,
    close: async () => {
      await county.close();
      await closeMailbox();
    },
    ...(smtp ? { smtp } : {}),
  };
}

/** SES lost the answer to a send it did make: the same email may go out twice, never more, never not. */
export const sesMayRepeat = (c: { service: string; fault: string } | undefined): boolean =>
  c?.service === 'ses' && c.fault !== 'throttle';

/** The mail service (SES, or the SMTP server) took a message whose answer was lost or never came: twice at most. */
export const mailMayRepeat = (c: { service: string; fault: string } | undefined): boolean =>
  (c?.service === 'ses' || c?.service === 'smtp') && c.fault !== 'throttle';

/**
 * What the SMTP server kept that breaks the transport's own rules: a message to more than one recipient (one
 * address a message, as over SES), or one that came without TLS or a login. Empty over SES.
 */
export function smtpMessageProblems(fc: FaultCounty): string[] {
  return (fc.smtp?.messages ?? []).flatMap((m) => [
    ...(m.to.length !== 1 ? [`one message to ${m.to.length} recipients (${m.to.join(', ')})`] : []),
    ...(!m.secure || !m.user ? [`a message to ${m.to.join(', ')} without TLS or a login`] : []),
  ]);
}

/** A form post as a browser makes it. */
export function postForm(url: string, fields: Record<string, string>) {
  return fetch(url, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  }).then(async (res) => ({ status: res.status, location: res.headers.get('location'), html: await res.text() }));
}

/**
 * A set-up request (no fault armed): under the suite's 400 ms budget a busy CI machine may answer 503 now and then;
 * the same request again is what its user would do, and every request used so is idempotent.
 */
export async function setUp<A extends { status: number }>(send: () => Promise<A>): Promise<A> {
  for (let tries = 1; ; tries++) {
    const answer = await send();
    if (answer.status !== 503 || tries === 3) return answer;
  }
}

export const setUpPost = (url: string, fields: Record<string, string>) => setUp(() => postForm(url, fields));

/** A status the rules allow for the first answer under a fault: done, or 503 (never another 5xx, never a 4xx). */
export const firstAnswerProblem = (status: number): string[] => (status === 503 ? [] : [`answered ${status}`]);

/**
 * Cases whose armed fault never fired. With two calls in flight at once (a request's reads in parallel, its emails)
 * the injector counts the second one's command before the first one's attempt: a lost answer or time-out armed at
 * the first lands on neither, and one armed at the second lands on the first. They still ran and were checked; after
 * the file, stderr names them under `file`, so a reader knows which positions went untested. Returns the noter.
 */
export function unfiredCases(file: string): (route: string, c: FaultCase | undefined) => void {
  const unfired: string[] = [];
  afterAll(() => {
    if (unfired.length) process.stderr.write(`${file}: armed but not fired: ${unfired.join('; ')}\n`);
  });
  return (route, c) => {
    if (c && !c.fired) unfired.push(`${route} ${c.service}-${c.at}-${c.fault}`);
  };
}

/** The newest mail in `county`'s mailbox to `to` that `where` picks, waited for briefly (undefined if none came). */
export async function newestMail(
  county: TestCounty,
  to: string,
  where: (m: StoredEmail) => boolean,
): Promise<StoredEmail> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const found = (await county.mails(to)).filter(where).at(-1);
    if (found || Date.now() > deadline) return found!;
    await new Promise((r) => setTimeout(r, 30));
  }
}

/**
 * An editor's desk in a fault suite: their session, signed in (by a sign-in link as their emails carry it, made at
 * the clock's time: a suite's clock runs on past a link's 7 days) before it is first needed and again once the clock
 * has moved on an hour since (a session idles out after two), so each case's set-up ends signed in and no sign-in
 * falls in a faulted window; and a form post on it as their browser sends it (the session's cookie and form token).
 */
export function faultDesk(county: () => FaultCounty, clock: { now: () => number }, name: string) {
  let held: { session: DeskSession; at: number } | undefined;
  const desk = async (): Promise<DeskSession> => {
    if (!held || clock.now() - held.at > 3_600_000) {
      const fc = county();
      const token = await signinToken(personIdOf(config().countyId, fc.address(name)), 1);
      // Under the suite's short budget a busy machine may answer 503 now and then: they press again.
      let session: DeskSession | undefined;
      for (let tries = 1; !session; tries++) {
        session = await signInWith(fc.county.baseUrl, `${fc.county.baseUrl}/desk/signin/${token}`).catch((err) => {
          if (tries === 3) throw err;
          return undefined;
        });
      }
      held = { session, at: clock.now() };
    }
    return held.session;
  };
  const deskPost = async (path: string, fields: Record<string, string>) => {
    const res = await (await desk()).fetch(path, form(fields));
    return { status: res.status, location: res.headers.get('location'), html: await res.text() };
  };
  return { desk, deskPost };
}
