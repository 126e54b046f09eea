// Use case: what the revise form shows — the returned text to start from, the feedback, who is revising.
import { config } from './config';
import { loadRevise, type ReviseContext } from './revisePiece';
import { getUnit } from './roster';
import type { FormValues } from './submissionPages';

export interface ReviseView extends ReviseContext {
  unitName: string;
  values: FormValues;
}

export async function reviseView(token: unknown): Promise<ReviseView> {
  const context = await loadRevise(token);
  const unit = await getUnit(config().countyId, context.revision.unitId);
  const r = context.revision;
  return {
    ...context,
    unitName: unit?.name ?? '',
    values: { kind: r.kind, title: r.title ?? '', body: r.body ?? '', topic: r.topicId ?? '', signer: r.signer ?? '' },
  };
}
