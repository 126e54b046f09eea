// Intake end to end, over real HTTP through the local gateway: the form at GET /submit, POST /submissions in both
// encodings, the receipt page, retries, keys, limits, escaping and the headers every page carries. Each test takes
// informants of its own from a roster imported for this file, so what one test stores cannot pass for another's.
import { setClock } from '../../../shared/core/clock';
import { signToken } from '../../../shared/links/tokens';
import { importRoster } from '../../../shared/roster/importRoster';
import { revokePerson } from '../../../shared/roster/revokePerson';
import { personIdOf } from '../../../shared/store/keys';
import { LONG_BODY, linkIn, type StoredEmail, startTestCounty, type TestCounty } from '../../support/harness';

let county: TestCounty;

/** 2026-11-26 13:05 in Asia/Shanghai; one test moves it on to pass the double-click window. */
let today = new Date('2026-11-26T05:05:00.000Z');

interface Informant {
  name: string;
  unit: string;
  email: string;
  /** The personal key from the welcome email's link. */
  k: string;
  link: string;
}

const UNITS = ['县委办公室', '城关镇党委', '红旗乡党委', '县教育局党组', '县卫健局党组'];
const POOL_SIZE = 65;
const pool: Informant[] = [];

/** An informant no other test has used. */
function newInformant(): Informant {
  const informant = pool.shift();
  if (!informant) throw new Error('the informant pool is used up: raise POOL_SIZE');
  return informant;
}

beforeAll(async () => {
  county = await startTestCounty();
  setClock(() => today);
  const rows = Array.from({ length: POOL_SIZE }, (_, i) => {
    const n = String(i + 1).padStart(2, '0');
    return { name: `信息员${n}`, unit: UNITS[i % UNITS.length]!, email: `informant${n}@${county.domain}` };
  });
  const csv = [
    '单位,姓名,邮箱,手机,角色',
    ...rows.map((r) => `${r.unit},${r.name},${r.email},,信息员`),
    `县委组织部信息科,王编辑,editor@${county.domain},,编辑`,
  ].join('\n');
  const imported = await importRoster(csv);
  expect(imported).toMatchObject({ ok: true, summary: { welcomed: POOL_SIZE } });
  for (const row of rows) {
    const [welcome] = await county.waitForMails(row.email, 1);
    const link = linkIn(welcome);
    pool.push({ ...row, link, k: new URL(link).searchParams.get('k')! });
  }
});

afterAll(async () => {
  setClock(undefined);
  await county.close();
});

// --- Requests -------------------------------------------------------------------------------------------------------

const FORM_TYPE = { 'content-type': 'application/x-www-form-urlencoded' };
const JSON_TYPE = { 'content-type': 'application/json', accept: 'application/json' };

type Fields = Record<string, string>;

