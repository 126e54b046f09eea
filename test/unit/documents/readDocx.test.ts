// Reading a Word document: its text (paragraphs, table rows), its title, and HTML in which nothing can run — checked
// on documents made here with a real OOXML writer, zip bombs whatever their parts are called refused unread (timed
// and weighed), and the sanitizer on arbitrary input.
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { ValidationError } from '../../../shared/core/errors';
import {
  assertDocx,
  readDocx,
  sanitizeDocumentHtml,
  UnreadableDocumentError,
} from '../../../shared/documents/readDocx';
import { readUpload } from '../../../shared/documents/uploads';
import { notWordZip, PAPER_PARAGRAPHS, PAPER_TABLE, paperDocx, truncatedDocx } from '../../support/docx';
import {
  manyPartsBomb,
  nestedBomb,
  pack,
  paperParts,
  paperWithMainPart,
  renamedMainBomb,
  renamedStylesBomb,
  splitBomb,
  thumbnailBomb,
  understatedBomb,
} from './docxBombs';
import { type Measured, measured } from './measure';

/** Why readDocx refused a file ('read' when it did not). */
const refusal = (bytes: Buffer) =>
  readDocx(bytes).then(
    () => 'read',
    (err: unknown) => (err instanceof UnreadableDocumentError ? err.reason : String(err)),
  );

describe('reading a .docx', () => {
  it('gives the text a line per paragraph and a table row per line, and the heading as the title', async () => {
    const read = await readDocx(await paperDocx());
    expect(read.title).toBe('关于城关镇党员教育培训工作的调研报告');
    expect(read.text.split('\n')).toEqual([
      '关于城关镇党员教育培训工作的调研报告',
      ...PAPER_PARAGRAPHS,
      ...PAPER_TABLE.map((row) => row.join(' | ')),
    ]);
    expect(read.html).toContain('<h1>关于城关镇党员教育培训工作的调研报告</h1>');
    expect(read.html).toContain('<table><tr><td><p>村（社区）</p></td>');
  });

  it('takes no title from a document without a heading whose first line is not a centred title', async () => {
    expect((await readDocx(await paperDocx({ plainTitle: true }))).title).toBeUndefined();
  });

  it('takes a centred first line as the title, and never a section heading further down', async () => {
    const centred = await paperDocx({ centredTitle: true, sections: ['一、基本情况'] });
    expect((await readDocx(centred)).title).toBe('关于城关镇党员教育培训工作的调研报告');
    const untitled = await paperDocx({ plainTitle: true, sections: ['一、基本情况'] });
    expect((await readDocx(untitled)).title).toBeUndefined();
  });

  it('refuses unread a small file whose XML unpacks too big to read', async () => {
    const bomb = await paperDocx({ paragraphs: ['党'.repeat(1_000_000)] });
    expect(bomb.length).toBeLessThan(100_000);
    expect(await refusal(bomb)).toBe('too-big');
  });

  it('keeps links to web addresses and drops javascript: ones', async () => {
    const web = await readDocx(await paperDocx({ link: ['政策原文', 'https://www.gov.cn/zhengce/'] }));
    expect(web.html).toContain('<a href="https://www.gov.cn/zhengce/">政策原文</a>');
    const script = await readDocx(await paperDocx({ link: ['点这里', 'javascript:alert(1)'] }));
    expect(script.html).not.toMatch(/javascript:/i);
    expect(script.html).toContain('点这里');
  });

  it('refuses a cut-off file as corrupt and a zip without a Word main part as not a document', async () => {
    expect(await refusal(await truncatedDocx())).toBe('corrupt');
    expect(await refusal(notWordZip())).toBe('not-docx');
    await expect(assertDocx(Buffer.from('PK\u0003\u0004 not really'))).rejects.toThrow(UnreadableDocumentError);
  });
});

/** What a measured refusal came to, in words: the reason, and the time and memory when over 1 s or 100 MB. */
const said = ({ value, ms, peakMb, heapMb }: Measured<string>) => {
  const mb = Math.max(peakMb, heapMb);
  return `${value}, ${ms < 1000 ? 'within 1 s' : `${ms} ms`}, ${mb < 100 ? 'within 100 MB' : `${mb} MB`}`;
};

