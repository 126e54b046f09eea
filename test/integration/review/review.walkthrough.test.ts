import { importRoster } from '../../../shared/roster/importRoster';
import { form, LONG_BODY, linkIn, rosterCsv, startTestCounty, type TestCounty } from '../../support/harness';

let county: TestCounty;

beforeAll(async () => {
  county = await startTestCounty();
  await importRoster(rosterCsv(county.domain));
});
afterAll(async () => {
  await county.close();
});

describe('a piece reviewed from the editor mailbox', () => {
  it('is returned with feedback, revised by the informant and accepted with an issue number', async () => {
    const informant = `zhang@${county.domain}`;
    const editor = `editor@${county.domain}`;
    const k = new URL(linkIn((await county.waitForMails(informant, 1))[0])).searchParams.get('k')!;
    const posted = await fetch(
      `${county.baseUrl}/submissions`,
      form({ k, kind: 'info', title: '夜校课堂', body: LONG_BODY }),
    );
    expect(posted.status).toBe(303);

    const [request] = await county.waitForMails(editor, 1, /待审核/);
    const reviewLink = linkIn(request, '/review/');
    expect(request?.body.text).toContain(LONG_BODY);
    expect(request?.body.text).toMatch(/有效期至 \d{4}年\d{1,2}月\d{1,2}日/);

    const opened = await fetch(reviewLink);
    expect(opened.status).toBe(200);
    expect(await opened.text()).toContain('退回修改');
    const head = await fetch(reviewLink, { method: 'HEAD' });
    expect(head.status).toBe(200);

    const noFeedback = await fetch(reviewLink, form({ decision: 'return', comment: '' }));
    expect(noFeedback.status).toBe(400);
    const returned = await fetch(reviewLink, form({ decision: 'return', comment: '请补充具体数据和成效。' }));
    expect(returned.status).toBe(200);
    const again = await fetch(reviewLink, form({ decision: 'accept' }));
    expect(again.status).toBe(409);
    expect(await again.text()).toContain('王编辑');

    const [returnMail] = await county.waitForMails(informant, 1, /需要修改/);
    expect(returnMail?.body.text).toContain('请补充具体数据和成效。');
    const reviseLink = linkIn(returnMail, '/revise/');
    const reviseForm = await fetch(reviseLink);
    expect(reviseForm.status).toBe(200);
    expect(await reviseForm.text()).toContain('夜校课堂');

    const revised = await fetch(
      reviseLink,
      form({ kind: 'info', title: '夜校课堂（修改稿）', body: `${LONG_BODY}全年覆盖党员八百人。` }),
    );
    expect(revised.status).toBe(303);
    const receiptPath = revised.headers.get('location')!;

    expect((await fetch(reviewLink)).status).toBe(409);
    const requests = await county.waitForMails(editor, 2, /待审核/);
    const secondLink = linkIn(
      requests.find((m) => m.subject.includes('第 2 稿')),
      '/review/',
    );
    const accepted = await fetch(secondLink, form({ decision: 'accept', issue: '12', comment: '数据翔实。' }));
    expect(accepted.status).toBe(200);

    const [acceptMail] = await county.waitForMails(informant, 1, /已采用/);
    expect(acceptMail?.body.text).toContain('第 12 期');
    const receipt = await (await fetch(`${county.baseUrl}${receiptPath}`)).text();
    expect(receipt).toContain('已采用');
    expect(receipt).toContain('请补充具体数据和成效。');
    expect(receipt).toContain('提交修改稿（第 2 稿）');
  });
});