/** What the browser form sends: the key and the fields, URL-encoded. Redirects are not followed. */
function postForm(fields: Fields | [string, string][], headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${county.baseUrl}/submissions`, {
    method: 'POST',
    redirect: 'manual',
    headers: { ...FORM_TYPE, ...headers },
    body: new URLSearchParams(fields).toString(),
  });
}

/** A JSON client: JSON in, JSON out. `body` is sent as given when it is a string, stringified otherwise. */
function postJson(body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${county.baseUrl}/submissions`, {
    method: 'POST',
    redirect: 'manual',
    headers: { ...JSON_TYPE, ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

/** A valid piece: `title` must be unique to the test, or the double-click rule answers with an earlier receipt. */
function piece(title: string, extra: Fields = {}): Fields {
  return { kind: 'info', title, body: `${LONG_BODY}（${title}）`, ...extra };
}

interface Created {
  id: string;
  receipt: string;
  status: string;
}

/** Submits a valid piece as JSON and returns what the 201 says. */
async function submitted(informant: Informant, title: string): Promise<Created> {
  const res = await postJson({ k: informant.k, ...piece(title) });
  expect(res.status).toBe(201);
  return (await res.json()) as Created;
}

/** The receipt number right after `receipt` (2026-0007 → 2026-0008). */
function nextAfter(receipt: string): string {
  const [year, n] = receipt.split('-');
  return `${year}-${String(Number(n) + 1).padStart(4, '0')}`;
}

function getReceipt(id: string, k: string, json = true): Promise<Response> {
  return fetch(`${county.baseUrl}/submissions/${id}?k=${encodeURIComponent(k)}`, {
    headers: json ? { accept: 'application/json' } : {},
  });
}

/** The acknowledgments `informant` has, once at least `expected` are in (or the harness gives up waiting). */
function acksTo(informant: Informant, expected: number): Promise<StoredEmail[]> {
  return county.waitForMails(informant.email, expected, /^已收到您的稿件/);
}

/** The CSP directive that governs scripts: script-src when present, default-src otherwise. */
function scriptPolicy(res: Response): string | undefined {
  const csp = res.headers.get('content-security-policy') ?? '';
  const directive = (name: string) =>
    csp
      .split(';')
      .map((d) => d.trim())
      .find((d) => d.split(/\s+/)[0] === name);
  return directive('script-src') ?? directive('default-src');
}

function expectSafeHtmlPage(res: Response): void {
  expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
  const policy = scriptPolicy(res);
  expect(policy).toBeDefined();
  expect(policy).not.toContain("'unsafe-inline'");
  expect(policy).not.toContain('*');
  expect(res.headers.get('referrer-policy')).toBe('no-referrer');
}

interface FieldErrors {
  errors: { field: string; message: string }[];
}

// --- The form -------------------------------------------------------------------------------------------------------

describe('the form at GET /submit', () => {
  it('shows who submits (name and unit, not typed) and the fields 类型, 标题, 正文 and 签发领导', async () => {
    const informant = newInformant();

    const res = await fetch(informant.link);

    expect(res.status).toBe(200);
    expectSafeHtmlPage(res);
    const page = await res.text();
    expect(page).toContain(`${informant.name}（${informant.unit}）`);
    expect(page).toContain('<form method="post" action="/submissions"');
    expect(page).toContain(`<input type="hidden" name="k" value="${informant.k}">`);
    expect(page).toContain('<input type="radio" name="kind" value="info"');
    expect(page).toContain('<input type="radio" name="kind" value="research"');
    expect(page).toMatch(
      /<label for="title">标题<\/label>\s*<input type="text" id="title" name="title" maxlength="100"/,
    );
    expect(page).toMatch(/<label for="body">正文<\/label>[\s\S]*<textarea id="body" name="body"/);
    // A Word document and attachments travel in the same form.
    expect(page).toContain('enctype="multipart/form-data"');
    expect(page).toMatch(/<input type="file" id="document" name="document" accept="\.docx,/);
    expect(page).toMatch(/<input type="file" id="attachments" name="attachments" multiple/);
    expect(page).toContain('签发领导（可选）');
    expect(page).not.toMatch(/name="(name|unit|informant)"/);
  });

  it('offers no 点题 while there are no topics', async () => {
    const informant = newInformant();

    const page = await (await fetch(informant.link)).text();

    expect(page).not.toContain('name="topic"');
  });

  it('is refused with 403 for a missing, malformed, forged or unknown key', async () => {
    const informant = newInformant();
    const [payload, signature] = informant.k.split('.') as [string, string];
    const otherSignature = signature.startsWith('A') ? `B${signature.slice(1)}` : `A${signature.slice(1)}`;
    const unknownPerson = signToken(Buffer.from(process.env.SIGNING_KEY!, 'utf8'), 'submit', {
      c: process.env.COUNTY_ID!,
      i: personIdOf(process.env.COUNTY_ID!, `nobody@${county.domain}`),
      v: 1,
    });

    const answers = await Promise.all(
      [
        '/submit',
        '/submit?k=',
        '/submit?k=abc',
        `/submit?k=${payload}.${otherSignature}`,
        `/submit?k=${unknownPerson}`,
      ].map((path) => fetch(`${county.baseUrl}${path}`)),
    );

    for (const res of answers) {
      expect(res.status).toBe(403);
      expectSafeHtmlPage(res);
      expect(await res.text()).toContain('链接无效');
    }
  });
});

// --- Submitting -----------------------------------------------------------------------------------------------------

describe('submitting a piece', () => {
  it('from the browser form answers 303 See Other to the form again, saying 报送成功 with a read-only receipt link', async () => {
    const informant = newInformant();

    const res = await postForm({ k: informant.k, ...piece('城关镇“夜校课堂”培训党员', { signer: '李书记' }) });

    expect(res.status).toBe(303);
    expectSafeHtmlPage(res);
    const location = res.headers.get('location') ?? '';
    // The informant's own form (the address they came from), ready for the next piece.
    expect(location).toBe(`/submit?k=${encodeURIComponent(informant.k)}&sent=${/sent=(\S+)$/.exec(location)?.[1]}`);
    const landed = await (await fetch(`${county.baseUrl}${location}`)).text();
    expect(landed).toContain('<h2>报送成功</h2>');
    expect(landed).toContain('<tr><th>标题</th><td>城关镇“夜校课堂”培训党员</td></tr>');
    expect(landed).toContain('<tr><th>签发领导</th><td>李书记</td></tr>');
    expect(landed).toContain('<h2>继续报送</h2>');
    expect(landed).toContain('name="title" maxlength="100" value=""');
    // The receipt link is read-only and bound to the piece: never the personal key, which can submit.
    const receiptLink = /<a href="(\/submissions\/2026-\d{4}\?r=[\w.-]+)">查看回执和审核进度<\/a>/.exec(landed)?.[1];
    expect(receiptLink).toBeDefined();
    expect(receiptLink).not.toContain(informant.k);
    // Another informant's piece is not shown on one's own form.
    const other = newInformant();
    const theirs = await (
      await fetch(`${county.baseUrl}/submit?k=${encodeURIComponent(other.k)}&sent=${/sent=(\S+)$/.exec(location)?.[1]}`)
    ).text();
    expect(theirs).not.toContain('报送成功');
  });

  it('shows on the receipt page the receipt number, title, kind, unit, status and the timeline', async () => {
    const informant = newInformant();
    const posted = await postForm({ k: informant.k, ...piece('红旗乡推行“党员积分制”', { kind: 'research' }) });
    const landed = await (await fetch(`${county.baseUrl}${posted.headers.get('location')!}`)).text();
    const location = /<a href="([^"]+)">查看回执和审核进度<\/a>/.exec(landed)![1]!.replace(/&amp;/g, '&');
    const receipt = /\/submissions\/(\d{4}-\d{4})/.exec(location)![1]!;

    const res = await fetch(`${county.baseUrl}${location}`);

    expect(res.status).toBe(200);
    expectSafeHtmlPage(res);
    const page = await res.text();
    expect(page).toContain(`<tr><th>回执号</th><td>${receipt}</td></tr>`);
    expect(page).toContain('<tr><th>标题</th><td>红旗乡推行“党员积分制”</td></tr>');
    expect(page).toContain('<tr><th>类型</th><td>调研文稿</td></tr>');
    expect(page).toContain(`<tr><th>单位</th><td>${informant.unit}</td></tr>`);
    expect(page).toContain('<tr><th>状态</th><td>待审核</td></tr>');
    expect(page).toContain('<li>2026-11-26 13:05　提交（第 1 稿）</li>');
  });

  it('as JSON answers 201 with id, receipt and status, and stores one submitted event', async () => {
    const informant = newInformant();

    const res = await postJson({ k: informant.k, ...piece('县教育局党组开展主题党日') });

    expect(res.status).toBe(201);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    const created = (await res.json()) as Created;
    expect(created).toEqual({ id: expect.stringMatching(/^2026-\d{4}$/), receipt: created.id, status: 'submitted' });
    const stored = await getReceipt(created.id, informant.k);
    expect(stored.status).toBe(200);
    expect(await stored.json()).toEqual({
      id: created.id,
      receipt: created.receipt,
      title: '县教育局党组开展主题党日',
      kind: 'info',
      status: 'submitted',
      events: [{ type: 'submitted', at: '2026-11-26T05:05:00.000Z', revision: 1 }],
    });
  });

  it("files the piece under the key holder's name and unit, whatever name, unit or receipt the client sends", async () => {
    const informant = newInformant();

    const res = await postJson({
      k: informant.k,
      ...piece('冒名顶替的字段'),
      name: '冒充者',
      unit: '县委组织部',
      unitId: 'u0000000000',
      informantId: 'someone-else',
      receipt: '2026-9999',
      id: '2026-9999',
    });

    expect(res.status).toBe(201);
    const created = (await res.json()) as Created;
    expect(created.receipt).not.toBe('2026-9999');
    const page = await (await getReceipt(created.id, informant.k, false)).text();
    expect(page).toContain(`<tr><th>单位</th><td>${informant.unit}</td></tr>`);
    expect(page).not.toContain('县委组织部<');
  });

  it('answers a form post that asks for JSON with 201 JSON', async () => {
    const informant = newInformant();

    const res = await postForm({ k: informant.k, ...piece('表单提交但要 JSON') }, { accept: 'application/json' });

    expect(res.status).toBe(201);
    expect(await res.json()).toEqual({ id: expect.any(String), receipt: expect.any(String), status: 'submitted' });
  });

  it('numbers receipts YYYY-NNNN, one after another', async () => {
    const informant = newInformant();

    const first = await submitted(informant, '第一篇');
    const second = await submitted(informant, '第二篇');

    expect(first.receipt).toMatch(/^2026-\d{4}$/);
    expect(second.receipt).toBe(nextAfter(first.receipt));
  });

  it('acknowledges by email with the receipt number, the title and a link that opens the receipt page', async () => {
    const informant = newInformant();

    const created = await submitted(informant, '县卫健局党组强化支部建设');

    const [ack] = await county.waitForMails(informant.email, 1, /已收到您的稿件/);
    expect(ack?.subject).toBe(`已收到您的稿件（回执号 ${created.receipt}）：县卫健局党组强化支部建设`);
    const receiptPage = await fetch(linkIn(ack, `/submissions/${created.receipt}`));
    expect(receiptPage.status).toBe(200);
    expect(await receiptPage.text()).toContain('县卫健局党组强化支部建设');
  });

  it('accepts the limits themselves: a 100-character title (an emoji counts as one) and bodies of 20 and 20,000', async () => {
    const informant = newInformant();
    const title = `${'🎉'.repeat(50)}${'标'.repeat(50)}`;

    const longest = await postJson({ k: informant.k, kind: 'info', title, body: '正'.repeat(20_000) });
    const shortest = await postJson({ k: informant.k, kind: 'info', title: '最短正文', body: '二'.repeat(20) });
    const viaForm = await postForm({ k: informant.k, kind: 'info', title: '表单最长正文', body: '文'.repeat(20_000) });

    expect(longest.status).toBe(201);
    expect(shortest.status).toBe(201);
    expect(viaForm.status).toBe(303);
    const stored = await getReceipt(((await longest.json()) as Created).id, informant.k);
    expect(((await stored.json()) as { title: string }).title).toBe(title);
  });

  it('treats 点题 and 签发领导 as optional: blank values are accepted', async () => {
    const informant = newInformant();

    const res = await postForm({ k: informant.k, ...piece('可选字段留空', { topic: '', signer: '   ' }) });

    expect(res.status).toBe(303);
  });

  it('accepts a 签发领导 of up to 50 characters', async () => {
    const informant = newInformant();

    const res = await postJson({ k: informant.k, ...piece('有签发领导', { signer: '签'.repeat(50) }) });

    expect(res.status).toBe(201);
  });
});

// --- Bad input ------------------------------------------------------------------------------------------------------

describe('bad input', () => {
  it('answers JSON 400 with one message per bad field, and stores and sends nothing', async () => {
    const informant = newInformant();
    const baseline = await submitted(informant, '基线稿件');

    const res = await postJson({
      k: informant.k,
      kind: 'news',
      title: '',
      body: '太短',
      topic: 'T1',
      signer: '签'.repeat(51),
    });

    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    const { errors } = (await res.json()) as FieldErrors;
    expect(errors).toEqual([
      { field: 'kind', message: '请选择稿件类型：信息或调研文稿。' },
      { field: 'title', message: '请填写标题。' },
      { field: 'body', message: '正文至少 20 字（现有 2 字）。' },
      { field: 'topic', message: '所选点题不存在或已截止，请重新选择。' },
      { field: 'signer', message: '签发领导不能超过 50 字。' },
    ]);
    expect((await submitted(informant, '之后的稿件')).receipt).toBe(nextAfter(baseline.receipt));
    expect(await acksTo(informant, 2)).toHaveLength(2);
  });

  it.each([
    ['a title over 100 characters', { title: '标'.repeat(101) }, 'title', '标题不能超过 100 字（现有 101 字）。'],
    ['a title of spaces only', { title: ' \t ' }, 'title', '请填写标题。'],
    ['a title with a control character', { title: '标题\u0007响铃' }, 'title', '标题含有无法识别的字符。'],
    ['a missing body', { body: undefined }, 'body', '请填写正文，或上传 Word 文档。'],
    ['a body of 19 characters', { body: '正'.repeat(19) }, 'body', '正文至少 20 字（现有 19 字）。'],
    [
      'a body over 20,000 characters',
      { body: '正'.repeat(20_001) },
      'body',
      '正文不能超过 20000 字（现有 20001 字）。',
    ],
    ['a body with a NUL character', { body: `${LONG_BODY}\u0000` }, 'body', '正文含有无法识别的字符。'],
    ['a missing kind', { kind: undefined }, 'kind', '请选择稿件类型：信息或调研文稿。'],
    ['an unknown kind', { kind: 'bulletin' }, 'kind', '请选择稿件类型：信息或调研文稿。'],
    ['a 点题 although there are none', { topic: 'topic-1' }, 'topic', '所选点题不存在或已截止，请重新选择。'],
    ['a 签发领导 over 50 characters', { signer: '签'.repeat(51) }, 'signer', '签发领导不能超过 50 字。'],
    ['a 签发领导 with a control character', { signer: '张\u001b三' }, 'signer', '签发领导含有无法识别的字符。'],
  ])('refuses %s with 400 naming the field', async (_case, change, field, message) => {
    const informant = newInformant();
    const baseline = await submitted(informant, '基线稿件');

    const res = await postJson({ k: informant.k, ...piece('被拒的稿件'), ...change });

    expect(res.status).toBe(400);
    expect(((await res.json()) as FieldErrors).errors).toEqual([{ field, message }]);
    expect((await submitted(informant, '之后的稿件')).receipt).toBe(nextAfter(baseline.receipt));
    expect(await acksTo(informant, 2)).toHaveLength(2);
  });

  it.each([
    ['a kind that is a number', { kind: 1 }, 'kind'],
    ['a title that is an object', { title: { zh: '标题' } }, 'title'],
    ['a body that is an array', { body: [LONG_BODY] }, 'body'],
    ['a 签发领导 that is true', { signer: true }, 'signer'],
  ])('refuses %s with 400 saying the field is not in the right form', async (_case, change, field) => {
    const informant = newInformant();
    const baseline = await submitted(informant, '基线稿件');

    const res = await postJson({ k: informant.k, ...piece('类型不对的稿件'), ...change });

    expect(res.status).toBe(400);
    const { errors } = (await res.json()) as FieldErrors;
    // One message for the field, naming it: not a second, misleading "please fill in" after it.
    expect(errors).toEqual([{ field, message: expect.stringMatching(/^\S+格式不正确，请重新填写。$/) }]);
    expect((await submitted(informant, '之后的稿件')).receipt).toBe(nextAfter(baseline.receipt));
  });

  it('refuses a field sent twice in a form (a list, not a text) with 400', async () => {
    const informant = newInformant();

    const res = await postForm(
      [
        ['k', informant.k],
        ['kind', 'info'],
        ['title', '标题一'],
        ['title', '标题二'],
        ['body', LONG_BODY],
      ],
      { accept: 'application/json' },
    );

    expect(res.status).toBe(400);
    const { errors } = (await res.json()) as FieldErrors;
    expect(errors).toEqual([{ field: 'title', message: '标题格式不正确，请重新填写。' }]);
  });

  it('refuses half of a surrogate pair, which no email could carry, with 400 naming the field', async () => {
    const informant = newInformant();

    const res = await postJson({ k: informant.k, ...piece('孤立的代理字符'), title: '\ud800孤立的代理字符' });

    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ errors: [{ field: 'title', message: '标题含有无法识别的字符。' }] });
  });

  it.each([
    ['upper-case JSON', 'Application/JSON'],
    ['a space before the parameters', 'application/json ; charset=UTF-8'],
  ])('accepts a media type written in %s, as HTTP allows', async (_case, contentType) => {
    const informant = newInformant();

    const res = await postJson(
      { k: informant.k, ...piece(`媒体类型写法 ${contentType}`) },
      { 'content-type': contentType },
    );

    expect(res.status).toBe(201);
  });

  it('shows a browser the message about a closed topic even though the topic list is hidden', async () => {
    const informant = newInformant();

    const res = await postForm({ k: informant.k, ...piece('点题已截止的稿件'), topic: 'T-closed' });

    expect(res.status).toBe(400);
    expect(await res.text()).toContain('所选点题不存在或已截止，请重新选择。');
  });

  it('shows a browser the form again with what was typed kept and a message beside each bad field', async () => {
    const informant = newInformant();
    const baseline = await submitted(informant, '基线稿件');

    const res = await postForm({
      k: informant.k,
      kind: 'research',
      title: '标'.repeat(101),
      body: '只有几个字',
      signer: '李书记',
    });

    expect(res.status).toBe(400);
    expectSafeHtmlPage(res);
    const page = await res.text();
    expect(page).toContain(`${informant.name}（${informant.unit}）`);
    expect(page).toContain(`<input type="hidden" name="k" value="${informant.k}">`);
    expect(page).toContain('<input type="radio" name="kind" value="research" checked required>');
    expect(page).toContain(
      `value="${'标'.repeat(101)}" aria-invalid="true" aria-describedby="title-error"><p class="error" id="title-error">标题不能超过 100 字`,
    );
    expect(page).toContain(
      '<textarea id="body" name="body" aria-invalid="true" aria-describedby="body-error">只有几个字</textarea><p class="error" id="body-error">正文至少 20 字（现有 5 字）。</p>',
    );
    expect(page).toContain('value="李书记">');
    expect(page).not.toContain('id="signer-error"');
    expect((await submitted(informant, '之后的稿件')).receipt).toBe(nextAfter(baseline.receipt));
  });

  it('escapes what was typed when it shows the form again', async () => {
    const informant = newInformant();

    const res = await postForm({
      k: informant.k,
      kind: '',
      title: '"><script>alert(1)</script>',
      body: '</textarea><script>alert(2)</script>',
    });

    expect(res.status).toBe(400);
    const page = await res.text();
    expect(page).not.toContain('<script>');
    expect(page).toContain('value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"');
    expect(page).toContain('>&lt;/textarea&gt;&lt;script&gt;alert(2)&lt;/script&gt;</textarea>');
  });

  it('answers malformed JSON with 400 and a structured error, and stores nothing', async () => {
    const informant = newInformant();
    const baseline = await submitted(informant, '基线稿件');

    const answers = await Promise.all(
      [`{"k":"${informant.k}","kind":"info",`, '[1,2,3]', '"只是一个字符串"', '42', `{'k': 'single quotes'}`].map(
        (body) => postJson(body),
      ),
    );

    for (const res of answers) {
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({ errors: [{ field: 'body', message: expect.stringMatching(/.+/) }] });
    }
    expect((await submitted(informant, '之后的稿件')).receipt).toBe(nextAfter(baseline.receipt));
    expect(await acksTo(informant, 2)).toHaveLength(2);
  });

  it('answers 415 to a content type other than a form, a file upload or JSON, and stores nothing', async () => {
    const informant = newInformant();
    const baseline = await submitted(informant, '基线稿件');
    const body = new URLSearchParams({ k: informant.k, ...piece('错误格式') }).toString();

    const answers = await Promise.all(
      ['text/plain', 'application/xml', 'application/octet-stream'].map((type) =>
        fetch(`${county.baseUrl}/submissions`, {
          method: 'POST',
          headers: { 'content-type': type, accept: 'application/json' },
          body,
        }),
      ),
    );
    const asHtml = await fetch(`${county.baseUrl}/submissions`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body,
    });

    for (const res of answers) {
      expect(res.status).toBe(415);
      expect(await res.json()).toEqual({ error: 'unsupported_type', message: expect.stringMatching(/.+/) });
    }
    expect(asHtml.status).toBe(415);
    expectSafeHtmlPage(asHtml);
    // A file upload that is not one (a form's body sent as multipart) does not parse: the client's mistake.
    const notMultipart = await fetch(`${county.baseUrl}/submissions`, {
      method: 'POST',
      headers: { 'content-type': 'multipart/form-data; boundary=x', accept: 'application/json' },
      body,
    });
    expect(notMultipart.status).toBe(400);
    expect(((await notMultipart.json()) as { errors: { field: string }[] }).errors[0]?.field).toBe('body');
    expect((await submitted(informant, '之后的稿件')).receipt).toBe(nextAfter(baseline.receipt));
  });

  it('answers 413 to a body over 256 KB in either encoding, and stores nothing', async () => {
    const informant = newInformant();
    const baseline = await submitted(informant, '基线稿件');
    const huge = { k: informant.k, kind: 'info', title: '超大稿件', body: '字'.repeat(90_000) };

    const json = await postJson(huge);
    const form = await postForm(huge, { accept: 'application/json' });
    const browser = await postForm(huge);

    expect(json.status).toBe(413);
    expect(await json.json()).toEqual({ error: 'too_large', message: expect.stringContaining('256 KB') });
    expect(form.status).toBe(413);
    expect(browser.status).toBe(413);
    expectSafeHtmlPage(browser);
    expect((await submitted(informant, '之后的稿件')).receipt).toBe(nextAfter(baseline.receipt));
    expect(await acksTo(informant, 2)).toHaveLength(2);
  });

  it('answers 400, not 413, to a body just over 20,000 characters that fits in 256 KB', async () => {
    const informant = newInformant();

    const res = await postForm(
      { k: informant.k, ...piece('正文略超'), body: '文'.repeat(20_001) },
      { accept: 'application/json' },
    );

    expect(res.status).toBe(400);
  });

  it('refuses an Idempotency-Key longer than 200 characters with 400', async () => {
    const informant = newInformant();

    const res = await postJson({ k: informant.k, ...piece('幂等键过长') }, { 'idempotency-key': 'x'.repeat(201) });

    expect(res.status).toBe(400);
    expect(((await res.json()) as FieldErrors).errors).toEqual([
      { field: 'Idempotency-Key', message: 'Idempotency-Key 须为 1-200 个字符。' },
    ]);
  });
});

