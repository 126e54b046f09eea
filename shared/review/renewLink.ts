// Use case: a genuine link has expired or was revoked; its owner asks (by pressing a button, POST) for a fresh one
// by email. The fresh link goes to the address in the roster, never to one given in the request, and at most once
// an hour; the answer is the same whether one was sent or not. An informant can also ask from a returned piece's
// receipt page, for its revise link.
import { now } from '../core/clock';
import { config } from '../core/config';
import { NotFoundError } from '../core/errors';
import { errorFields, log } from '../core/log';
import { reviseExpiry } from '../links/links';
import { deliverWritten, type NotificationDraft, outboxAttributes } from '../mail/outbox';
import { decisionOn, latestRevision, type PieceEvent, pieceEvents } from '../pieces/events';
import { type Person, rosterRecipients } from '../roster/people';
import { receiptReader } from '../roster/personalLinks';
import { putIfAbsent } from '../store/db';
import { AlreadyDecidedError, loadReview } from './decidePiece';
import { reviewTemplates } from './emails';
import { type ReviewSubject, reviewRequests, reviewSubject } from './reviewRequests';
import { loadRevise } from './revisePiece';

const hourOf = (d: Date) => Math.floor(d.getTime() / 3_600_000);

/** Writes the renewal item (once an hour per link) with its one email, held, and sends it at once. */
async function record(
  item: { pk: string; sk: string; subject?: ReviewSubject },
  notification: NotificationDraft,
  recipient: Person,
) {
  const county = config().countyId;
  const at = now().toISOString();
  const written = { ...item, type: 'linkRenewed', at, ...outboxAttributes(county, [notification], at) };
  if (await putIfAbsent(written)) {
    const sender = { templates: reviewTemplates, recipients: rosterRecipients(county, { people: [recipient] }) };
    await deliverWritten(written, sender).catch((err) =>
      log.warn('renewed link left to the sweeper', errorFields(err)),
    );
  }
}

/**
 * Emails the editor of an expired, revoked or superseded review link a fresh one for the piece's newest draft, if
 * that still waits for a decision; nothing when it does not. The caller answers the same either way: the request
 * learns nothing of the piece (an expired link must not tell who decided it, nor show it).
 */
export async function renewReviewLink(token: unknown): Promise<void> {
  // An expired, revoked or superseded link: the fresh one is for the newest draft, while it waits for a decision.
  const context = await loadReview(token, { allowExpired: true, allowRevoked: true, latest: true }).catch((err) => {
    if (err instanceof AlreadyDecidedError) return undefined;
    throw err;
  });
  if (!context) return;
  const { revision, editor, informant, summary } = context;
  const at = now();
  const [request] = reviewRequests([editor], revision, at);
  const subject = reviewSubject(revision, { unitName: summary.units[revision.unitId], informantName: informant?.name });
  await record(
    { pk: revision.pk, sk: `L#review#${revision.revision}#${editor.personId}#${hourOf(at)}`, subject },
    request!,
    editor,
  );
}

/** Emails the informant of an expired or revoked revise link a fresh one (with the feedback again). */
export async function renewReviseLink(token: unknown): Promise<{ to: string }> {
  const { revision, returned, informant } = await loadRevise(token, { allowExpired: true, allowRevoked: true });
  await recordReviseLink(informant, revision, returned);
  return { to: informant.email };
}

/**
 * From a returned piece's receipt page (personal key or the read-only receipt link, current key version): emails
 * the informant a revise link, so a piece returned before a revoke can still be revised.
 */
export async function emailReviseLink(pieceId: string, access: { k?: unknown; r?: unknown }): Promise<{ to: string }> {
  const [{ informant }, events] = await Promise.all([
    receiptReader(pieceId, access),
    pieceEvents(config().countyId, pieceId),
  ]);
  if (events[0]?.informantId !== informant.personId) throw new NotFoundError('未找到该稿件。');
  const revision = latestRevision(events);
  const returned = decisionOn(events, revision.revision);
  if (returned?.type !== 'returned') throw new NotFoundError('这篇稿件目前不需要修改。');
  await recordReviseLink(informant, revision, returned);
  return { to: informant.email };
}

async function recordReviseLink(informant: Person, revision: PieceEvent, returned: PieceEvent): Promise<void> {
  const at = now();
  const notification: NotificationDraft = {
    to: informant.email,
    template: 'returned',
    personId: informant.personId,
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
  };
  await record({ pk: returned.pk, sk: `L#revise#${returned.revision}#${hourOf(at)}` }, notification, informant);
}
