// Word documents and attachments, over real HTTP through the local gateway with the S3 stand-in (s3rver): a research
// paper uploaded as .docx from the form is read into the piece (its table a table on the review page and in the
// email), its original downloads byte-identical for the editor and the informant and for nobody else, anything
// executable in it stays inert, bad files are refused with the form kept and nothing stored (a zip bomb whatever
// its parts are called unread, timed and weighed, at submission and revision alike), and a returned paper is revised
// by uploading a new document.
import { importRoster } from '../../../shared/roster/importRoster';
import {
  encryptedDocx,
  notWordZip,
  oldDoc,
  PAPER_PARAGRAPHS,
  PAPER_TABLE,
  PDF_BYTES,
  PNG_BYTES,
  paperDocx,
  truncatedDocx,
} from '../../support/docx';
import { countyObjects } from '../../support/files';
import { linkIn, rosterCsv, type StoredEmail, startTestCounty, type TestCounty } from '../../support/harness';
import { renamedMainBomb, renamedStylesBomb } from '../../unit/documents/docxBombs';
import { measured } from '../../unit/documents/measure';
import { type DeskSession, signIn, submitKeyOf } from '../desk/deskSupport';

let county: TestCounty;
let k = '';
/** An informant of another unit. */
let otherK = '';

const url = (path: string) => `${county.baseUrl}${path}`;
const address = (name: string) => `${name}@${county.domain}`;

beforeAll(async () => {
  county = await startTestCounty();
  expect((await importRoster(rosterCsv(county.domain))).ok).toBe(true);
  k = await submitKeyOf(county, address('zhang'));
  otherK = await submitKeyOf(county, address('zhou'));
});
afterAll(async () => {
  await county.close();
});

type Upload = [field: string, name: string, bytes: Buffer];

/** The submission form as a browser posts it: multipart, the typed fields and the chosen files. */
function multipart(fields: Record<string, string>, files: Upload[] = []): RequestInit {
  const body = new FormData();
  for (const [name, value] of Object.entries(fields)) body.append(name, value);
  for (const [field, name, bytes] of files) body.append(field, new Blob([new Uint8Array(bytes)]), name);
  return { method: 'POST', redirect: 'manual', body };
}

async function submitPaper(files: Upload[], fields: Record<string, string> = {}): Promise<string> {
  const res = await fetch(
    url('/submissions'),
    multipart({ k, kind: 'research', title: '', body: '', ...fields }, files),
  );
  expect(res.status).toBe(303);
  const sent = new URL(res.headers.get('location')!, county.baseUrl).searchParams.get('sent');
  expect(sent).toMatch(/^\d{4}-\d{4}$/);
  return sent!;
}

async function reviewMail(receipt: string, revision = 1): Promise<StoredEmail> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const found = (await county.mails(address('editor'))).filter(
      (m) => m.body.text?.includes(`回执号：${receipt}`) && m.body.text.includes(`稿次：第 ${revision} 稿`),
    );
    if (found.length || Date.now() > deadline) return found.at(-1)!;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Posts a form and reads the answer, timing it and weighing it (the gateway and its handlers run in this process). */
async function postMeasured(path: string, init: RequestInit): Promise<{ status: number; page: string; cost: string }> {
  const { value, ms, peakMb, heapMb } = await measured(async () => {
    const res = await fetch(path, init);
    return { status: res.status, page: await res.text() };
  });
  const mb = Math.max(peakMb, heapMb);
  return { ...value, cost: `${ms < 1000 ? 'within 1 s' : `${ms} ms`}, ${mb < 100 ? 'within 100 MB' : `${mb} MB`}` };
}

/** Time enough for a bomb that is read after all to show how long it took and what it weighed. */
const READ_ANYWAY_MS = 120_000;

/** The review page's link in a review email (its file links come before it). */
const reviewPageLink = (mail: StoredEmail) => /审核页面：(\S+)/.exec(mail.body.text ?? '')![1]!;

/** A download as a browser makes it: with the desk's session cookie where `session` is given. */
async function download(
  path: string,
  session?: DeskSession,
): Promise<{ status: number; bytes: Buffer; disposition: string }> {
  const res = session ? await session.fetch(path) : await fetch(path.startsWith('http') ? path : url(path));
  return {
    status: res.status,
    bytes: Buffer.from(await res.arrayBuffer()),
    disposition: res.headers.get('content-disposition') ?? '',
  };
}