// --- Keys -----------------------------------------------------------------------------------------------------------

describe('personal keys', () => {
  it('refuses a submission with a missing, malformed, forged or unknown key with 403, and stores nothing', async () => {
    const informant = newInformant();
    const baseline = await submitted(informant, '基线稿件');
    const [payload] = informant.k.split('.') as [string, string];
    const forged = `${payload}.${'A'.repeat(43)}`;
    const unknown = signToken(Buffer.from(process.env.SIGNING_KEY!, 'utf8'), 'submit', {
      c: process.env.COUNTY_ID!,
      i: personIdOf(process.env.COUNTY_ID!, `nobody@${county.domain}`),
      v: 1,
    });

    const answers = await Promise.all([
      postJson(piece('无钥匙')),
      postJson({ ...piece('数字钥匙'), k: 12345 }),
      postJson({ ...piece('伪造钥匙'), k: forged }),
      postJson({ ...piece('陌生人钥匙'), k: unknown }),
      postForm({ ...piece('表单伪造钥匙'), k: forged }),
      postForm({ ...piece('表单坏钥匙'), k: 'not-a-key' }),
    ]);

    for (const res of answers) expect(res.status).toBe(403);
    expect(await answers[3]!.json()).toEqual({ error: 'invalid_link', message: expect.stringContaining('链接无效') });
    expectSafeHtmlPage(answers[4]!);
    expect((await submitted(informant, '之后的稿件')).receipt).toBe(nextAfter(baseline.receipt));
  });

  it('refuses a key with 403 even when the fields are bad too, so nothing about the form leaks', async () => {
    const res = await postJson({ k: 'forged.key', kind: 'news', title: '' });

    expect(res.status).toBe(403);
  });

  it('refuses a key signed for another purpose (review) with 403', async () => {
    const informant = newInformant();
    const review = signToken(Buffer.from(process.env.SIGNING_KEY!, 'utf8'), 'review', {
      c: process.env.COUNTY_ID!,
      i: personIdOf(process.env.COUNTY_ID!, informant.email),
      v: 1,
    });

    const form = await fetch(`${county.baseUrl}/submit?k=${review}`);
    const posted = await postJson({ k: review, ...piece('评审钥匙提交') });

    expect(form.status).toBe(403);
    expect(posted.status).toBe(403);
    expect(await acksTo(informant, 0)).toHaveLength(0);
  });

  it('refuses a key signed for another county with 403', async () => {
    const informant = newInformant();
    const elsewhere = signToken(Buffer.from(process.env.SIGNING_KEY!, 'utf8'), 'submit', {
      c: 'another-county',
      i: personIdOf(process.env.COUNTY_ID!, informant.email),
      v: 1,
    });

    const res = await postJson({ k: elsewhere, ...piece('外县钥匙') });

    expect(res.status).toBe(403);
  });

  it('refuses a submit key of someone on the roster who is not an informant (an editor) with 403', async () => {
    const editorKey = signToken(Buffer.from(process.env.SIGNING_KEY!, 'utf8'), 'submit', {
      c: process.env.COUNTY_ID!,
      i: personIdOf(process.env.COUNTY_ID!, `editor@${county.domain}`),
      v: 1,
    });

    const res = await postJson({ k: editorKey, ...piece('编辑冒充信息员') });

    expect(res.status).toBe(403);
  });

  it('after a revoke, refuses the old link everywhere with 403 while the new link from the email works', async () => {
    const informant = newInformant();
    const before = await submitted(informant, '撤销前的稿件');

    await revokePerson(informant.email);

    const [newLinkMail] = await county.waitForMails(informant.email, 1, /链接已更新/);
    const newLink = linkIn(newLinkMail);
    const newKey = new URL(newLink).searchParams.get('k')!;
    expect(newKey).not.toBe(informant.k);
    expect((await fetch(informant.link)).status).toBe(403);
    expect((await postJson({ k: informant.k, ...piece('旧链接提交') })).status).toBe(403);
    expect((await getReceipt(before.id, informant.k)).status).toBe(403);
    expect((await fetch(newLink)).status).toBe(200);
    expect((await getReceipt(before.id, newKey)).status).toBe(200);
    const after = await postForm({ k: newKey, ...piece('新链接提交') });
    expect(after.status).toBe(303);
    expect(after.headers.get('location')).toMatch(new RegExp(`&sent=${nextAfter(before.receipt)}$`));
  });

  it("does not show one informant's piece to another: the receipt answers 404, like a missing one", async () => {
    const author = newInformant();
    const other = newInformant();
    const created = await submitted(author, '别人看不到的稿件');

    const res = await getReceipt(created.id, other.k);
    const page = await getReceipt(created.id, other.k, false);

    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: 'not_found', message: expect.any(String) });
    expect(page.status).toBe(404);
    expectSafeHtmlPage(page);
    expect(await page.text()).not.toContain('别人看不到的稿件');
  });
});

