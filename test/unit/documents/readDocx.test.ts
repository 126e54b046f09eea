// Reading a Word document: its text (paragraphs, table rows), its title, and HTML in which nothing can run — checked
// on documents made here with a real OOXML writer, and the sanitizer on arbitrary input.
import fc from 'fast-check';
import {
  assertDocx,
  readDocx,
  sanitizeDocumentHtml,
  UnreadableDocumentError,
} from '../../../shared/documents/readDocx';
import { notWordZip, PAPER_PARAGRAPHS, PAPER_TABLE, paperDocx, truncatedDocx } from '../../support/docx';

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
    expect(() => assertDocx(Buffer.from('PK\u0003\u0004 not really'))).toThrow(UnreadableDocumentError);
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
