// Fault injection on the uploads: a research paper posted as a browser posts it (POST /submissions, multipart: a
// typed title, a Word document, a PNG attachment) and a returned paper revised with a new document (POST
// /revise/{token}), each at every DynamoDB, SES and S3 call × lost answer, throttle, time-out, on a fresh piece. After
// recovery (the user presses 提交 again if told to; the sweeper runs past the uploads' settling time): no object in
// the bucket that no event names, every upload record settled; every file an event names stored byte for byte; the
// typed title still on screen when nothing was saved; one piece or revision, never two; every email sent once (at
// most twice where SES itself lost its answer).
import { createHash } from 'node:crypto';
import { sweepAll } from '../../../shared/app/sweep';
import { config } from '../../../shared/core/config';
import type { FileRef } from '../../../shared/documents/files';
import { storeFiles, UPLOAD_SETTLE_MS } from '../../../shared/documents/staging';
import type { PendingFile } from '../../../shared/documents/uploads';
import { keys } from '../../../shared/store/keys';
import { getObject } from '../../../shared/store/objectStore';
import { PAPER_PARAGRAPHS, PNG_BYTES, paperDocx } from '../../support/docx';
import { type FaultCase, runFaultMatrix } from '../../support/faultCases';
import {
  allItems,
  countMails,
  eventsTitled,
  type FaultCounty,
  newestMail,
  recover,
  sesMayRepeat,
  setUp,
  setUpPost,
  startFaultCounty,
  steppingClock,
  unfiredCases,
} from '../../support/faultState';
import { countyObjects } from '../../support/files';
import { linkIn } from '../../support/harness';

let fc: FaultCounty;
const clock = steppingClock(new Date('2026-05-18T01:00:00Z').getTime());
const COMMENT = '请补充培训成效的数据。';
const EDITORS = ['wang', 'li'];

beforeAll(async () => {
  fc = await startFaultCounty();
  // The first upload of the process loads the multipart parser, mammoth and the S3 client, slower than the short
  // budget of these cases: done once here, so each matrix's clean run counts the calls of a request as it runs warm.
  const { readDocx } = await import('../../../shared/documents/readDocx');
  await import('../../../shared/web/multipart');
  await readDocx(await docxFor('预热'));
  await countyObjects();
  const warm = await returnedPaper('预热');
  expect((await revise(warm)).status).toBe(303);
  await recover(clock);
});
afterAll(async () => {
  await fc.close();
});

const noteUnfired = unfiredCases('document faults');
const url = (path: string) => `${fc.county.baseUrl}${path}`;

type Upload = [field: string, name: string, bytes: Buffer];
interface Answer {
  status: number;
  location: string | null;
  html: string;
}

/** A form as a browser posts it with files: multipart, the typed fields and the chosen files. */
async function postMultipart(to: string, fields: Record<string, string>, files: Upload[]): Promise<Answer> {
  const body = new FormData();
  for (const [name, value] of Object.entries(fields)) body.append(name, value);
  for (const [field, name, bytes] of files) body.append(field, new Blob([new Uint8Array(bytes)]), name);
  const res = await fetch(to, { method: 'POST', redirect: 'manual', body });
  return { status: res.status, location: res.headers.get('location'), html: await res.text() };
}

/** A paper's Word document whose heading and first paragraph carry `label`, so each case's text is its own. */
const docxFor = (label: string, extra: string[] = []) =>
  paperDocx({
    title: `调研报告 ${label}`,
    paragraphs: [`本文为故障注入用例 ${label} 所写。${PAPER_PARAGRAPHS[0]}`, ...PAPER_PARAGRAPHS.slice(1), ...extra],
  });

/** The receipt a browser's submission landed on: `/submit?k=…&sent=2026-0042`. */
const receiptIn = (location: string | null) => location?.match(/[?&]sent=(\d{4}-\d{4})/)?.[1];
const unknownOutcome = (html: string) => html.includes('暂时无法确认');
/** The form shown again with the typed title in its field. */
const keepsTitle = (html: string, title: string) => html.includes(`value="${title}"`);

const filesOf = (event: Record<string, unknown> | undefined) => (event?.files as FileRef[] | undefined) ?? [];

