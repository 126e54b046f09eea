// Zip bombs dressed as Word documents, for the checks that a .docx is refused unread whatever its parts are called.
// Each is the test paper (test/support/docx.ts) repacked with fflate: its text kept, and many MB of empty paragraphs
// where a check that adds up only the parts named `*.xml` does not look — the main part renamed (mammoth finds it
// through `_rels/.rels`), a part named by another part's relationships, a name dressed as an image outside
// word/media, an image under word/media named as the document, several parts each under the limit of one, tens of
// thousands of tiny parts, and a zip whose directory understates what its data inflates to.
import { constants, deflateRawSync } from 'node:zlib';
import { strFromU8, strToU8, unzipSync, Zip, ZipDeflate, ZipPassThrough, zipSync } from 'fflate';
import { paperDocx } from '../../support/docx';

export type Parts = Record<string, Uint8Array>;

const MB = 1024 * 1024;
const RELS = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';

/** Empty paragraphs, `mb` MB of them unpacked: 6 bytes each, next to nothing packed. */
export const emptyParagraphs = (mb: number): string => '<w:p/>'.repeat(Math.ceil((mb * MB) / 6));

export const paperParts = async (): Promise<Parts> => unzipSync(await paperDocx());

export const pack = (parts: Parts, level: 0 | 9 = 9): Buffer => Buffer.from(zipSync(parts, { level }));

function edit(parts: Parts, name: string, change: (xml: string) => string): void {
  const before = strFromU8(parts[name]!);
  const after = change(before);
  if (after === before) throw new Error(`nothing changed in ${name}`);
  parts[name] = strToU8(after);
}

/** Where a part's own relationships are: word/document.xml → word/_rels/document.xml.rels. */
const relsOf = (part: string) => part.replace(/([^/]*)$/, '_rels/$1.rels');

/** Moves a part, and its relationships with it. */
function move(parts: Parts, from: string, to: string): void {
  parts[to] = parts[from]!;
  delete parts[from];
  if (parts[relsOf(from)]) {
    parts[relsOf(to)] = parts[relsOf(from)]!;
    delete parts[relsOf(from)];
  }
}

const relationships = (...items: [type: string, target: string][]) =>
  strToU8(
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
      items.map(([type, target], i) => `<Relationship Id="rId${i + 1}" Type="${type}" Target="${target}"/>`).join('') +
      '</Relationships>',
  );

/** Adds a relationship to a part's relationships. */
const relate = (parts: Parts, rels: string, type: string, target: string) =>
  edit(parts, rels, (xml) =>
    xml.replace('</Relationships>', `<Relationship Id="rId90" Type="${type}" Target="${target}"/></Relationships>`),
  );

/** The paper with `filler` in its body (its text kept: read, it would make a piece). */
const stuffDocument = (parts: Parts, filler: string) =>
  edit(parts, 'word/document.xml', (xml) => xml.replace('<w:sectPr>', `${filler}<w:sectPr>`));

/** The paper with its main part at `name`, found through `_rels/.rels` alone. */
function renameMain(parts: Parts, name: string): void {
  move(parts, 'word/document.xml', name);
  edit(parts, '_rels/.rels', (xml) => xml.replace('Target="word/document.xml"', `Target="${name}"`));
  edit(parts, '[Content_Types].xml', (xml) => xml.replace('PartName="/word/document.xml"', `PartName="/${name}"`));
}

/** The paper, its main part renamed `name`, holding `mb` MB of empty paragraphs besides its text. */
export async function paperWithMainPart(name: string, mb = 0): Promise<Buffer> {
  const parts = await paperParts();
  if (mb > 0) stuffDocument(parts, emptyParagraphs(mb));
  renameMain(parts, name);
  return pack(parts);
}

export const renamedMainBomb = (name = 'word/document.dat', mb = 12): Promise<Buffer> => paperWithMainPart(name, mb);

