// Word documents made in the test, as an informant's Word would save them (the `docx` library writes real OOXML):
// a research paper with a heading, Chinese paragraphs and a table, and the hostile and broken files the upload
// must refuse or render inert.
import {
  AlignmentType,
  Document,
  ExternalHyperlink,
  HeadingLevel,
  Packer,
  Paragraph,
  Table,
  TableCell,
  TableRow,
  TextRun,
} from 'docx';
import { zipSync } from 'fflate';

export interface PaperOptions {
  title?: string;
  /** Paragraphs after the heading. */
  paragraphs?: string[];
  /** Table rows, the first the header. */
  table?: string[][];
  /** A hyperlink paragraph (text, address). */
  link?: [string, string];
  /** No heading style: the title as a plain first paragraph. */
  plainTitle?: boolean;
  /** No heading style: the title as a centred first paragraph (as 公文 are laid out). */
  centredTitle?: boolean;
  /** Section headings (Heading 1) after the paragraphs, as 一、基本情况. */
  sections?: string[];
}

export const PAPER_TABLE = [
  ['村（社区）', '党员人数', '培训人次'],
  ['东关村', '126', '380'],
  ['西街社区', '98', '271'],
];

export const PAPER_PARAGRAPHS = [
  '今年以来，城关镇坚持把党员教育培训作为基层党建的基础工程，创新开展“夜校课堂”，全年培训党员一千二百人次。',
  '一是建强阵地。依托村级党群服务中心建成夜校教学点十二个，配齐桌椅和投影设备。',
  '二是丰富内容。围绕乡村振兴、基层治理等主题，每月开设两堂专题课，邀请致富带头人现身说法。',
];

export async function paperDocx(options: PaperOptions = {}): Promise<Buffer> {
  const title = options.title ?? '关于城关镇党员教育培训工作的调研报告';
  const rows = options.table ?? PAPER_TABLE;
  const children: (Paragraph | Table)[] = [
    options.centredTitle
      ? new Paragraph({ text: title, alignment: AlignmentType.CENTER })
      : options.plainTitle
        ? new Paragraph(title)
        : new Paragraph({ text: title, heading: HeadingLevel.HEADING_1 }),
    ...(options.paragraphs ?? PAPER_PARAGRAPHS).map((text) => new Paragraph({ children: [new TextRun(text)] })),
    ...(options.sections ?? []).map((text) => new Paragraph({ text, heading: HeadingLevel.HEADING_1 })),
  ];
  if (rows.length) {
    children.push(
      new Table({
        rows: rows.map(
          (cells) => new TableRow({ children: cells.map((c) => new TableCell({ children: [new Paragraph(c)] })) }),
        ),
      }),
    );
  }
  if (options.link) {
    const [text, link] = options.link;
    children.push(new Paragraph({ children: [new ExternalHyperlink({ link, children: [new TextRun(text)] })] }));
  }
  return Packer.toBuffer(new Document({ sections: [{ children }] }));
}

/** The first bytes of an OLE compound file (old .doc, or a password-protected .docx), padded to a sector. */
function oleFile(extra: Buffer = Buffer.alloc(0)): Buffer {
  const header = Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]);
  return Buffer.concat([header, Buffer.alloc(504), extra, Buffer.alloc(1024)]);
}

/** An old Word .doc (an OLE container without the encrypted package). */
export const oldDoc = (): Buffer => oleFile(Buffer.from('WordDocument', 'utf16le'));

/** A .docx saved with a password: an OLE container with EncryptionInfo and EncryptedPackage streams. */
export const encryptedDocx = (): Buffer =>
  oleFile(Buffer.concat([Buffer.from('EncryptionInfo', 'utf16le'), Buffer.from('EncryptedPackage', 'utf16le')]));

/** A zip that is no Word document (a workbook's parts, say). */
export const notWordZip = (): Buffer =>
  Buffer.from(zipSync({ 'xl/workbook.xml': new TextEncoder().encode('<workbook/>') }));

/** A .docx cut short (the end of the zip lost). */
export const truncatedDocx = async (): Promise<Buffer> => (await paperDocx()).subarray(0, 600);

export const PDF_BYTES = Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');
export const PNG_BYTES = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);
