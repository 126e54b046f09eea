// Reading an uploaded .docx: its zip read with yauzl and unpacked within limits (images left packed), mammoth converting what was
// unpacked to HTML (paragraphs, headings, lists and tables; images dropped), js-xss keeping only the tags and
// attributes a document's text needs (nothing executable, no styles, links only to http(s) and mailto), and the same
// document's tree giving the plain text the piece's rules, diffs and reports use.
// A file of its own beside a function's bundle (infra/baosongFunction.ts LAZY_MODULES): loaded only when a document
// is uploaded.
import { Zip, ZipPassThrough } from 'fflate';
import mammoth from 'mammoth';
import { escapeAttrValue, FilterXSS } from 'xss';
import { type Entry, fromBufferPromise, type ZipFile } from 'yauzl';

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
 * What a .docx may unpack to outside its images, at most: one part, and all of them together. mammoth's tree is many
 * times its XML (3 MB of document.xml took about 470 MB of memory), and a zip of a few KB may unpack to that. mammoth
 * finds its parts through the package's relationships, whatever they are called (word/document.dat as well as
 * word/document.xml, a part named by another part's relationships), so every entry counts, whatever its name, except
 * the images under word/media: never unpacked, and given to mammoth empty, so that no relationship can have one read
 * as XML. A paper of 20,000 characters with tables is a few hundred KB of XML.
 */
const MAX_PART_BYTES = 2 * 1024 * 1024;
const MAX_UNPACKED_BYTES = 6 * 1024 * 1024;
const MEDIA = 'word/media/';
/**
 * Entries at most, images included: a document with a hundred pictures and a dozen charts has a few hundred, and each
 * entry costs its own inflater (tens of thousands of tiny entries fit in an upload and would take seconds).
 */
const MAX_ENTRIES = 1000;
/** HTML kept beside the text at most, in bytes (an event item holds both, under DynamoDB's 400 KB). */
export const MAX_HTML_BYTES = 150 * 1024;

/**
 * A counted entry's bytes, refused as too big the moment they pass `room`. yauzl holds each entry to the size its
 * directory declares (validateEntrySizes), which unpackDocx has already held within the limits: the running total
 * here only keeps the limits this file's own, whatever yauzl's options become.
 */
async function inflateWithin(zip: ZipFile, entry: Entry, room: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  const stream: AsyncIterable<Buffer> = await zip.openReadStreamPromise(entry);
  // Leaving the loop, by a throw or the stream's error, destroys the stream: nothing more is inflated.
  for await (const chunk of stream) {
    size += chunk.length;
    if (size > room) throw new UnreadableDocumentError('too-big');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/**
 * Why a zip could not be unpacked: our own refusal as it is; an entry inflating to more than its directory says is a
 * bomb whatever it would have come to (yauzl stops it there, with "too many bytes in the stream", and no error code),
 * refused as too big; anything else is a damaged file.
 */
const refusalOf = (err: unknown): UnreadableDocumentError =>
  err instanceof UnreadableDocumentError
    ? err
    : new UnreadableDocumentError(/too many bytes/.test(String(err)) ? 'too-big' : 'corrupt');

/**
 * A .docx's entries as mammoth may read them: a zip whose directory has an Office package's content types and a Word
 * part (mammoth finds the main part itself, through the package's relationships), every entry unpacked but the images
 * under word/media (left empty), within the limits — by what the directory declares, before anything is inflated,
 * then by what actually comes out, since a directory may understate it.
 */
async function unpackDocx(bytes: Buffer): Promise<Record<string, Uint8Array>> {
  let zip: ZipFile | undefined;
  try {
    zip = await fromBufferPromise(bytes, { validateEntrySizes: true });
    if (zip.entryCount > MAX_ENTRIES) throw new UnreadableDocumentError('too-big');
    const entries: Entry[] = [];
    for await (const entry of zip.eachEntry()) entries.push(entry);
    if (
      !entries.some((e) => e.fileName === '[Content_Types].xml') ||
      !entries.some((e) => e.fileName.startsWith('word/'))
    ) {
      throw new UnreadableDocumentError('not-docx');
    }
    const counted = entries.filter((e) => !e.fileName.startsWith(MEDIA));
    const declared = counted.reduce((sum, e) => sum + e.uncompressedSize, 0);
    if (declared > MAX_UNPACKED_BYTES || counted.some((e) => e.uncompressedSize > MAX_PART_BYTES)) {
      throw new UnreadableDocumentError('too-big');
    }
    // Encrypted, or packed otherwise than stored or deflated: nothing Word writes.
    if (counted.some((e) => !e.canDecodeFileData())) throw new UnreadableDocumentError('corrupt');
    const parts: Record<string, Uint8Array> = Object.create(null);
    let unpacked = 0;
    for (const entry of entries) {
      if (entry.fileName.endsWith('/')) continue; // a folder
      if (entry.fileName.startsWith(MEDIA)) {
        parts[entry.fileName] = new Uint8Array(0);
        continue;
      }
      const content = await inflateWithin(zip, entry, Math.min(MAX_PART_BYTES, MAX_UNPACKED_BYTES - unpacked));
      unpacked += content.length;
      parts[entry.fileName] = content;
    }
    return parts;
  } catch (err) {
    throw refusalOf(err);
  } finally {
    zip?.close();
  }
}

/**
 * Parts packed again as they are (stored: nothing deflated), with fflate's streaming Zip, which packs synchronously
 * without bringing in the deflater zipSync does (4 KB less in this bundle).
 */
function storedZip(parts: Record<string, Uint8Array>): Buffer {
  const chunks: Uint8Array[] = [];
  const zip = new Zip((err, chunk) => {
    if (err) throw err;
    chunks.push(chunk);
  });
  for (const [name, content] of Object.entries(parts)) {
    const part = new ZipPassThrough(name);
    zip.add(part);
    part.push(content, true);
  }
  zip.end();
  return Buffer.concat(chunks);
}

/** Checks a .docx before it is kept or read: a Word package that unpacks within the limits (see unpackDocx). */
export async function assertDocx(bytes: Buffer): Promise<void> {
  await unpackDocx(bytes);
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

/** Reads a .docx (checked as assertDocx does): its text, sanitized HTML and title. */
export async function readDocx(bytes: Buffer): Promise<ReadDocument> {
  // mammoth is given what was unpacked and measured, packed again as it is, not the upload: whatever its
  // relationships name, it can read nothing that was not counted, nor anything more than the directory declared.
  const measured = storedZip(await unpackDocx(bytes));
  let blocks: Element[] = [];
  let converted: string;
  try {
    const result = await mammoth.convertToHtml(
      { buffer: measured },
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
