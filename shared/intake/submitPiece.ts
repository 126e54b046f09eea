// Use case: an informant submits a piece.
// 1. Verify the personal key, or an email's answer link (who), and validate the fields (what), before anything is
//    written: one consistent BatchGet of the informant, the roster summary (editors, unit names), the year's receipt
//    counter and the open topics and research tasks (a topic must be open and for the informant's unit; a task too,
//    and for a research paper; with an answer link, the piece answers exactly its topic or task). Uploaded files are
//    checked by their bytes, and a Word document's text is the body it validates.
// 2. Take a receipt number (a free one, or an atomic ticket), then claim the retry identity (Idempotency-Key; same
//    informant + title + body within 10 minutes): a retry gets the original receipt back and creates nothing.
// 3. Store the uploaded files, if any (shared/documents/staging.ts: no object is left without its revision), then
//    write the `submitted` event under the number, naming them (conditional put: no gaps, no repeats).
// 4. The event carries the acknowledgment and the review requests (outbox, held by this request): they are rendered
//    from what the request holds and sent at once, together with resolving the claims; one write marks them sent.
import { randomUUID } from 'node:crypto';
import { settle } from '../core/budget';
import { now, shanghai } from '../core/clock';
import { config } from '../core/config';
import { ConflictError, type FieldError, InvalidLinkError, OutcomeUnknownError, ValidationError } from '../core/errors';
import { errorFields, log } from '../core/log';
import { dropFiles, keepFiles, retargetFiles, type StagedFiles, storeFiles } from '../documents/staging';
import { hasFiles, type ReadUpload, readUpload } from '../documents/uploads';
import { deliverWritten, outboxAttributes } from '../mail/outbox';
import { acknowledgment } from '../pieces/acknowledgment';
import { monthKeys, type PieceEvent } from '../pieces/events';
import { type PieceInput, pieceOf, type RawFields } from '../pieces/piece';
import { openTasksFor, openTasksKey } from '../research/tasks';
import { revisionTemplates } from '../review/emails';
import { reviewRequests } from '../review/reviewRequests';
import { type Person, type RosterSummary, rosterRecipients } from '../roster/people';
import { informantByKey, receiptPath } from '../roster/personalLinks';
import { acquire, type Claim, type Intent, release, resolve, retarget } from '../store/claims';
import { type ItemKey, keyId, putIfAbsent } from '../store/db';
import { digest, keys } from '../store/keys';
import { openTopicsFor, openTopicsKey } from '../topics/topics';
import { type AnswerScope, answerErrors, answererOf, isAnswer } from './answerLink';
import { counterKey, freeIn, giveBack, receiptOf, takeNumber } from './receiptNumbers';

export const DOUBLE_SUBMIT_WINDOW_MS = 10 * 60_000;
const IDEMPOTENCY_KEY_TTL_MS = 24 * 3600_000;

export interface SubmitRequest {
  /** The personal key; or, without it, `a`: an answer link, for a piece answering its one topic or task. */
  k?: unknown;
  a?: unknown;
  fields: RawFields;
  idempotencyKey?: string;
}

export interface SubmitResult {
  id: string;
  receipt: string;
  status: 'submitted';
  /** True when this answers a retry of an earlier submission. */
  replayed: boolean;
  /** The receipt page with its read-only link (signed when asked for: a browser is sent to its form instead). */
  receiptPath: () => Promise<string>;
}

