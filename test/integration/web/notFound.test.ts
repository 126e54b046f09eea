// Paths no route knows (a link a mail client cut short, a typo) answer in Chinese — or with a structured error for a
// JSON client — through the gateway's default route, as API Gateway's `$default` route does on AWS; the favicon is
// served. Nothing changes.
import { startTestCounty, type TestCounty } from '../../support/harness';

let county: TestCounty;

beforeAll(async () => {
  county = await startTestCounty();
});
afterAll(async () => {
  await county.close();
});

describe('an unknown path', () => {
  it.each([
    ['GET', '/revie'],
    ['GET', '/review'],
    ['GET', '/submissions/2026-0001/extra/segments'],
    ['POST', '/nothing-here'],
  ])('answers %s %s with the Chinese 404 page that says what to do', async (method, path) => {
    const res = await fetch(`${county.baseUrl}${path}`, { method, headers: { accept: 'text/html' } });

    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const page = await res.text();
    expect(page).toContain('未找到该页面');
    expect(page).toContain('链接可能被邮件程序截断');
    expect(page).toContain('href="/"');
  });

  it('answers a JSON client with a structured error', async () => {
    const res = await fetch(`${county.baseUrl}/api/unknown`, { headers: { accept: 'application/json' } });

    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: 'not_found', message: expect.stringContaining('未找到') });
  });
});

describe('an error page', () => {
  it('says what happened and offers the way on: a forged link gets 链接无效 and the home page link', async () => {
    const res = await fetch(`${county.baseUrl}/submit?k=forged.token`);

    expect(res.status).toBe(403);
    const page = await res.text();
    expect(page).toContain('链接无效');
    expect(page).toContain('<a href="/">返回首页</a>');
  });
});

describe('the favicon', () => {
  it('is served at /favicon.ico, and every page carries it inline so browsers need not ask', async () => {
    const res = await fetch(`${county.baseUrl}/favicon.ico`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/svg+xml');
    expect(await res.text()).toContain('<svg');
    expect((await fetch(`${county.baseUrl}/favicon.ico`, { method: 'HEAD' })).status).toBe(200);

    const home = await (await fetch(`${county.baseUrl}/`)).text();
    expect(home).toContain('<link rel="icon" href="data:image/svg+xml,');
  });
});