describe('a research paper uploaded as a Word document', () => {
  let receipt = '';
  let docx: Buffer;
  let mail: StoredEmail;

  beforeAll(async () => {
    docx = await paperDocx();
    receipt = await submitPaper([
      ['document', '城关镇调研报告.docx', docx],
      ['attachments', '夜校照片.png', PNG_BYTES],
    ]);
    mail = await reviewMail(receipt);
  });

  it('takes the title from the heading and the body from the text, its table row by row', async () => {
    const res = await fetch(url(`/submissions/${receipt}?k=${encodeURIComponent(k)}`), {
      headers: { accept: 'application/json' },
    });
    const piece = (await res.json()) as { title: string };
    expect(piece.title).toBe('关于城关镇党员教育培训工作的调研报告');
    const [ack] = await county.waitForMails(address('zhang'), 1, new RegExp(`已收到您的稿件（回执号 ${receipt}）`));
    expect(ack?.body.text).toContain('文件：城关镇调研报告.docx、夜校照片.png');
    expect(mail.body.text).toContain(PAPER_PARAGRAPHS[1]);
    expect(mail.body.text).toContain('东关村 | 126 | 380');
  });

  it('shows the table as a table on the review page and in the review email', async () => {
    const page = await (await fetch(reviewPageLink(mail))).text();
    expect(page).toMatch(/<table><tr><td><p>村（社区）<\/p><\/td><td><p>党员人数<\/p><\/td>/);
    expect(page).toContain('<td><p>东关村</p></td>');
    expect(mail.body.html).toMatch(/<table style="[^"]*"><tr><td style="[^"]*"><p[^>]*>村（社区）<\/p><\/td>/);
    expect(mail.body.html).toContain('西街社区');
  });

  it('lets the editor download the original byte for byte from the review page, its email and the desk', async () => {
    const page = await (await fetch(reviewPageLink(mail))).text();
    const href = /<a href="([^"]+\/files\/1-1)" download>城关镇调研报告\.docx<\/a>/.exec(page)?.[1];
    expect(href).toBeDefined();
    const fromPage = await download(href!);
    expect(fromPage.status).toBe(200);
    expect(fromPage.bytes.equals(docx)).toBe(true);
    expect(fromPage.disposition).toContain(`filename*=UTF-8''${encodeURIComponent('城关镇调研报告.docx')}`);
    const fromMail = /原件：城关镇调研报告\.docx（\d+ KB） (\S+)/.exec(mail.body.text ?? '')?.[1];
    expect((await download(fromMail!)).bytes.equals(docx)).toBe(true);
    const desk = await signIn(county, address('editor'));
    const fromDesk = await download(`${desk}/pieces/${receipt}/files/1-2`, desk);
    expect(fromDesk.status).toBe(200);
    expect(fromDesk.bytes.equals(PNG_BYTES)).toBe(true);
  });

  it('lets the informant download it from the receipt page, and nobody else', async () => {
    const receiptPage = await (await fetch(url(`/submissions/${receipt}?k=${encodeURIComponent(k)}`))).text();
    const href = /<a href="([^"]+files\/1-1[^"]*)" download>/.exec(receiptPage)?.[1]?.replace(/&amp;/g, '&');
    expect((await download(href!)).bytes.equals(docx)).toBe(true);
    // Another unit's informant, a forged review token, the desk without a session, a leader's desk: nothing.
    expect((await download(`/submissions/${receipt}/files/1-1?k=${encodeURIComponent(otherK)}`)).status).toBe(404);
    expect((await download(`/review/forged/files/1-1`)).status).toBe(403);
    expect((await download(`/desk/pieces/${receipt}/files/1-1`)).status).toBe(401);
    const leaderDesk = await signIn(county, address('leader'));
    expect((await download(`${leaderDesk}/pieces/${receipt}/files/1-1`, leaderDesk)).status).toBe(403);
    expect((await download(`/submissions/${receipt}/files/1-9?k=${encodeURIComponent(k)}`)).status).toBe(404);
  });
});

