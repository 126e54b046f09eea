// Reading an uploaded .docx: mammoth converts it to HTML (paragraphs, headings, lists and tables; images dropped),
// js-xss keeps only the tags and attributes a document's text needs (nothing executable, no styles, links only to
// http(s) and mailto), and the same document's tree gives the plain text the piece's rules, diffs and reports use.
// A file of its own beside a function's bundle (infra/baosongFunction.ts LAZY_MODULES): loaded only when a document
// is uploaded.
import { unzipSync } from 'fflate';
import mammoth from 'mammoth';
import { escapeAttrValue, FilterXSS } from 'xss';

export interface ReadDocument {
  /** The text, a line per paragraph; a table row per line, its cells between " | ". */
  text: string;
  /** Sanitized HTML (undefined when it would be too big to keep beside the text: the text is shown instead). */
  html?: string;
  /** The first heading (or a centred first line), for a title left empty. */
  title?: string;
}

/** Why a file could not be read as a document (the caller says it in Chinese). */
export class UnreadableDocumentError extends Error {
  constructor(readonly reason: 'corrupt' | 'not-docx' | 'too-big') {
    super(`unreadable document: ${reason}`);
    this.name = 'UnreadableDocumentError';
  }
}

/**
 * The XML parts mammoth parses, unpacked, at most: one part, and all of them. mammoth's tree is many times its XML
 * (3 MB of document.xml took about 470 MB of memory), and a zip of a few KB may unpack to that. A paper of 20,000
 * characters with tables is a few hundred KB of XML; images (word/media) are never unpacked and do not count.
 */
const MAX_PART_BYTES = 2 * 1024 * 1024;
const MAX_XML_BYTES = 6 * 1024 * 1024;
/** HTML kept beside the text at most, in bytes (an event item holds both, under DynamoDB's 400 KB). */
export const MAX_HTML_BYTES = 150 * 1024;

/**
 * Checks the container before mammoth reads it: a zip whose directory has an Office package's content types and a
 * Word part (mammoth finds the main part itself, through the package's relationships), its XML of a sane size.
 */
export function assertDocx(bytes: Buffer): void {
  let xml = 0;
  let largest = 0;
  let types = false;
  let word = false;
  try {
    unzipSync(bytes, {
      filter: (file) => {
        if (file.name === '[Content_Types].xml') types = true;
        if (file.name.startsWith('word/')) word = true;
        if (/\.(xml|rels)$/i.test(file.name)) {
          xml += file.originalSize;
          largest = Math.max(largest, file.originalSize);
        }
        return false; // only the directory is read here
      },
    });
  } catch {
    throw new UnreadableDocumentError('corrupt');
  }
  if (!types || !word) throw new UnreadableDocumentError('not-docx');
  if (largest > MAX_PART_BYTES || xml > MAX_XML_BYTES) throw new UnreadableDocumentError('too-big');
}

const BLOCK_TAGS = ['p', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'blockquote', 'ul', 'ol', 'li', 'br'];
const TABLE_TAGS = ['table', 'thead', 'tbody', 'tr'];
const INLINE_TAGS = ['strong', 'em', 'b', 'i', 'u', 's', 'sup', 'sub'];

const sanitizer = new FilterXSS({
  whiteList: {
    ...Object.fromEntries([...BLOCK_TAGS, ...TABLE_TAGS, ...INLINE_TAGS].map((tag) => [tag, []])),
    td: ['colspan', 'rowspan'],
    th: ['colspan', 'rowspan'],
    a: ['href'],
  },
  // Anything else goes, its text kept; a script's or style's text goes with it.
  stripIgnoreTag: true,
  stripIgnoreTagBody: ['script', 'style'],
  allowCommentTag: false,
  css: false,
  safeAttrValue: (_tag, name, value) => {
    if (name === 'href') return /^(https?:\/\/|mailto:)/i.test(value.trim()) ? escapeAttrValue(value.trim()) : '';
    if (name === 'colspan' || name === 'rowspan') return /^[1-9]\d?$/.test(value) ? value : '';
    return '';
  },
});

export const sanitizeDocumentHtml = (html: string): string => sanitizer.process(html);

// mammoth's document tree, as far as it is read here.
interface Element {
  type: string;
  value?: string;
  breakType?: string;
  styleId?: string;
  styleName?: string;
  alignment?: string;
  children?: Element[];
}

const HEADING = /^(heading\s*\d|title|标题(\s*\d)?)$/i;
const HEADING_ID = /^(heading\d|title)$/i;

function textOf(element: Element): string {
  switch (element.type) {
    case 'text':
      return element.value ?? '';
    case 'tab':
      return '\t';
    case 'break':
      return element.breakType === 'line' ? '\n' : '';
    case 'table':
      return tableText(element);
    default:
      return (element.children ?? []).map(textOf).join('');
  }
}

function tableText(table: Element): string {
  return (table.children ?? [])
    .filter((row) => row.type === 'tableRow')
    .map((row) =>
      (row.children ?? [])
        .map((cell) => (cell.children ?? []).map(textOf).join(' ').replace(/\s+/g, ' ').trim())
        .join(' | '),
    )
    .join('\n');
}

/** A title is short: a candidate longer than a title may be is none. */
const TITLE_MAX = 100;
/** Where a title may stand: among the first lines (a heading further down is a section's, 一、基本情况). */
const TITLE_WITHIN = 3;

function titleOf(blocks: Element[]): string | undefined {
  const lineOf = (b: Element) => textOf(b).replace(/\s+/g, ' ').trim();
  const first = blocks.filter((b) => lineOf(b) !== '').slice(0, TITLE_WITHIN);
  const isHeading = (p: Element) =>
    p.type === 'paragraph' && (HEADING.test(p.styleName ?? '') || HEADING_ID.test(p.styleId ?? ''));
  const fits = (b: Element) => [...lineOf(b)].length <= TITLE_MAX;
  // The first line when it is centred or a heading (公文: the title centred in 小标宋, with no style at all), else
  // a heading among the first lines.
  const lead = first[0];
  const chosen =
    lead && lead.type === 'paragraph' && (lead.alignment === 'center' || isHeading(lead)) && fits(lead)
      ? lead
      : first.find((b) => isHeading(b) && fits(b));
  return chosen ? lineOf(chosen) : undefined;
}

/** Reads a .docx (checked with assertDocx first): its text, sanitized HTML and title. */
export async function readDocx(bytes: Buffer): Promise<ReadDocument> {
  assertDocx(bytes);
  let blocks: Element[] = [];
  let converted: string;
  try {
    const result = await mammoth.convertToHtml(
      { buffer: bytes },
      {
        // Images are not part of the text (the original keeps them); linked files outside the document never read.
        convertImage: mammoth.images.imgElement(async () => ({ src: '' })),
        externalFileAccess: false,
        transformDocument: (document: Element) => {
          blocks = document.children ?? [];
          return document;
        },
      },
    );
    converted = result.value;
  } catch (err) {
    throw new UnreadableDocumentError(/main document part/i.test(String(err)) ? 'not-docx' : 'corrupt');
  }
  const text = blocks
    .map(textOf)
    .join('\n')
    .split('\n')
    .map((line) => line.replace(/[ \t\u3000]+$/g, ''))
    .filter((line) => line.trim() !== '')
    .join('\n');
  const html = sanitizeDocumentHtml(converted);
  const title = titleOf(blocks);
  return {
    text,
    ...(Buffer.byteLength(html) <= MAX_HTML_BYTES && html.trim() !== '' ? { html } : {}),
    ...(title ? { title } : {}),
  };
}
