// The front page and "send me my link" (POST /link), through the local gateway: the answer must not tell whether an
// address is on the roster, only people on it get mail (an informant their link, an editor or a leader a desk sign-in
// link that signs them in), the mail goes out through the sweeper, and repeats are capped.
import { handler as sweep } from '../../../functions/sweeper';
import { setClock } from '../../../shared/core/clock';
import { importRoster } from '../../../shared/roster/importRoster';
import { signInWith } from '../../support/deskSession';
import { faults } from '../../support/faults';
import { linkIn, rosterCsv, startTestCounty, type TestCounty } from '../../support/harness';

let county: TestCounty;
// 10:03 in Shanghai, well inside one 10-minute window.
const START = new Date('2026-03-10T02:03:00Z');
const LINK_SUBJECT = /^您的个人报送链接$/;

beforeAll(async () => {
  setClock(START);
  county = await startTestCounty();
  const imported = await importRoster(rosterCsv(county.domain));
  expect(imported.ok).toBe(true);
});
afterAll(async () => {
  setClock(undefined);
  await county.close();
});

async function requestLink(email: string, accept = 'text/html'): Promise<Response> {
  return fetch(`${county.baseUrl}/link`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept },
    body: new URLSearchParams({ email }).toString(),
  });
}

async function linkMails(to: string) {
  return (await county.mails(to)).filter((m) => LINK_SUBJECT.test(m.subject));
}

describe('the front page', () => {
  it('shows the Chinese "send me my link" form', async () => {
    const res = await fetch(`${county.baseUrl}/`);

    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const page = await res.text();
    expect(page).toContain('<html lang="zh-CN">');
    expect(page).toContain('组工信息报送');
    expect(page).toContain('<form method="post" action="/link">');
    expect(page).toContain('把我的链接发到我的邮箱');
    expect(page).toContain('name="email"');
  });
});

describe('POST /link', () => {
  it('answers an informant, an unknown address and an editor with byte-identical pages', async () => {
    const answers = await Promise.all(
      [`zhang@${county.domain}`, `nobody@${county.domain}`, `editor@${county.domain}`].map(async (email) => {
        const res = await requestLink(email);
        return { status: res.status, type: res.headers.get('content-type'), body: await res.text() };
      }),
    );

    const [informant, unknown, editor] = answers;
    expect(informant?.status).toBe(200);
    expect(informant?.body).toContain('如果该邮箱已登记在名单中');
    expect(unknown).toEqual(informant);
    expect(editor).toEqual(informant);
  });

  it('does the same work for a roster address and an unknown one: the same calls, in the same order', async () => {
    const injector = faults();
    const callsFor = async (email: string) => {
      injector.count();
      expect((await requestLink(email)).status).toBe(200);
      const calls = injector.callsOf('dynamodb').map((c) => c.command);
      injector.disarm();
      return calls;
    };
    setClock(new Date(START.getTime() + 3 * 3600_000));

    const informant = await callsFor(`chen@${county.domain}`);
    const unknown = await callsFor(`stranger@${county.domain}`);

    expect(informant).toEqual(['PutItemCommand']);
    expect(unknown).toEqual(informant);
    setClock(START);
  });

  it('answers JSON clients the same way whatever the address', async () => {
    const bodies = await Promise.all(
      [`chen@${county.domain}`, `nobody2@${county.domain}`, `leader@${county.domain}`].map(async (email) => {
        const res = await requestLink(email, 'application/json');
        return `${res.status} ${await res.text()}`;
      }),
    );

    expect(new Set(bodies).size).toBe(1);
    expect(bodies[0]).toMatch(/^200 \{"message":"如果该邮箱已登记在名单中/);
  });

  it('leaves the email to the sweeper, which sends the informant their link, an editor and a leader a desk sign-in link, and nobody else anything', async () => {
    // Answered above; nothing is sent from the request itself, so its timing cannot tell the roster either.
    expect(await linkMails(`zhang@${county.domain}`)).toHaveLength(0);

    await sweep();

    const [mail] = await county.waitForMails(`zhang@${county.domain}`, 1, LINK_SUBJECT);
    expect(await linkMails(`zhang@${county.domain}`)).toHaveLength(1);
    expect(await county.mails(`nobody@${county.domain}`)).toHaveLength(0);
    for (const [who, name] of [
      ['editor', '王编辑（编辑）'],
      ['leader', '赵部长（领导，只能查看）'],
    ] as const) {
      const asked = (await county.mails(`${who}@${county.domain}`)).filter(
        (m) => m.subject === '您的信息科工作台登录链接',
      );
      expect(asked).toHaveLength(1);
      // Its sign-in link signs them in to their own desk.
      const session = await signInWith(county.baseUrl, linkIn(asked[0], '/desk/signin/'));
      const desk = await session.fetch('/desk');
      expect(desk.status).toBe(200);
      expect(await desk.text()).toContain(`信息科工作台 · ${name}`);
    }
    const form = await fetch(linkIn(mail));
    expect(form.status).toBe(200);
    expect(await form.text()).toContain('张伟（城关镇党委）');
  });

  it('sends no second email when the informant asks again within 10 minutes', async () => {
    setClock(new Date(START.getTime() + 5 * 60_000));
    const again = await requestLink(`zhang@${county.domain}`);
    expect(again.status).toBe(200);

    await sweep();
    await sweep();

    expect(await linkMails(`zhang@${county.domain}`)).toHaveLength(1);
  });

  it('sends no second email when the two requests straddle a ten-minute mark', async () => {
    // 10:09:50 and 10:10:10 Shanghai time: twenty seconds apart.
    setClock(new Date('2026-03-10T02:09:50Z'));
    await requestLink(`zhou@${county.domain}`);
    await sweep();
    await county.waitForMails(`zhou@${county.domain}`, 1, LINK_SUBJECT);

    setClock(new Date('2026-03-10T02:10:10Z'));
    await requestLink(`zhou@${county.domain}`);
    await sweep();

    expect(await linkMails(`zhou@${county.domain}`)).toHaveLength(1);
  });

  it('refuses an invalid address with 400 and a Chinese message, keeping what was typed', async () => {
    const res = await requestLink('not-an-address');

    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const page = await res.text();
    expect(page).toContain('请填写正确的邮箱地址。');
    expect(page).toContain('value="not-an-address"');
    expect(page).not.toContain('如果该邮箱已登记为信息员');
  });

  it('refuses an invalid address from a JSON client with 400 and the field named', async () => {
    const res = await requestLink('a@b', 'application/json');

    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ errors: [{ field: 'email', message: '请填写正确的邮箱地址。' }] });
  });
});

describe('GET and HEAD on /link', () => {
  it.each(['GET', 'HEAD'])('%s answers 405 and allows only POST', async (method) => {
    const res = await fetch(`${county.baseUrl}/link`, { method });

    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('POST');
    const body = await res.text();
    if (method === 'GET') expect(body).toContain('此地址不支持 GET 请求。');
    else expect(body).toBe('');
  });
});