export async function submitPiece(request: SubmitRequest): Promise<SubmitResult> {
  const county = config().countyId;
  const at = now();
  const year = shanghai(at).year;
  const also = [counterKey(county, year), openTopicsKey(county), openTasksKey(county)];
  const { informant, roster, scope } = isAnswer(request)
    ? await answererOf(request.a, also)
    : { ...(await informantByKey(request.k, also)), scope: undefined };
  if (!informant.unitId) throw new InvalidLinkError('您的账号未关联单位，请联系县委组织部信息科。');
  const topics = openTopicsFor(roster.items.get(keyId(openTopicsKey(county))), informant.unitId);
  const tasks = openTasksFor(roster.items.get(keyId(openTasksKey(county))), informant.unitId);
  const upload = hasFiles(request.fields) ? await readUpload(request.fields) : undefined;
  const piece = withinScope(scope, request.fields, () =>
    pieceOf(
      request.fields,
      upload,
      topics.map((t) => t.topicId),
      tasks.map((t) => t.taskId),
    ),
  );
  const claims = retryClaims(county, informant.personId, piece, request.idempotencyKey, upload);
  const result = (receipt: string, replayed: boolean): SubmitResult => ({
    id: receipt,
    receipt,
    status: 'submitted',
    replayed,
    receiptPath: () => receiptPath(receipt, informant),
  });

  // The request's id: it owns the claims, and the event it writes carries it (so "was it mine?" can be answered).
  const owner = randomUUID();
  const attempt: Attempt = { county, year, n: 0 };
  let staged: StagedFiles | undefined;
  let event: PieceEvent & ItemKey & Record<string, unknown>;
  try {
    attempt.n = await takeNumber(county, year, freeIn(roster.items.get(keyId(counterKey(county, year)))));
    // One after the other, always in the same order: two copies of one request taking the two claims at once, each
    // one of them, would wait for each other until they gave up.
    for (const claim of claims) {
      const earlier = await acquire(claim, owner, intentOf(attempt));
      if (earlier.result) {
        await settle(async () => {
          await giveBack(county, year, attempt.n).catch(() => {}); // the sweeper would, a minute later
          await Promise.all(claims.map((c) => resolve(c, owner, earlier.result!))).catch(() => {});
        });
        return result(earlier.result, true);
      }
    }
    if (upload?.files.length) {
      staged = await storeFiles(county, upload.files, {
        pieceId: receiptOf(year, attempt.n),
        revision: 1,
        event: eventKey(attempt),
      });
    }
    event = await writeSubmittedEvent(attempt, at, informant, roster.summary, piece, owner, claims, staged);
  } catch (err) {
    return releaseAfter(err, attempt, owner, claims, staged);
  }
  // Committed: from here on nothing may turn the answer into a failure. What is left undone is repaired later
  // (a claim resolved by its intent, email by the sweeper).
  log.info('piece submitted', { receipt: event.receipt, unitId: event.unitId, kind: event.kind });
  const sender = {
    templates: revisionTemplates,
    recipients: rosterRecipients(county, { people: [informant], editors: roster.summary.editors }),
  };
  await settle(() =>
    Promise.all([
      Promise.all(claims.map((c) => resolve(c, owner, event.receipt))).catch((err) =>
        log.warn('retry claims left to their intent', errorFields(err)),
      ),
      deliverWritten(event, sender).catch((err) =>
        log.warn('acknowledgment left to the sweeper', { receipt: event.receipt, ...errorFields(err) }),
      ),
      staged ? keepFiles(staged).catch((err) => log.warn('upload record left to the sweeper', errorFields(err))) : 0,
    ]),
  );
  return result(event.receipt, false);
}

/**
 * The piece `read` makes of the fields, refused when an answer link's `scope` does not allow it: the link's
 * messages take the place of the form's own for the same field, and come with the form's others at once.
 */
function withinScope(scope: AnswerScope | undefined, fields: RawFields, read: () => PieceInput): PieceInput {
  const scoped = scope ? answerErrors(scope, fields) : [];
  const merged = (others: FieldError[]) => [
    ...others.filter((e) => !scoped.some((s) => s.field === e.field)),
    ...scoped,
  ];
  let piece: PieceInput;
  try {
    piece = read();
  } catch (err) {
    if (scoped.length && err instanceof ValidationError) throw new ValidationError(merged(err.errors));
    throw err;
  }
  if (scoped.length) throw new ValidationError(scoped);
  return piece;
}

/** Where a submission stands: the receipt number it holds (0 before it has one). */
interface Attempt {
  county: string;
  year: number;
  n: number;
}

const eventKey = (a: Attempt) => ({ pk: keys.piece(a.county, receiptOf(a.year, a.n)), sk: keys.eventSk(1) });
const intentOf = (a: Attempt): Intent => ({ key: eventKey(a), result: receiptOf(a.year, a.n) });