// --- Retries --------------------------------------------------------------------------------------------------------

describe('a retried submission', () => {
  it('with the same Idempotency-Key and the same text returns the original receipt and creates nothing', async () => {
    const informant = newInformant();
    const first = await postJson({ k: informant.k, ...piece('幂等提交') }, { 'idempotency-key': 'retry-1' });
    const firstBody = await first.json();

    const retry = await postJson({ k: informant.k, ...piece('幂等提交') }, { 'idempotency-key': 'retry-1' });

    expect(first.status).toBe(201);
    expect(retry.status).toBe(201);
    expect(await retry.json()).toEqual(firstBody);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    const created = firstBody as Created;
    expect((await submitted(informant, '之后的稿件')).receipt).toBe(nextAfter(created.receipt));
    expect(await acksTo(informant, 2)).toHaveLength(2);
  });

  it('with the same Idempotency-Key but other text answers 422, says why, and creates nothing', async () => {
    const informant = newInformant();
    const first = (await (
      await postJson({ k: informant.k, ...piece('幂等键复用') }, { 'idempotency-key': 'reuse-1' })
    ).json()) as Created;

    const reused = await postJson({ k: informant.k, ...piece('幂等键复用（改过）') }, { 'idempotency-key': 'reuse-1' });

    expect(reused.status).toBe(422);
    expect(await reused.json()).toEqual({
      error: 'idempotency_key_reused',
      message: expect.stringContaining('Idempotency-Key 已用于另一篇内容不同的稿件'),
    });
    expect((await submitted(informant, '之后的稿件')).receipt).toBe(nextAfter(first.receipt));
    expect(await acksTo(informant, 2)).toHaveLength(2);
  });

  it('as a double click (same title and body within 10 minutes) redirects to the original receipt', async () => {
    const informant = newInformant();
    const fields = { k: informant.k, ...piece('双击提交') };
    const first = await postForm(fields);

    const second = await postForm(fields);

    expect(first.status).toBe(303);
    expect(second.status).toBe(303);
    expect(second.headers.get('location')).toBe(first.headers.get('location'));
    expect(await acksTo(informant, 1)).toHaveLength(1);
  });

  it('as a double click with different spaces and line breaks around the text still counts as the same piece', async () => {
    const informant = newInformant();
    const first = await submitted(informant, '空白不同的双击');

    const retry = await postJson({
      k: informant.k,
      ...piece('空白不同的双击'),
      title: '  空白不同的双击 ',
      body: `\r\n${piece('空白不同的双击').body}\r\n`,
    });

    expect(retry.status).toBe(201);
    expect(await retry.json()).toEqual(first);
  });

  it('as simultaneous clicks creates exactly one piece', async () => {
    const informant = newInformant();
    const fields = { k: informant.k, ...piece('同时点了三下') };

    const answers = await Promise.all([postJson(fields), postJson(fields), postJson(fields)]);

    const bodies = await Promise.all(answers.map((res) => res.json() as Promise<Created>));
    expect(answers.map((res) => res.status)).toEqual([201, 201, 201]);
    expect(new Set(bodies.map((b) => b.receipt)).size).toBe(1);
    expect((await submitted(informant, '之后的稿件')).receipt).toBe(nextAfter(bodies[0]!.receipt));
    expect(await acksTo(informant, 2)).toHaveLength(2);
  });

  it('with the same title but another body is a new piece', async () => {
    const informant = newInformant();
    const first = await submitted(informant, '同题不同文');

    const second = await postJson({ k: informant.k, ...piece('同题不同文'), body: `${LONG_BODY}另一篇` });

    expect(second.status).toBe(201);
    expect(((await second.json()) as Created).receipt).toBe(nextAfter(first.receipt));
  });

  it('from another informant with the same title and body is a new piece', async () => {
    const one = newInformant();
    const other = newInformant();
    const fields = piece('两个单位同一篇');
    const first = await postJson({ k: one.k, ...fields });

    const second = await postJson({ k: other.k, ...fields });

    expect(((await second.json()) as Created).receipt).toBe(nextAfter(((await first.json()) as Created).receipt));
  });

  it('with the same title and body after more than 10 minutes is a new piece', async () => {
    const informant = newInformant();
    const first = await submitted(informant, '十分钟后再交');
    today = new Date(today.getTime() + 11 * 60_000);

    const later = await postJson({ k: informant.k, ...piece('十分钟后再交') });

    expect(later.status).toBe(201);
    expect(((await later.json()) as Created).receipt).toBe(nextAfter(first.receipt));
    expect(await acksTo(informant, 2)).toHaveLength(2);
  });
});

