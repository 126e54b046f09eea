// Property checks of reading an uploaded .docx against zip bombs. Wherever many MB of unpacked XML sit (the main part,
// the styles, a part named by another part's relationships, a thumbnail, parts named by nothing), whatever they are
// called (any folder but word/media, any extension), in one part or spread over several, and whether or not the zip's
// directory tells the truth about them, the file is refused as too big within 1 s and 100 MB. Under word/media (never
// unpacked) the bulk costs nothing either, a paper whose main part has any other name is still read, and a paper's
// zip with any bytes changed or cut off is read or refused, never more.
import fc from 'fast-check';
import { readDocx, UnreadableDocumentError } from '../../../shared/documents/readDocx';
import { PAPER_PARAGRAPHS, paperDocx } from '../../support/docx';
import {
  nestedBomb,
  paperParts,
  paperWithMainPart,
  renamedStylesBomb,
  splitBomb,
  thumbnailBomb,
  understatedBomb,
} from './docxBombs';
import { measured } from './measure';

/** Building a bomb takes a tenth of a second; one read anyway takes seconds (shrinking a bomb teaches nothing). */
const PROPERTY_TIMEOUT_MS = 120_000;

/** Why readDocx refused a file ('read' when it did not). */
const refusal = (bytes: Buffer) =>
  readDocx(bytes).then(
    () => 'read',
    (err: unknown) => (err instanceof UnreadableDocumentError ? err.reason : String(err)),
  );

/** A read's outcome and cost in words: the time and memory spelled out only when over 1 s or 100 MB. */
async function readCheaply(bomb: Buffer): Promise<string> {
  const { value, ms, peakMb, heapMb } = await measured(() => refusal(bomb));
  const mb = Math.max(peakMb, heapMb);
  return `${value}, ${ms < 1000 ? 'within 1 s' : `${ms} ms`}, ${mb < 100 ? 'within 100 MB' : `${mb} MB`}`;
}

/** Names the paper, or a bomb's own scaffolding, already has. */
let taken = new Set<string>();
beforeAll(async () => {
  taken = new Set([...Object.keys(await paperParts()), 'customXml/item1.dat', 'customXml/_rels/item1.dat.rels']);
});

const folder = fc.constantFrom(
  '',
  'word/',
  'word/theme/',
  'word/embeddings/',
  'word/fonts/',
  'word/mediax/',
  'Word/Media/',
  'media/',
  'customXml/',
  'docProps/',
  'word/_rels/',
);
const extension = fc.constantFrom(
  '',
  '.dat',
  '.bin',
  '.cfg',
  '.png',
  '.jpeg',
  '.emf',
  '.odttf',
  '.xml',
  '.rels',
  '.XML',
);
const baseName = fc.stringMatching(/^[a-z0-9_-]{1,8}$/);
/** A part's name anywhere but word/media. */
const partName = fc.tuple(folder, baseName, extension).map(([f, b, e]) => `${f}${b}${e}`);
/** A part's name under word/media, the one folder never unpacked. */
const mediaName = fc.tuple(baseName, extension).map(([b, e]) => `word/media/${b}${e}`);

type Where = 'main' | 'styles' | 'nested' | 'thumbnail';
const place = (where: Where, name: string, mb: number): Promise<Buffer> =>
  where === 'main'
    ? paperWithMainPart(name, mb)
    : where === 'styles'
      ? renamedStylesBomb(name, mb)
      : where === 'nested'
        ? nestedBomb(name, mb)
        : thumbnailBomb(name, mb);
const where = fc.constantFrom<Where>('main', 'styles', 'nested', 'thumbnail');

type Bomb =
  | { shape: 'one part'; where: Where; name: string; mb: number }
  | { shape: 'split'; count: number; mb: number }
  | { shape: 'understated'; mb: number };

/** One part over 2 MB; parts each under 2 MB, over 6 MB together; a directory understating a part. */
const bomb: fc.Arbitrary<Bomb> = fc.oneof(
  fc.record({
    shape: fc.constant('one part' as const),
    where,
    name: partName,
    mb: fc.double({ min: 2.05, max: 8, noNaN: true }),
  }),
  fc.integer({ min: 4, max: 8 }).chain((count) =>
    fc.record({
      shape: fc.constant('split' as const),
      count: fc.constant(count),
      mb: fc.double({ min: 6.1 / count, max: 1.95, noNaN: true }),
    }),
  ),
  fc.record({ shape: fc.constant('understated' as const), mb: fc.integer({ min: 3, max: 64 }) }),
);

const build = (b: Bomb): Promise<Buffer> =>
  b.shape === 'one part'
    ? place(b.where, b.name, b.mb)
    : b.shape === 'split'
      ? splitBomb(b.count, b.mb)
      : understatedBomb(b.mb);

describe('reading a .docx, whatever its parts are called', () => {
  it(
    'refuses unread as too big, within 1 s and 100 MB, many MB of XML wherever they sit outside word/media',
    async () => {
      await fc.assert(
        fc.asyncProperty(bomb, async (b) => {
          fc.pre(b.shape !== 'one part' || !taken.has(b.name));
          expect(await readCheaply(await build(b))).toBe('too-big, within 1 s, within 100 MB');
        }),
        { numRuns: 25, endOnFailure: true },
      );
    },
    PROPERTY_TIMEOUT_MS,
  );

  it(
    'spends no more than 1 s and 100 MB on many MB under word/media, whatever names them',
    async () => {
      await fc.assert(
        fc.asyncProperty(where, mediaName, async (at, name) => {
          expect(await readCheaply(await place(at, name, 8))).toMatch(/, within 1 s, within 100 MB$/);
        }),
        { numRuns: 15, endOnFailure: true },
      );
    },
    PROPERTY_TIMEOUT_MS,
  );

  it('reads a paper whose main part has any other name outside word/media', async () => {
    await fc.assert(
      fc.asyncProperty(partName, async (name) => {
        fc.pre(!taken.has(name));
        const read = await readDocx(await paperWithMainPart(name));
        expect(read.text).toContain(PAPER_PARAGRAPHS[1]);
      }),
      { numRuns: 20 },
    );
  });

  it(
    "reads or refuses a paper's zip with bytes changed or cut off, within 1 s and 100 MB",
    async () => {
      const paper = await paperDocx();
      // Half the changes fall in the central directory and its end record, where the entries are listed.
      const directory = paper.readUInt32LE(paper.length - 22 + 16);
      const position = fc.oneof(
        fc.integer({ min: 0, max: paper.length - 1 }),
        fc.integer({ min: directory, max: paper.length - 1 }),
      );
      const change = fc.tuple(position, fc.oneof(fc.integer({ min: 0, max: 255 }), fc.constantFrom(0x00, 0xff)));
      await fc.assert(
        fc.asyncProperty(
          fc.array(change, { minLength: 1, maxLength: 8 }),
          fc.option(fc.integer({ min: 0, max: paper.length - 1 })),
          async (changes, cut) => {
            const bytes = Buffer.from(paper);
            for (const [at, byte] of changes) bytes[at] = byte;
            expect(await readCheaply(bytes.subarray(0, cut ?? bytes.length))).toMatch(
              /^(read|corrupt|not-docx|too-big), within 1 s, within 100 MB$/,
            );
          },
        ),
        { numRuns: 100 },
      );
    },
    PROPERTY_TIMEOUT_MS,
  );
});