/**
 * A submission failed before its event was written (a write that may have happened is settled by putIfAbsent: its
 * own is success, not knowing is OutcomeUnknownError). Knowing that nothing was written, it releases the claims so
 * a retry goes straight through, and gives its number back; not knowing, it leaves them with their intent, and a
 * retry will tell (a number that stays without its piece is given back by the sweeper).
 */
async function releaseAfter(
  err: unknown,
  attempt: Attempt,
  owner: string,
  claims: Claim[],
  staged?: StagedFiles,
): Promise<never> {
  if (!(err instanceof OutcomeUnknownError)) {
    await settle(async () => {
      await Promise.all([...claims.map((c) => release(c, owner)), ...(staged ? [dropFiles(staged)] : [])]);
      if (attempt.n > 0) await giveBack(attempt.county, attempt.year, attempt.n);
    }).catch((e) => log.warn('claims, number or files left to the sweeper', errorFields(e)));
  }
  throw err;
}

function retryClaims(
  county: string,
  personId: string,
  piece: PieceInput,
  idempotencyKey?: string,
  upload?: ReadUpload,
): Claim[] {
  const claims: Claim[] = [];
  // The same text with other files is another piece; without files, the digests are what they always were.
  const files = (upload?.files ?? []).map((f) => f.sha256);
  const content = digest(
    'content',
    personId,
    piece.kind,
    piece.title,
    piece.body,
    piece.topicId ?? '',
    piece.signer ?? '',
    ...(piece.taskId ? [piece.taskId] : []),
    ...files,
  );
  if (idempotencyKey !== undefined) {
    const key = idempotencyKey.trim();
    if (key.length === 0 || key.length > 200) {
      throw new ValidationError([{ field: 'Idempotency-Key', message: 'Idempotency-Key 须为 1-200 个字符。' }]);
    }
    claims.push({ county, digest: digest('idem', personId, key), ttlMs: IDEMPOTENCY_KEY_TTL_MS, fingerprint: content });
  }
  claims.push({
    county,
    digest: digest('content', personId, piece.title, piece.body, ...files),
    ttlMs: DOUBLE_SUBMIT_WINDOW_MS,
  });
  return claims;
}

/** A number is taken by this request alone; its event can only fail to land if that went wrong (then: another). */
const MAX_NUMBER_ATTEMPTS = 3;

/**
 * Writes the `submitted` event under the request's receipt number, stamped with the request's id. Should the number
 * be taken after all (a number given back while its piece was still on its way), the request takes another one.
 */
async function writeSubmittedEvent(
  attempt: Attempt,
  at: Date,
  informant: Person,
  summary: RosterSummary,
  piece: PieceInput,
  owner: string,
  claims: Claim[],
  staged: StagedFiles | undefined,
) {
  const { county, year } = attempt;
  const iso = at.toISOString();
  for (let tries = 1; tries <= MAX_NUMBER_ATTEMPTS; tries++) {
    if (tries > 1) {
      attempt.n = await takeNumber(county, year, []);
      await Promise.all(claims.map((c) => retarget(c, owner, intentOf(attempt))));
      if (staged) await retargetFiles(staged, eventKey(attempt));
    }
    const receipt = receiptOf(year, attempt.n);
    const event: PieceEvent = {
      pk: keys.piece(county, receipt),
      sk: keys.eventSk(1),
      type: 'submitted',
      seq: 1,
      at: iso,
      county,
      pieceId: receipt,
      receipt,
      revision: 1,
      unitId: informant.unitId!,
      informantId: informant.personId,
      ...piece,
      ...(staged ? { files: staged.refs } : {}),
      unitName: summary.units[informant.unitId!] ?? '',
      informantName: informant.name,
      ...monthKeys(county, at, receipt, 1),
      awaiting: keys.awaiting(county),
      awaitingSince: iso,
    };
    const notifications = [acknowledgment(informant, event), ...reviewRequests(summary.editors, event, at)];
    const item = { ...event, ...outboxAttributes(county, notifications, iso) };
    if (await putIfAbsent(item, owner)) return item;
  }
  throw new ConflictError('当前提交人数过多，请稍后重试。');
}