/**
 * No orphan: every object in the bucket is named by some piece event, and every upload record is settled. The
 * table and the bucket are the file's, so what broke in one case is told once, under that case.
 */
const toldOrphans = new Set<string>();
async function orphans(): Promise<string[]> {
  const items = await allItems();
  const named = new Set(
    items.filter((i) => String(i.sk).startsWith('E#')).flatMap((i) => filesOf(i).map((f) => f.key)),
  );
  const found = [
    ...(await countyObjects())
      .filter((key) => !named.has(key))
      .map((key) => {
        // The record that answered for it, and what it says became of it.
        const record = items.find((i) => String(i.pk).endsWith('#UPLOAD') && (i.objectKeys as string[])?.includes(key));
        return `object ${key} is named by no event (its upload record: ${String(record?.settled ?? 'none')})`;
      }),
    ...items
      .filter((i) => String(i.pk).endsWith('#UPLOAD') && (i.settled === undefined || i.outbox !== undefined))
      .map((i) => `upload record ${String(i.sk)} is not settled (outbox ${String(i.outbox)})`),
  ];
  const fresh = found.filter((v) => !toldOrphans.has(v));
  for (const v of fresh) toldOrphans.add(v);
  return fresh;
}

/** No lost file: each file the event names is in the bucket, byte for byte what was posted under that role. */
async function lostFiles(event: Record<string, unknown>, posted: Record<string, Buffer>): Promise<string[]> {
  const problems: string[] = [];
  const files = filesOf(event);
  const roles = files.map((f) => f.role).join(',');
  if (roles !== Object.keys(posted).join(',')) problems.push(`revision ${event.revision} names files ${roles}`);
  for (const file of files) {
    const bytes = await getObject(file.key);
    if (!bytes) problems.push(`the ${file.role} of revision ${event.revision} is not in the bucket`);
    else if (!bytes.equals(posted[file.role]!)) problems.push(`the ${file.role} of revision ${event.revision} differs`);
  }
  return problems;
}

/** Every email once (twice at most where SES lost its own answer), after the sweeper has done its part. */
async function mailProblems(subject: string, faultCase: FaultCase | undefined): Promise<string[]> {
  const problems: string[] = [];
  const mails = await fc.county.mails();
  const most = sesMayRepeat(faultCase) ? 2 : 1;
  for (const to of ['zhang', ...EDITORS].map(fc.address)) {
    const n = countMails(mails, to, subject);
    if (n < 1 || n > most) problems.push(`${n} emails to ${to}`);
  }
  return problems;
}

interface Paper {
  title: string;
  document: Buffer;
}

const submit = (paper: Paper) =>
  postMultipart(url('/submissions'), { k: fc.keys.zhang!, kind: 'research', title: paper.title, body: '' }, [
    ['document', '调研报告.docx', paper.document],
    ['attachments', '夜校照片.png', PNG_BYTES],
  ]);

