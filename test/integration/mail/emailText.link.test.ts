// A county whose rules keep work text out of outside mailboxes (EMAIL_FULL_TEXT=link, the deploy setting
// `baosong:emailFullText`), end to end over real HTTP and the real mailbox: a piece submitted, the informant's
// acknowledgment and the editor's review request carry neither its title nor its body, and their links open the pages
// that show them; a return carries no feedback and its revise link shows it; the 通报 goes as a link, unattached.
// The setting is read once per module registry: it is set here before anything of the app reads its configuration.
import { sendBulletin } from '../../../shared/bulletin/sendBulletin';
import { monthOf } from '../../../shared/core/clock';
import { config } from '../../../shared/core/config';
import { importRoster } from '../../../shared/roster/importRoster';
import { form, linkIn, rosterCsv, type StoredEmail, startTestCounty, type TestCounty } from '../../support/harness';

process.env.EMAIL_FULL_TEXT = 'link';

const TITLE = '城关镇“夜校课堂”激活党员教育一池春水';
const SENTENCE_1 = '城关镇坚持把党员教育培训作为基层党建的基础工程，创新开展夜校课堂。';
const SENTENCE_2 = '全年培训党员一千二百人次，群众满意率达到百分之九十八。';
const FEEDBACK = '请补充具体数据和一个典型案例。';

let county: TestCounty;
let k = '';
const address = (name: string) => `${name}@${county.domain}`;

/** Everything of an email a reader or a mail server sees: the subject, both parts, the attachments' names. */
const wholeOf = (mail: StoredEmail): string =>
  [
    mail.subject,
    mail.body.text ?? '',
    mail.body.html ?? '',
    ...((mail as { attachments?: { filename?: string }[] }).attachments ?? []).map((a) => a.filename ?? ''),
  ].join('\n');

const textOf = (mail: StoredEmail, ...what: string[]) => what.filter((s) => wholeOf(mail).includes(s));

async function newest(to: string, subject: RegExp): Promise<StoredEmail> {
  const found = await county.waitForMails(to, 1, subject);
  expect(found.length).toBeGreaterThan(0);
  return found.at(-1)!;
}

beforeAll(async () => {
  county = await startTestCounty();
  expect(config().emailText).toBe('link');
  expect((await importRoster(rosterCsv(county.domain))).ok).toBe(true);
  k = new URL(linkIn(await newest(address('chen'), /^欢迎使用/))).searchParams.get('k')!;
});
afterAll(async () => {
  await county?.close();
});

describe('a county that keeps work text out of email (EMAIL_FULL_TEXT=link)', () => {
  let review = '';

  it('acknowledges a piece by its receipt number alone, and the receipt link opens the piece', async () => {
    const sent = await fetch(
      `${county.baseUrl}/submissions`,
      form({ k, kind: 'info', title: TITLE, body: `${SENTENCE_1}\n\n${SENTENCE_2}` }),
    );
    expect(sent.status).toBe(303);

    const ack = await newest(address('chen'), /^已收到您的稿件/);

    expect(ack.subject).toMatch(/^已收到您的稿件（回执号 \d{4}-\d{4}）$/);
    expect(textOf(ack, TITLE, SENTENCE_1, SENTENCE_2)).toEqual([]);
    const receipt = await fetch(linkIn(ack, '/submissions/'));
    expect(receipt.status).toBe(200);
    expect(await receipt.text()).toContain(TITLE);
  });

  it('asks the editor to review without the title or the body, and the review link opens the page that shows them', async () => {
    const request = await newest(address('editor'), /^【待审核】/);

    expect(request.subject).toMatch(/^【待审核】信息｜县委办公室：回执号 \d{4}-\d{4}$/);
    expect(textOf(request, TITLE, SENTENCE_1, SENTENCE_2)).toEqual([]);
    expect(request.body.text).toContain('不通过邮件发送');
    review = linkIn(request, '/review/');
    const page = await fetch(review);
    expect(page.status).toBe(200);
    const shown = await page.text();
    expect([shown.includes(TITLE), shown.includes(SENTENCE_1), shown.includes(SENTENCE_2)]).toEqual([true, true, true]);
  });

  it('returns a piece without the feedback in the email, and the revise link shows it', async () => {
    const decided = await fetch(review, form({ decision: 'return', comment: FEEDBACK }));
    expect(decided.status).toBe(200);

    const returned = await newest(address('chen'), /^您的稿件需要修改/);

    expect(textOf(returned, TITLE, SENTENCE_1, FEEDBACK)).toEqual([]);
    const revise = await fetch(linkIn(returned, '/revise/'));
    expect(revise.status).toBe(200);
    const shown = await revise.text();
    expect([shown.includes(FEEDBACK), shown.includes(TITLE)]).toEqual([true, true]);
  });

  it('sends the 通报 as its link alone, with nothing attached', async () => {
    const sent = await sendBulletin(monthOf(new Date()), { by: '王编辑' });
    expect(sent.sent).toBeGreaterThan(0);

    const bulletin = await newest(address('leader'), /通报$/);

    expect((bulletin as { attachments?: unknown[] }).attachments ?? []).toEqual([]);
    expect(bulletin.body.text).toContain('不通过邮件发送');
    expect(linkIn(bulletin, '/bulletin/')).toMatch(/\/bulletin\/[^/]+$/);
    expect((await fetch(linkIn(bulletin, '/bulletin/'))).status).toBe(200);
  });
});
