// The sweeper's pass (every minute on AWS; a timer under `npm start`; `npm run admin -- sweep`): every feature's
// pending email with every feature's templates, a 通报 run still sending (queued from the desk, or a job that
// stopped), uploads left unsettled, and beside it the receipt numbers' repair (holes given back).
import { now, shanghai } from '../core/clock';
import { errorFields, log } from '../core/log';
import { settleUpload } from '../documents/staging';
import { repairReceiptNumbers } from '../intake/receiptNumbers';
import { type DeliveryResult, type OutboxJob, sweepOutbox } from '../mail/outbox';
import { announceDesk } from '../roster/announceDesk';
import { rosterRecipients } from '../roster/people';
import { allTemplates } from './emailTemplates';

/**
 * The outbox's jobs: a mail run (the 通报, the quarterly research status), its sending loaded only when one is due;
 * an upload whose revision may never have been written (its files kept or deleted).
 */
const jobs: Record<string, OutboxJob> = {
  upload: settleUpload,
  bulletin: async (item, leaseId) => (await import('./mailRuns.js')).resumeBulletin(item, leaseId),
  quarterly: async (item, leaseId) => (await import('./mailRuns.js')).resumeQuarterly(item, leaseId),
};

export async function sweepAll(county: string): Promise<DeliveryResult> {
  // This year's numbers, and in January last year's too (a piece sent on 31 December may still be on its way).
  const t = shanghai(now());
  const repairs = (t.month === 1 ? [t.year - 1, t.year] : [t.year]).map(async (year) => {
    const repair = await repairReceiptNumbers(county, year).catch((err) => {
      log.warn('receipt numbers left for the next sweep', errorFields(err));
      return undefined;
    });
    if (repair?.freed.length) log.warn('receipt numbers given back', { year, numbers: repair.freed });
  });
  // The two parts do not wait on each other.
  const announced = announceDesk(county).catch((err) => {
    log.warn('desk links left for the next sweep', errorFields(err));
  });
  const [result] = await Promise.all([
    sweepOutbox(county, { templates: allTemplates, recipients: rosterRecipients(county), jobs }),
    ...repairs,
    announced,
  ]);
  return result;
}
