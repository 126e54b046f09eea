// Use case: what an editor's review page shows — the revision in full, its story, who sent it. Changes nothing.
import { config } from '../core/config';
import { getPerson, getUnit } from '../roster/people';
import { loadReview, type ReviewContext } from './decidePiece';

export interface ReviewView extends ReviewContext {
  unitName: string;
  informantName: string;
}

export async function reviewView(token: unknown): Promise<ReviewView> {
  const context = await loadReview(token);
  const county = config().countyId;
  const [unit, informant] = await Promise.all([
    getUnit(county, context.revision.unitId),
    getPerson(county, context.revision.informantId),
  ]);
  return { ...context, unitName: unit?.name ?? '', informantName: informant?.name ?? '' };
}