/** The paper, its styles renamed `name` (named by the main part's relationships) holding `mb` MB. */
export async function renamedStylesBomb(name = 'word/theme/look.cfg', mb = 12): Promise<Buffer> {
  const parts = await paperParts();
  edit(parts, 'word/styles.xml', (xml) => xml.replace('</w:styles>', `${emptyParagraphs(mb)}</w:styles>`));
  move(parts, 'word/styles.xml', name);
  edit(parts, 'word/_rels/document.xml.rels', (xml) => xml.replace('Target="styles.xml"', `Target="/${name}"`));
  return pack(parts);
}

/**
 * The paper with a customXml part of an odd extension, named by the main part's relationships, whose own
 * relationships name its properties `name`: `mb` MB.
 */
export async function nestedBomb(name = 'customXml/itemProps1.cfg', mb = 12): Promise<Buffer> {
  const parts = await paperParts();
  relate(parts, 'word/_rels/document.xml.rels', `${RELS}/customXml`, '../customXml/item1.dat');
  parts['customXml/item1.dat'] = strToU8('<?xml version="1.0"?><b:Sources xmlns:b="urn:sources"/>');
  parts[relsOf('customXml/item1.dat')] = relationships([`${RELS}/customXmlProps`, `/${name}`]);
  parts[name] = strToU8(`<ds:datastoreItem xmlns:ds="urn:ds">${emptyParagraphs(mb)}</ds:datastoreItem>`);
  return pack(parts);
}

/** The paper with a thumbnail outside word/media (named by `_rels/.rels`) holding `mb` MB. */
export async function thumbnailBomb(name = 'docProps/thumbnail.jpeg', mb = 12): Promise<Buffer> {
  const parts = await paperParts();
  relate(parts, '_rels/.rels', 'http://schemas.openxmlformats.org/package/2006/relationships/metadata/thumbnail', name);
  parts[name] = strToU8(emptyParagraphs(mb));
  return pack(parts);
}

/** The paper with `count` parts of odd names, each under the limit of one part (`mb` MB), named by nothing. */
export async function splitBomb(count = 4, mb = 1.9): Promise<Buffer> {
  const parts = await paperParts();
  const filler = strToU8(emptyParagraphs(mb));
  for (let i = 1; i <= count; i++) parts[`customXml/item${i}.bin`] = filler;
  return pack(parts);
}

/** The paper with `count` tiny parts besides its own (each costs a reader its own inflater). */
export async function manyPartsBomb(count = 30_000): Promise<Buffer> {
  const parts = await paperParts();
  const tiny = strToU8('<a/>');
  for (let i = 1; i <= count; i++) parts[`x/${i}`] = tiny;
  return pack(parts, 0); // stored: a deflater for each tiny part would take the test seconds
}

/**
 * The paper, its word/document.xml inflating to `mb` MB more than its directory says (the directory says what the
 * packed bytes weigh). Deflated with node:zlib as independent 1 MB segments (each ends on a sync flush), so a bomb of
 * hundreds of MB costs the test one MB of compression.
 */
export async function understatedBomb(mb = 300): Promise<Buffer> {
  const parts = await paperParts();
  const xml = strFromU8(parts['word/document.xml']!);
  const at = xml.indexOf('<w:sectPr>');
  const flushed = (text: string) => deflateRawSync(Buffer.from(text), { finishFlush: constants.Z_SYNC_FLUSH });
  const segment = flushed(emptyParagraphs(1));
  const deflated = Buffer.concat([
    flushed(xml.slice(0, at)),
    ...Array.from({ length: mb }, () => segment),
    deflateRawSync(Buffer.from(xml.slice(at))),
  ]);
  const chunks: Uint8Array[] = [];
  const zip = new Zip((err, chunk) => {
    if (err) throw err;
    chunks.push(chunk);
  });
  for (const [name, content] of Object.entries(parts)) {
    if (name === 'word/document.xml') {
      // Packed bytes passed through as they are, marked deflated: the directory gives their length as the size.
      const document = new ZipPassThrough(name);
      document.compression = 8;
      zip.add(document);
      document.push(deflated, true);
    } else {
      const part = new ZipDeflate(name, { level: 9 });
      zip.add(part);
      part.push(content, true);
    }
  }
  zip.end();
  return Buffer.concat(chunks);
}
