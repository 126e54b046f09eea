// Use case: a genuine link has expired; its owner asks (by pressing a button, POST) for a fresh one by email.
// The fresh link goes to the address in the roster, never to one given in the request, and at most once an hour.
import { now } from '../core/clock';
import { config } from '../core/config';
import { errorFields, log } from '../core/log';
import { reviseExpiry } from '../links/links';
import { deliver, outboxAttributes } from '../mail/outbox';
import { putIfAbsent } from '../store/db';
import { loadReview } from './decidePiece';
import { reviewTemplates } from './emails';
import { reviewRequests } from './reviewRequests';
import { loadRevise } from './revisePiece';

const hourOf = (d: Date) => Math.floor(d.getTime() / 3_600_000);

async function record(pk: string, sk: string, notification: Parameters<typeof outboxAttributes>[1][number]) {
  const at = now().toISOString();
  const item = { pk, sk, type: 'linkRenewed', at, ...outboxAttributes(config().countyId, [notification], at) };
  if (await putIfAbsent(item)) {
    await deliver({ pk, sk }, reviewTemplates).catch((err) =>
      log.warn('renewed link left to the sweeper', errorFields(err)),
    );
  }
}

/** Emails the editor of an expired review link a fresh one, if the revision still waits for a decision. */
export async function renewReviewLink(token: unknown): Promise<{ to: string }> {
  const { revision, editor } = await loadReview(token, { allowExpired: true });
  const at = now();
  const [request] = reviewRequests([editor], revision, at);
  await record(revision.pk, `L#review#${revision.revision}#${editor.personId}#${hourOf(at)}`, request!);
  return { to: editor.email };
}

/** Emails the informant of an expired revise link a fresh one (with the feedback again). */
export async function renewReviseLink(token: unknown): Promise<{ to: string }> {
  const { revision, returned, informant } = await loadRevise(token, { allowExpired: true });
  const at = now();
  await record(returned.pk, `L#revise#${returned.revision}#${hourOf(at)}`, {
    to: informant.email,
    template: 'returned',
    data: {
      name: informant.name,
      receipt: returned.receipt,
      title: revision.title ?? '',
      pieceId: returned.pieceId,
      revision: returned.revision,
      personId: informant.personId,
      comment: returned.comment ?? '',
      reviseExp: reviseExpiry(at),
    },
  });
  return { to: informant.email };
}
