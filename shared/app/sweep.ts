// The outbox sweep with every feature's templates: what the sweeper job, `npm start` and the admin CLI run.
import { type DeliveryResult, sweepOutbox } from '../mail/outbox';
import { allTemplates } from './emailTemplates';

export function sweepAll(county: string): Promise<DeliveryResult> {
  return sweepOutbox(county, allTemplates);
}
