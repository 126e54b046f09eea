import { importRoster } from '../../shared/roster/importRoster';
import { LONG_BODY, linkIn, rosterCsv, startTestCounty, type TestCounty } from '../support/harness';

let county: TestCounty;

beforeAll(async () => {
  county = await startTestCounty();
});
afterAll(async () => {
  await county.close();
});

describe('an informant new to the system', () => {
  it('gets a welcome email, submits from its link, lands on 报送成功 with its receipt link and gets an acknowledgment', async () => {
    const imported = await importRoster(rosterCsv(county.domain));
    expect(imported).toMatchObject({ ok: true, summary: { added: 5, welcomed: 3 } });

    const [welcome] = await county.waitForMails(`chen@${county.domain}`, 1);
    const link = linkIn(welcome);
    const k = new URL(link).searchParams.get('k')!;
    const form = await fetch(link);
    expect(form.status).toBe(200);
    expect(form.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await form.text()).toContain('陈晓明（县委办公室）');

    const posted = await fetch(`${county.baseUrl}/submissions`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ k, kind: 'info', title: '城关镇创新党员教育', body: LONG_BODY }).toString(),
    });
    expect(posted.status).toBe(303);
    // Back on the form, which says 报送成功 and links the read-only receipt page.
    const landing = posted.headers.get('location')!;
    expect(landing).toMatch(/^\/submit\?k=[^&]+&sent=\d{4}-0001$/);
    const landed = await (await fetch(`${county.baseUrl}${landing}`)).text();
    expect(landed).toContain('报送成功');
    const receiptPath = /<a href="([^"]+)">查看回执和审核进度<\/a>/.exec(landed)![1]!;
    expect(receiptPath).toMatch(/^\/submissions\/\d{4}-0001\?r=/);

    const receipt = await (await fetch(`${county.baseUrl}${receiptPath}`)).text();
    expect(receipt).toContain('城关镇创新党员教育');
    expect(receipt).toContain('待审核');

    const [ack] = await county.waitForMails(`chen@${county.domain}`, 1, /已收到您的稿件/);
    expect(ack?.subject).toMatch(/回执号 \d{4}-0001/);
  });
});