describe('what a document must not do', () => {
  it('renders a script, an onerror and a javascript: link in the document as inert text', async () => {
    const receipt = await submitPaper([
      [
        'document',
        '恶意.docx',
        await paperDocx({
          title: '含有脚本的文档标题测试',
          paragraphs: ['正文里写着<script>alert(1)</script>和<img src=x onerror=alert(2)>，这些都只能是文字而已。'],
          link: ['点这里', 'javascript:alert(3)'],
        }),
      ],
    ]);
    const mail = await reviewMail(receipt);
    for (const html of [await (await fetch(reviewPageLink(mail))).text(), mail.body.html ?? '']) {
      expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
      expect(html).not.toMatch(/<script>alert|<img[^>]*onerror|href="javascript:/i);
    }
  });
});

describe('bad files', () => {
  const typed = { title: '这个标题是用户自己输入的', body: '' };
  const cases: [string, Upload[], string, RegExp][] = [
    ['a PDF named .docx', [['document', '报告.docx', PDF_BYTES]], 'document', /内容不是 Word 文档/],
    ['a password-protected .docx', [['document', '报告.docx', encryptedDocx()]], 'document', /设有打开密码/],
    ['an old Word .doc', [['document', '报告.doc', oldDoc()]], 'document', /旧版 Word 格式（\.doc）.*\.docx 或 PDF/],
    ['a .doc renamed .docx', [['document', '报告.docx', oldDoc()]], 'document', /旧版 Word 格式/],
    ['a zip that is no Word document', [['document', '报告.docx', notWordZip()]], 'document', /不是 Word 文档/],
    ['an image named .pdf', [['attachments', '照片.pdf', PNG_BYTES]], 'attachments', /内容不是 PDF/],
    ['an executable attachment', [['attachments', 'setup.exe', PDF_BYTES]], 'attachments', /格式不能上传/],
    [
      'four attachments',
      [1, 2, 3, 4].map((i): Upload => ['attachments', `照片${i}.png`, PNG_BYTES]),
      'attachments',
      /附件最多 3 个（选了 4 个）/,
    ],
    [
      'files over 4 MB together',
      [['attachments', '大图.png', Buffer.concat([PNG_BYTES, Buffer.alloc(4 * 1024 * 1024)])]],
      'attachments',
      /超过 4\.0 MB 的上限/,
    ],
  ];

  it.each(cases)(
    'refuses %s with a Chinese message, the form kept and nothing stored',
    async (_, files, field, message) => {
      const before = await countyObjects();
      expect(before.length).toBeGreaterThan(0); // the papers above: the listing sees stored files
      const res = await fetch(url('/submissions'), multipart({ k, kind: 'research', ...typed }, files));
      expect(res.status).toBe(400);
      const page = await res.text();
      expect(page).toMatch(message);
      expect(page).toContain(`id="${field}-error"`);
      expect(page).toContain(`value="${typed.title}"`);
      expect(page).toContain('所选的文件需要重新选择');
      expect(await countyObjects()).toEqual(before);
    },
  );

  it('refuses a corrupt .docx and one without text, saying which', async () => {
    const corrupt = await fetch(
      url('/submissions'),
      multipart({ k, kind: 'research', ...typed }, [['document', '坏了.docx', await truncatedDocx()]]),
    );
    expect(corrupt.status).toBe(400);
    expect(await corrupt.text()).toMatch(/文件“坏了\.docx”已损坏/);
    const empty = await fetch(
      url('/submissions'),
      multipart({ k, kind: 'research', ...typed }, [
        ['document', '空白.docx', await paperDocx({ title: '只有标题', paragraphs: [], table: [] })],
      ]),
    );
    expect(empty.status).toBe(400);
    expect(await empty.text()).toMatch(/文档“空白\.docx”的正文至少 20 字/);
  });

  it('refuses a request too big to read with a Chinese page saying the limit, and stores nothing', async () => {
    const before = await countyObjects();
    const huge = Buffer.concat([PNG_BYTES, Buffer.alloc(5 * 1024 * 1024)]);
    const res = await fetch(
      url('/submissions'),
      multipart({ k, kind: 'research', ...typed }, [['attachments', '超大.png', huge]]),
    );
    expect(res.status).toBe(413);
    expect(await res.text()).toContain('文档和附件合计不能超过 4 MB');
    expect(await countyObjects()).toEqual(before);
  });

  it(
    'refuses unread, within 1 s and 100 MB, a small zip bomb whose main part is renamed, and stores nothing',
    async () => {
      const before = await countyObjects();
      const bomb = await renamedMainBomb();
      expect(bomb.length).toBeLessThan(50_000);
      const res = await postMeasured(
        url('/submissions'),
        multipart({ k, kind: 'research', ...typed }, [['document', '调研报告.docx', bomb]]),
      );
      expect([res.status, res.cost]).toEqual([400, 'within 1 s, within 100 MB']);
      expect(res.page).toMatch(/文件“调研报告\.docx”内容过多或排版过于复杂，无法读取/);
      expect(res.page).toContain('id="document-error"');
      expect(res.page).toContain(`value="${typed.title}"`);
      expect(await countyObjects()).toEqual(before);
    },
    READ_ANYWAY_MS,
  );

  it('answers a JSON client with a structured error naming the field', async () => {
    const res = await fetch(url('/submissions'), {
      ...multipart({ k, kind: 'research', ...typed }, [['document', '报告.docx', PDF_BYTES]]),
      headers: { accept: 'application/json' },
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { errors: { field: string; message: string }[] };
    expect(body.errors.map((e) => e.field)).toEqual(['document']);
  });
});

describe('a returned paper revised with a new document', () => {
  it('replaces the document, keeps the attachment, and shows what changed between the drafts', async () => {
    const receipt = await submitPaper([
      ['document', '初稿.docx', await paperDocx()],
      ['attachments', '照片.png', PNG_BYTES],
    ]);
    const review = reviewPageLink(await reviewMail(receipt));
    const returned = await fetch(review, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ decision: 'return', comment: '请补充培训成效的数据。' }).toString(),
    });
    expect([200, 303]).toContain(returned.status);
    const [returnMail] = await county.waitForMails(address('zhang'), 1, /需要修改/);
    const revise = linkIn(returnMail, '/revise/');
    const form = await (await fetch(revise)).text();
    expect(form).toContain('enctype="multipart/form-data"');
    expect(form).toContain('上一稿的附件（照片.png）会随修改稿保留');

    const second = await paperDocx({
      paragraphs: [...PAPER_PARAGRAPHS, '三是注重实效。参训党员中有四十二人领办了合作社，带动群众增收。'],
      table: [...PAPER_TABLE, ['南关村', '75', '190']],
    });
    const res = await fetch(
      revise,
      multipart({ kind: 'research', title: '', body: '' }, [['document', '修改稿.docx', second]]),
    );
    expect(res.status).toBe(303);
    const mail = await reviewMail(receipt, 2);
    expect(mail.body.text).toContain('三是注重实效');
    expect(mail.body.html).toContain('南关村');
    expect(mail.body.html).toContain('修改之处');
    const page = await (await fetch(reviewPageLink(mail))).text();
    expect(page).toContain('<td><p>南关村</p></td>');
    expect(page).toMatch(/<ins[^>]*>[^<]*三是注重实效/);
    const newDoc = /<a href="([^"]+\/files\/2-1)" download>修改稿\.docx<\/a>/.exec(page)?.[1];
    expect((await download(newDoc!)).bytes.equals(second)).toBe(true);
    const kept = /<a href="([^"]+\/files\/2-2)" download>照片\.png<\/a>/.exec(page)?.[1];
    expect((await download(kept!)).bytes.equals(PNG_BYTES)).toBe(true);
    // The same link again, the same document with a photo added: not the same draft, so refused, and nothing kept.
    const before = await countyObjects();
    const again = await fetch(
      revise,
      multipart({ kind: 'research', title: '', body: '' }, [
        ['document', '修改稿.docx', second],
        ['attachments', '新照片.png', PNG_BYTES],
      ]),
    );
    expect(again.status).toBe(409);
    expect(await again.text()).toContain('修改稿（第 2 稿）已经提交');
    expect(await countyObjects()).toEqual(before);
  });

  it(
    'refuses unread, within 1 s and 100 MB, a revision whose styles hide a zip bomb, and stores nothing',
    async () => {
      const title = '关于城关镇夜校课堂的调研（待修改）';
      // Another informant's paper, so that the return email waited for here is this one's.
      const receipt = await submitPaper([['document', '初稿.docx', await paperDocx()]], { k: otherK, title });
      const review = reviewPageLink(await reviewMail(receipt));
      const returned = await fetch(review, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ decision: 'return', comment: '请补充培训成效的数据。' }).toString(),
      });
      expect([200, 303]).toContain(returned.status);
      const [returnMail] = await county.waitForMails(address('zhou'), 1, new RegExp(`需要修改：${title}`));
      const revise = linkIn(returnMail, '/revise/');
      const before = await countyObjects();
      const res = await postMeasured(
        revise,
        multipart({ kind: 'research', title, body: '' }, [['document', '修改稿.docx', await renamedStylesBomb()]]),
      );
      expect([res.status, res.cost]).toEqual([400, 'within 1 s, within 100 MB']);
      expect(res.page).toMatch(/文件“修改稿\.docx”内容过多或排版过于复杂，无法读取/);
      expect(await countyObjects()).toEqual(before);
    },
    READ_ANYWAY_MS,
  );
});