describe('POST /submissions with a Word document under injected faults', () => {
  it('leaves no file without its piece, loses no file and no text, and makes one piece', async () => {
    const result = await runFaultMatrix({
      route: 'POST /submissions (document)',
      services: ['dynamodb', 'ses', 's3'],
      prepare: async (label): Promise<Paper> => {
        await fc.clearMailbox();
        clock.advance(60_000);
        return { title: `文档故障 ${label}`, document: await docxFor(label) };
      },
      act: submit,
      verify: async (paper, first, faultCase) => {
        const problems: string[] = [];
        noteUnfired('POST /submissions', faultCase);
        const { title } = paper;
        const stored = await eventsTitled(title, 'submitted');
        if (!faultCase && first.status !== 303) problems.push(`answered ${first.status} without a fault`);
        // The first answer, true to what happened; what was typed still on screen when it was not saved.
        if (first.status === 303) {
          if (stored.length !== 1 || stored[0]?.receipt !== receiptIn(first.location)) {
            problems.push(`303 to ${receiptIn(first.location)} but stored ${stored.map((e) => e.receipt)}`);
          }
        } else {
          if (![400, 409, 503].includes(first.status)) problems.push(`answered ${first.status}`);
          if (!keepsTitle(first.html, title)) problems.push(`answered ${first.status} without the typed title`);
          if (stored.length > 0 && !(first.status === 503 && unknownOutcome(first.html))) {
            problems.push(`answered ${first.status} "not saved", but ${stored[0]?.receipt} was stored`);
          }
        }
        // The user presses 提交 again, the same files chosen: the one piece, its receipt, never a second.
        let again = await submit(paper);
        // "Still in progress, try again in a few seconds" (only after "cannot tell yet"): wait, press again.
        if (again.status === 409 && first.status !== 303 && unknownOutcome(first.html)) {
          clock.advance(20_000);
          again = await submit(paper);
        }
        if (again.status !== 303) problems.push(`the retry answered ${again.status}`);
        else if (first.status === 303 && receiptIn(again.location) !== receiptIn(first.location)) {
          problems.push(`the retry answered ${receiptIn(again.location)}, not ${receiptIn(first.location)}`);
        }
        const after = await eventsTitled(title, 'submitted');
        if (after.length !== 1) problems.push(`${after.length} pieces stored`);
        else if (after[0]?.receipt !== receiptIn(again.location)) {
          problems.push(`answered ${receiptIn(again.location)}, stored ${after[0]?.receipt}`);
        }
        await recover(clock);
        problems.push(...(await orphans()));
        for (const event of await eventsTitled(title, 'submitted')) {
          problems.push(...(await lostFiles(event, { document: paper.document, attachment: PNG_BYTES })));
        }
        problems.push(...(await mailProblems(title, faultCase)));
        return problems;
      },
    });

    expect(result.violations).toEqual([]);
    // Both objects at once (the upload record is DynamoDB's); nothing else of S3 in a clean run.
    expect(result.calls.s3).toBe(2);
    expect(result.calls.ses).toBe(1 + EDITORS.length);
    expect(result.cases).toBe(3 * (result.calls.dynamodb + result.calls.ses + result.calls.s3));
  }, 300_000);
});

interface Returned {
  receipt: string;
  revise: string;
  revised: string;
  first: Buffer;
  document: Buffer;
}

/** The events of one piece, from the table. */
async function eventsOf(receipt: string): Promise<Record<string, unknown>[]> {
  return (await allItems())
    .filter((i) => String(i.pk).endsWith(`#P#${receipt}`) && String(i.sk).startsWith('E#'))
    .sort((a, b) => String(a.sk).localeCompare(String(b.sk)));
}

/** A research paper by zhang with a document and a photo, returned by wang: its revise link (set-up, no faults). */
async function returnedPaper(label: string): Promise<Returned> {
  const title = `修改文档故障 ${label}`;
  const first = await docxFor(label);
  const sent = await setUp(() => submit({ title, document: first }));
  if (sent.status !== 303) throw new Error(`set-up: submitting answered ${sent.status}`);
  const receipt = receiptIn(sent.location)!;
  const request = await newestMail(fc.county, fc.address('wang'), (m) => m.subject.includes(title));
  const review = /审核页面：(\S+)/.exec(request?.body.text ?? '')?.[1];
  if (!review) throw new Error(`set-up: no review link for ${title}`);
  const returned = await setUpPost(review, { decision: 'return', comment: COMMENT });
  if (returned.status !== 200) throw new Error(`set-up: returning answered ${returned.status}`);
  const returnMail = await newestMail(fc.county, fc.address('zhang'), (m) => m.subject.includes(title));
  const link = linkIn(returnMail, '/revise/');
  await fc.clearMailbox();
  const document = await docxFor(label, [`三是注重实效（修改稿 ${label}）。参训党员中有四十二人领办了合作社。`]);
  return { receipt, revise: link, revised: `${title}（修改稿）`, first, document };
}

const revise = (r: Returned) =>
  postMultipart(r.revise, { kind: 'research', title: r.revised, body: '' }, [['document', '修改稿.docx', r.document]]);

