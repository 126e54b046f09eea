// Use case: what an editor's review page shows — the revision in full, its story, who sent it. Changes nothing.
import { loadReview, type ReviewContext } from './decidePiece';

export interface ReviewView extends ReviewContext {
  unitName: string;
  informantName: string;
}

/** The names as the revision carries them (events written before it did: as the roster has them now). */
export async function reviewView(token: unknown): Promise<ReviewView> {
  const context = await loadReview(token);
  const r = context.revision;
  return {
    ...context,
    unitName: r.unitName ?? context.summary.units[r.unitId] ?? '',
    informantName: r.informantName ?? context.informant?.name ?? '',
  };
}