// --- Escaping -------------------------------------------------------------------------------------------------------

describe('what a piece says is shown as text', () => {
  it('a title with <script> shows as text on the receipt page and in the acknowledgment email', async () => {
    const informant = newInformant();
    const title = '<script>alert(1)</script>&"\'';

    const created = await submitted(informant, title);

    const page = await (await getReceipt(created.id, informant.k, false)).text();
    expect(page).not.toContain('<script>');
    expect(page).toContain('<td>&lt;script&gt;alert(1)&lt;/script&gt;&amp;&quot;&#39;</td>');
    const [ack] = await county.waitForMails(informant.email, 1, /已收到您的稿件/);
    expect(ack?.body.html).not.toContain('<script>');
    expect(ack?.body.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });

  it('a body with markup shows as text on the receipt page', async () => {
    const informant = newInformant();

    const res = await postJson({
      k: informant.k,
      ...piece('正文带图片'),
      body: `${LONG_BODY}<img src=x onerror=alert(1)>`,
    });

    expect(res.status).toBe(201);
    const page = await (await getReceipt(((await res.json()) as Created).id, informant.k, false)).text();
    expect(page).not.toContain('<img');
    expect(page).toContain('&lt;img src=x onerror=alert(1)&gt;');
  });

  it('a title with CR/LF is one line: stored so, and never a line break in the email subject', async () => {
    const informant = newInformant();

    const created = await submitted(informant, '第一行\r\nBcc: attacker@example.org\r\n\r\n第二行');

    const stored = (await (await getReceipt(created.id, informant.k)).json()) as { title: string };
    expect(stored.title).toBe('第一行 Bcc: attacker@example.org 第二行');
    const [ack] = await county.waitForMails(informant.email, 1, /已收到您的稿件/);
    expect(ack?.subject).not.toMatch(/[\r\n]/);
    expect(ack?.subject).toContain('第一行 Bcc: attacker@example.org 第二行');
    expect(ack?.destination).toEqual({ to: [informant.email], cc: [], bcc: [] });
  });
});

// --- Methods and safe requests --------------------------------------------------------------------------------------

describe('methods', () => {
  it.each([
    ['GET', '/submissions', 'POST'],
    ['PUT', '/submissions', 'POST'],
    ['DELETE', '/submissions', 'POST'],
    ['POST', '/submit', 'GET, HEAD'],
    ['PATCH', '/submit', 'GET, HEAD'],
    ['POST', '/submissions/2026-0001', 'GET, HEAD'],
    ['DELETE', '/submissions/2026-0001', 'GET, HEAD'],
  ])('answers %s %s with 405 and Allow: %s', async (method, path, allow) => {
    const page = await fetch(`${county.baseUrl}${path}`, { method });
    const json = await fetch(`${county.baseUrl}${path}`, { method, headers: { accept: 'application/json' } });

    expect(page.status).toBe(405);
    expect(page.headers.get('allow')).toBe(allow);
    expectSafeHtmlPage(page);
    expect(json.status).toBe(405);
    expect(json.headers.get('allow')).toBe(allow);
    expect(await json.json()).toEqual({ error: 'method_not_allowed', message: expect.any(String) });
  });

  it('GET and HEAD change nothing: no piece, no event, no email', async () => {
    const informant = newInformant();
    const created = await submitted(informant, '只读请求之前');
    const query = new URLSearchParams({ k: informant.k, ...piece('用 GET 提交') }).toString();

    const answers = [
      await fetch(`${county.baseUrl}/submissions?${query}`),
      await fetch(`${county.baseUrl}/submissions?${query}`, { method: 'HEAD' }),
      await fetch(informant.link),
      await fetch(informant.link, { method: 'HEAD' }),
      await getReceipt(created.id, informant.k, false),
      await fetch(`${county.baseUrl}/submissions/${created.id}?k=${informant.k}`, { method: 'HEAD' }),
    ];

    expect(answers.map((res) => res.status)).toEqual([405, 405, 200, 200, 200, 200]);
    const stored = (await (await getReceipt(created.id, informant.k)).json()) as { events: unknown[] };
    expect(stored.events).toHaveLength(1);
    expect((await submitted(informant, '只读请求之后')).receipt).toBe(nextAfter(created.receipt));
    expect(await acksTo(informant, 2)).toHaveLength(2);
  });

  it('answers HEAD like GET, without a body', async () => {
    const informant = newInformant();

    const res = await fetch(informant.link, { method: 'HEAD' });

    expect(res.status).toBe(200);
    expectSafeHtmlPage(res);
    expect(Number(res.headers.get('content-length'))).toBeGreaterThan(0);
    expect(await res.text()).toBe('');
  });
});