describe('POST /revise/{token} with a new Word document under injected faults', () => {
  it('leaves no file without its revision, loses no file and no text, and makes one revision', async () => {
    const result = await runFaultMatrix({
      route: 'POST /revise/{token} (document)',
      services: ['dynamodb', 'ses', 's3'],
      prepare: async (label) => {
        clock.advance(60_000);
        return returnedPaper(label);
      },
      act: revise,
      verify: async (r, first, faultCase) => {
        const problems: string[] = [];
        noteUnfired('POST /revise/{token}', faultCase);
        const revisions = () => eventsOf(r.receipt).then((es) => es.filter((e) => e.type === 'revised'));
        const stored = await revisions();
        if (!faultCase && first.status !== 303) problems.push(`answered ${first.status} without a fault`);
        if (first.status === 303) {
          if (stored.length !== 1) problems.push(`303, but ${stored.length} revisions stored`);
        } else {
          if (![400, 409, 503].includes(first.status)) problems.push(`answered ${first.status}`);
          if (!first.html.includes('提交修改稿') || !keepsTitle(first.html, r.revised)) {
            problems.push(`answered ${first.status} without the revise form and the typed title`);
          }
          if (stored.length > 0 && !(first.status === 503 && unknownOutcome(first.html))) {
            problems.push(`answered ${first.status} "not saved", but the revision was stored`);
          }
        }
        // The user presses 提交修改稿 again, the same document chosen: the one revision, never a second. Once it is
        // stored, the link says so ("已经提交"): true, and nothing is made.
        const again = await revise(r);
        const toldDone = again.status === 409 && again.html.includes('修改稿（第 2 稿）已经提交');
        const mayBeDone = first.status === 303 || unknownOutcome(first.html);
        if (again.status !== 303 && !(toldDone && mayBeDone && stored.length === 1)) {
          problems.push(`the retry answered ${again.status}`);
        }
        const after = await revisions();
        if (after.length !== 1 || after[0]?.title !== r.revised) problems.push(`${after.length} revisions stored`);
        await recover(clock);
        problems.push(...(await orphans()));
        const events = await eventsOf(r.receipt);
        const submitted = events.find((e) => e.type === 'submitted');
        if (submitted) problems.push(...(await lostFiles(submitted, { document: r.first, attachment: PNG_BYTES })));
        for (const revision of await revisions()) {
          // The new document, and the photo carried from the first draft.
          problems.push(...(await lostFiles(revision, { document: r.document, attachment: PNG_BYTES })));
        }
        problems.push(...(await mailProblems(r.revised, faultCase)));
        return problems;
      },
    });

    expect(result.violations).toEqual([]);
    // The one new object: the photo is the first draft's, carried along.
    expect(result.calls.s3).toBe(1);
    expect(result.calls.ses).toBe(1 + EDITORS.length);
    expect(result.cases).toBe(3 * (result.calls.dynamodb + result.calls.ses + result.calls.s3));
  }, 300_000);
});

describe('the sweeper over an upload whose revision was never written, under injected faults', () => {
  it('deletes its files and settles its record, whatever fails on the way', async () => {
    const county = config().countyId;
    const result = await runFaultMatrix({
      route: 'sweeper (an upload never written)',
      services: ['dynamodb', 's3'],
      // An upload stored for a revision that never came (the process died between the files and the event).
      prepare: async (label) => {
        clock.advance(60_000);
        const content = Buffer.concat([PNG_BYTES, Buffer.from(label)]);
        const photo: PendingFile = {
          role: 'attachment',
          kind: 'png',
          name: `${label}.png`,
          content,
          contentType: 'image/png',
          sha256: createHash('sha256').update(content).digest('hex'),
        };
        const event = { pk: keys.piece(county, '2026-9999'), sk: keys.eventSk(1) };
        const staged = await storeFiles(county, [photo], { pieceId: '2026-9999', revision: 1, event });
        clock.advance(UPLOAD_SETTLE_MS + 60_000);
        return staged;
      },
      // A sweep that stumbles leaves the upload for the next one.
      act: () => sweepAll(county).catch(() => undefined),
      verify: async (staged) => {
        await recover(clock);
        const left = (await countyObjects()).filter((key) => staged.refs.some((r) => r.key === key));
        return [...left.map((key) => `${key} was not deleted`), ...(await orphans())];
      },
    });
    expect(result.violations).toEqual([]);
    expect(result.calls.s3).toBe(1);
    expect(result.cases).toBe(3 * (result.calls.dynamodb + result.calls.s3));
  }, 120_000);
});
