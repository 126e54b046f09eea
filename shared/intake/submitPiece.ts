// Use case: an informant submits a piece.
// 1. Verify the personal key (who) and validate the fields (what), before anything is written.
// 2. Claim the retry identity (Idempotency-Key; same informant + title + body within 10 minutes): a retry gets the
//    original receipt back and creates nothing.
// 3. Claim the next receipt number by writing the `submitted` event under it (conditional put: no gaps, no repeats).
// 4. The event carries the acknowledgment email (outbox); try to send it now, the sweeper finishes otherwise.
import { randomUUID } from 'node:crypto';
import { now, shanghai } from '../core/clock';
import { config } from '../core/config';
import { ConflictError, InvalidLinkError, ValidationError } from '../core/errors';
import { errorFields, log } from '../core/log';
import { deliver, outboxAttributes } from '../mail/outbox';
import { acknowledgment } from '../pieces/acknowledgment';
import { monthKeys, type PieceEvent } from '../pieces/events';
import { type PieceInput, type RawFields, validatePiece } from '../pieces/piece';
import { revisionTemplates } from '../review/emails';
import { editorsOf, reviewRequests } from '../review/reviewRequests';
import type { Person } from '../roster/people';
import { informantByKey } from '../roster/personalLinks';
import { acquire, type Claim, resolve } from '../store/claims';
import { putIfAbsent } from '../store/db';
import { digest, keys } from '../store/keys';
import { lastReceiptHint, raiseReceiptHint, receiptOf } from './receiptNumbers';

export const DOUBLE_SUBMIT_WINDOW_MS = 10 * 60_000;
const IDEMPOTENCY_KEY_TTL_MS = 24 * 3600_000;

export interface SubmitRequest {
  k: unknown;
  fields: RawFields;
  idempotencyKey?: string;
}

export interface SubmitResult {
  id: string;
  receipt: string;
  status: 'submitted';
  /** True when this answers a retry of an earlier submission. */
  replayed: boolean;
  /** The informant's key, for the receipt link. */
  k: string;
}

export async function submitPiece(request: SubmitRequest): Promise<SubmitResult> {
  const informant = await informantByKey(request.k);
  if (!informant.unitId) throw new InvalidLinkError('您的账号未关联单位，请联系县委组织部信息科。');
  const piece = validatePiece(request.fields);
  const county = config().countyId;
  const k = String(request.k);

  const claims = retryClaims(county, informant.personId, piece, request.idempotencyKey);
  const owner = randomUUID();
  for (const claim of claims) {
    const earlier = await acquire(claim, owner);
    if (earlier.receipt) {
      await Promise.all(claims.map((c) => resolve(c, owner, earlier.receipt!)));
      return { id: earlier.receipt, receipt: earlier.receipt, status: 'submitted', replayed: true, k };
    }
  }

  const event = await writeSubmittedEvent(county, informant, piece);
  await Promise.all(claims.map((c) => resolve(c, owner, event.receipt)));
  log.info('piece submitted', { receipt: event.receipt, unitId: event.unitId, kind: event.kind });
  await deliver({ pk: event.pk, sk: event.sk }, revisionTemplates).catch((err) =>
    log.warn('acknowledgment left to the sweeper', { receipt: event.receipt, ...errorFields(err) }),
  );
  return { id: event.pieceId, receipt: event.receipt, status: 'submitted', replayed: false, k };
}

function retryClaims(county: string, personId: string, piece: PieceInput, idempotencyKey?: string): Claim[] {
  const claims: Claim[] = [];
  if (idempotencyKey !== undefined) {
    const key = idempotencyKey.trim();
    if (key.length === 0 || key.length > 200) {
      throw new ValidationError([{ field: 'Idempotency-Key', message: 'Idempotency-Key 须为 1-200 个字符。' }]);
    }
    claims.push({ county, digest: digest('idem', personId, key), ttlMs: IDEMPOTENCY_KEY_TTL_MS });
  }
  claims.push({ county, digest: digest('content', personId, piece.title, piece.body), ttlMs: DOUBLE_SUBMIT_WINDOW_MS });
  return claims;
}

const MAX_NUMBER_ATTEMPTS = 200;

async function writeSubmittedEvent(county: string, informant: Person, piece: PieceInput): Promise<PieceEvent> {
  const at = now();
  const year = shanghai(at).year;
  const iso = at.toISOString();
  let n = await lastReceiptHint(county, year);
  const editors = await editorsOf(county);
  for (let attempt = 1; attempt <= MAX_NUMBER_ATTEMPTS; attempt++) {
    // Under contention the hint lags behind the numbers already taken: re-read it now and then to skip ahead.
    n = attempt % 10 === 0 ? Math.max(n, await lastReceiptHint(county, year)) + 1 : n + 1;
    const receipt = receiptOf(year, n);
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
      ...monthKeys(county, at, receipt, 1),
      awaiting: keys.awaiting(county),
      awaitingSince: iso,
    };
    const notifications = [acknowledgment(informant, event), ...reviewRequests(editors, event, at)];
    const item = { ...event, ...outboxAttributes(county, notifications, iso) };
    if (await putIfAbsent(item)) {
      await raiseReceiptHint(county, year, n);
      return item;
    }
  }
  throw new ConflictError('当前提交人数过多，请稍后重试。');
}
