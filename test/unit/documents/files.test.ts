// What an uploaded file is, by its bytes: the name is checked against them, an old .doc and a password-protected
// .docx are told apart and told in Chinese, names are cleaned for showing and saving, and download links parse.
import fc from 'fast-check';
import { ValidationError } from '../../../shared/core/errors';
import { cleanName, fileKey, kindOf, parseFileSlug, sniff } from '../../../shared/documents/files';
import { encryptedDocx, notWordZip, oldDoc, PDF_BYTES, PNG_BYTES } from '../../support/docx';

const JPG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x4a, 0x46]);

const messageOf = (fn: () => unknown): string => {
  try {
    fn();
  } catch (err) {
    if (err instanceof ValidationError) return err.errors.map((e) => `${e.field}: ${e.message}`).join('；');
    throw err;
  }
  return '';
};

describe('sniffing a file', () => {
  it('knows a zip, a PDF, JPG and PNG images, and the two kinds of OLE container', () => {
    expect(sniff(notWordZip())).toBe('zip');
    expect(sniff(PDF_BYTES)).toBe('pdf');
    expect(sniff(JPG)).toBe('jpg');
    expect(sniff(PNG_BYTES)).toBe('png');
    expect(sniff(oldDoc())).toBe('ole');
    expect(sniff(encryptedDocx())).toBe('ole-encrypted');
    expect(sniff(Buffer.from('MZ\x90\x00 an executable'))).toBe('unknown');
    expect(sniff(Buffer.alloc(0))).toBe('unknown');
  });
});

describe('the kind of an upload', () => {
  const all = ['docx', 'pdf', 'jpg', 'png'] as const;

  it('accepts a file whose bytes are what its name says, whatever the case of the ending', () => {
    expect(kindOf('报告.DOCX', notWordZip(), all, 'document')).toBe('docx');
    expect(kindOf('扫描件.pdf', PDF_BYTES, all, 'attachments')).toBe('pdf');
    expect(kindOf('照片.jpeg', JPG, all, 'attachments')).toBe('jpg');
    expect(kindOf('照片.Png', PNG_BYTES, all, 'attachments')).toBe('png');
  });

  it('refuses a file that is not what its name says, naming the file and the field', () => {
    expect(messageOf(() => kindOf('报告.docx', PDF_BYTES, all, 'document'))).toBe(
      'document: 文件“报告.docx”的内容不是 Word 文档（文件名与内容不符，可能已损坏或被改了扩展名）。',
    );
    expect(messageOf(() => kindOf('照片.jpg', PNG_BYTES, all, 'attachments'))).toMatch(
      /^attachments: .*内容不是 JPG 图片/,
    );
  });

  it('asks for .docx or PDF instead of an old .doc, also when it was renamed .docx', () => {
    for (const name of ['报告.doc', '报告.docx', '报告.wps']) {
      expect(messageOf(() => kindOf(name, oldDoc(), all, 'document'))).toMatch(
        /旧版 Word 格式（\.doc）.*\.docx 或 PDF/,
      );
    }
    expect(messageOf(() => kindOf('统计表.xls', oldDoc(), all, 'attachments'))).toMatch(/旧版 Office 文件.*PDF/);
  });

  it('says a password-protected document cannot be read', () => {
    expect(messageOf(() => kindOf('报告.docx', encryptedDocx(), all, 'document'))).toMatch(/设有打开密码/);
  });

  it('refuses kinds the field does not take, and names without a known ending', () => {
    expect(messageOf(() => kindOf('扫描件.pdf', PDF_BYTES, ['docx'], 'document'))).toMatch(/这里只接受 Word 文档。/);
    expect(messageOf(() => kindOf('setup.exe', PDF_BYTES, all, 'attachments'))).toMatch(/格式不能上传/);
    expect(messageOf(() => kindOf('无扩展名', PNG_BYTES, all, 'attachments'))).toMatch(/格式不能上传/);
  });
});

describe('names and keys', () => {
  it('keeps the file name only, without control characters or quotes, at most 120 characters with its ending', () => {
    expect(cleanName('C:\\Users\\张伟\\Desktop\\调研报告.docx')).toBe('调研报告.docx');
    expect(cleanName('../../etc/passwd')).toBe('passwd');
    expect(cleanName('a"b\r\nc.pdf')).toBe('abc.pdf');
    expect(cleanName('报告\u202excod.exe')).toBe('报告xcod.exe');
    expect(cleanName('报告\u202excod.exe')).toBe('报告xcod.exe');
    const long = cleanName(`${'很长的名字'.repeat(40)}.docx`);
    expect([...long].length).toBe(120);
    expect(long.endsWith('.docx')).toBe(true);
  });

  it('never lets a name reach a header or a path with a line break, a quote or a slash', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (name) => {
        const clean = cleanName(name);
        // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what must not be there
        expect(clean).not.toMatch(/[\r\n"\\/\u0000-\u001f]/);
        expect([...clean].length).toBeLessThanOrEqual(120);
      }),
    );
  });

  it('keys a file by county, piece, revision and upload, and parses download links strictly', () => {
    expect(fileKey('demo', '2026-0042', 2, 'u1', 1, 'docx')).toBe('counties/demo/pieces/2026-0042/r2/u1/1.docx');
    expect(parseFileSlug('2-1')).toEqual({ revision: 2, n: 1 });
    for (const bad of ['0-1', '1-0', '1-10', '1', 'a-b', '1-1/../x', ' 1-1', '1234-1']) {
      expect(parseFileSlug(bad)).toBeUndefined();
    }
  });
});