describe('a zip bomb, whatever its parts are called', () => {
  const bombs: [string, () => Promise<Buffer>, string][] = [
    ['its main part renamed word/document.dat, found through _rels/.rels', () => renamedMainBomb(), 'too-big'],
    [
      "its styles renamed word/theme/look.cfg, named by the main part's relationships",
      () => renamedStylesBomb(),
      'too-big',
    ],
    ["a customXml part named by another customXml part's relationships", () => nestedBomb(), 'too-big'],
    ['parts under 2 MB each with odd names, 7.6 MB together', () => splitBomb(), 'too-big'],
    [
      'its main part named like an image outside word/media',
      () => renamedMainBomb('word/embeddings/image1.png'),
      'too-big',
    ],
    ['a thumbnail outside word/media', () => thumbnailBomb(), 'too-big'],
    ['30,000 tiny parts', () => manyPartsBomb(), 'too-big'],
    ['a directory understating what word/document.xml inflates to (300 MB)', () => understatedBomb(), 'too-big'],
    // Images are never unpacked: what _rels/.rels names there is read as the empty part it is to mammoth.
    ['an image under word/media named as the main part', () => renamedMainBomb('word/media/image1.png'), 'corrupt'],
  ];

  // Time enough for a bomb that is read after all to show how long it took and what it weighed.
  const READ_ANYWAY_MS = 120_000;

  it.each(bombs)(
    'refuses unread %s, within 1 s and 100 MB',
    async (_, build, reason) => {
      const bomb = await build();
      expect(bomb.length).toBeLessThan(4 * 1024 * 1024); // an upload's limit
      expect(said(await measured(() => refusal(bomb)))).toBe(`${reason}, within 1 s, within 100 MB`);
    },
    READ_ANYWAY_MS,
  );

  it(
    'says so in Chinese beside the field, as the document and as an attachment',
    async () => {
      const refused = (fields: Record<string, unknown>) =>
        readUpload(fields).then(
          () => [],
          (err: unknown) => (err instanceof ValidationError ? err.errors : [String(err)]),
        );
      expect(await refused({ document: { filename: '调研报告.docx', content: await renamedMainBomb() } })).toEqual([
        {
          field: 'document',
          message:
            '文件“调研报告.docx”内容过多或排版过于复杂，无法读取。请把文档拆分，或另存为 PDF 作为附件上传并把正文粘贴到正文框。',
        },
      ]);
      expect(await refused({ attachments: { filename: '附件.docx', content: await nestedBomb() } })).toEqual([
        { field: 'attachments', message: expect.stringMatching(/^文件“附件\.docx”内容过多或排版过于复杂/) },
      ]);
    },
    READ_ANYWAY_MS,
  );

  it('still reads a paper whose main part has another name, and one with a large image under word/media', async () => {
    const renamed = await readDocx(await paperWithMainPart('word/document.dat'));
    expect(renamed.title).toBe('关于城关镇党员教育培训工作的调研报告');
    expect(renamed.text).toContain(PAPER_PARAGRAPHS[1]);
    const parts = await paperParts();
    parts['word/media/image1.png'] = randomBytes(3 * 1024 * 1024);
    const withLargeImage = pack(parts);
    const { value: withImage, ms } = await measured(() => readDocx(withLargeImage));
    expect(withImage.text).toContain(PAPER_PARAGRAPHS[1]);
    expect(ms).toBeLessThan(1000);
  });
});

describe('the sanitizer', () => {
  it('keeps the structure of a document and nothing else', () => {
    expect(
      sanitizeDocumentHtml(
        '<h2 style="color:red">标题</h2><p onclick="x()">段落<img src=x onerror=alert(1)></p>' +
          '<table border="1"><tr><td colspan="2" class="c">甲</td><td rowspan="x">乙</td></tr></table>' +
          '<script>alert(2)</script><style>p{}</style><iframe src="//evil"></iframe><a href="JaVaScRiPt:alert(3)">链接</a>',
      ),
    ).toBe(
      '<h2>标题</h2><p>段落</p><table><tr><td colspan="2">甲</td><td rowspan>乙</td></tr></table><a href>链接</a>',
    );
  });

  it('never lets a tag, an event handler or a script address through, whatever it is given', () => {
    const pieces = fc.constantFrom(
      '<script>',
      '</script>',
      '<img src=x onerror=alert(1)>',
      '<svg onload=alert(1)>',
      '<a href="javascript:alert(1)">',
      '<a href=" javascript:alert(1)">',
      '<iframe srcdoc="<script>">',
      '<p style="background:url(javascript:alert(1))">',
      '<object data=x>',
      '<td colspan="2" onmouseover=x>',
      '<!--',
      '-->',
      '"',
      "'",
      '<',
      '>',
      '文字',
      '<p>',
      '</p>',
      '<table><tr><td>',
    );
    fc.assert(
      fc.property(fc.array(fc.oneof(pieces, fc.string({ maxLength: 8 })), { maxLength: 30 }), (parts) => {
        const out = sanitizeDocumentHtml(parts.join(''));
        expect(out).not.toMatch(/<(script|img|svg|iframe|object|style)\b/i);
        expect(out).not.toMatch(/<[^>]*\son\w+\s*=/i);
        expect(out).not.toMatch(/<[^>]*(javascript|vbscript|data):/i);
        expect(out).not.toMatch(/<[^>]*\sstyle\s*=/i);
      }),
      { numRuns: 500 },
    );
  });
});
