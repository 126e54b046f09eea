// Use case: withdraw (撤销) an adoption recorded by mistake — an event with its reason, never a delete.
// 1. A reason is required (it is what the audit shows).
// 2. Read the piece's adoption items; the adoption must exist and not be withdrawn already.
// 3. One conditional put of `A#<id>#W`, filed under the adoption's own month, carrying minus the points it had:
//    the adoption counts nowhere any more, and a second withdrawal (a double press, two editors) finds it done.
import { now } from '../core/clock';
import { config } from '../core/config';
import { ConflictError, NotFoundError, ValidationError } from '../core/errors';
import { log } from '../core/log';
import { isBlank, isReadable, normalized } from '../core/text';
import { isPieceId } from '../intake/receiptNumbers';
import { putIfAbsent } from '../store/db';
import {
  type AdoptionRecord,
  pieceAdoptionItems,
  pieceAdoptions,
  type Recorder,
  type WithdrawalRecord,
  withdrawalSk,
} from './adoptions';

export const REASON_MAX = 200;

export class AlreadyWithdrawnError extends ConflictError {
  constructor(readonly withdrawal: WithdrawalRecord) {
    super(
      `这条采用记录已由 ${withdrawal.by.name} 于 ${withdrawal.at.slice(0, 10)} 撤销（原因：${withdrawal.reason}），无需再次撤销。`,
    );
  }
}

export function checkReason(raw: unknown): string {
  const reason =
    typeof raw === 'string' && isReadable(raw) && !isBlank(raw) ? normalized(raw).replace(/\s+/g, ' ').trim() : '';
  if (reason === '') throw new ValidationError([{ field: 'reason', message: '请填写撤销原因，例如“期号登记错误”。' }]);
  if ([...reason].length > REASON_MAX) {
    throw new ValidationError([{ field: 'reason', message: `撤销原因不能超过 ${REASON_MAX} 字。` }]);
  }
  return reason;
}

export async function withdrawAdoption(
  pieceId: string,
  adoptionId: unknown,
  rawReason: unknown,
  by: Recorder,
): Promise<{ record: AdoptionRecord; withdrawal: WithdrawalRecord }> {
  const reason = checkReason(rawReason);
  const county = config().countyId;
  const missing = new NotFoundError('没有找到这条采用记录：可能回执号或记录有误。');
  if (!isPieceId(pieceId) || typeof adoptionId !== 'string' || !/^[0-9a-f]{12}$/.test(adoptionId)) throw missing;
  const found = pieceAdoptions(await pieceAdoptionItems(county, pieceId)).find(
    (a) => a.record.adoptionId === adoptionId,
  );
  if (!found) throw missing;
  if (found.withdrawal) throw new AlreadyWithdrawnError(found.withdrawal);
  const { record } = found;
  const at = now().toISOString();
  const withdrawal: WithdrawalRecord = {
    pk: record.pk,
    sk: withdrawalSk(adoptionId),
    type: 'withdrawn',
    adoptionId,
    pieceId: record.pieceId,
    receipt: record.receipt,
    unitId: record.unitId,
    informantId: record.informantId,
    kind: record.kind,
    level: record.level,
    adoptedOn: record.adoptedOn,
    points: -found.now.points,
    reason,
    by,
    at,
    // Filed under the adoption's own month: the adoption and its withdrawal are read (and cancel out) together.
    gsi1pk: record.gsi1pk,
    gsi1sk: `${record.gsi1sk}#W`,
  };
  if (!(await putIfAbsent({ ...withdrawal }))) {
    const again = pieceAdoptions(await pieceAdoptionItems(county, pieceId)).find(
      (a) => a.record.adoptionId === adoptionId,
    );
    throw new AlreadyWithdrawnError(again?.withdrawal ?? withdrawal);
  }
  log.info('adoption withdrawn', { receipt: record.receipt, adoptionId });
  return { record, withdrawal };
}
