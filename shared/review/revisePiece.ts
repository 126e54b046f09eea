// Use case: an informant sends a revised text after a return, from the revise link in the return email.
// 1. Verify the link (purpose, expiry, the informant's current key version) and that this revision was returned
//    and not yet revised.
// 2. Validate the new text exactly as at intake.
// 3. Write revision N+1 right after the return (conditional put: a double click makes one revision) under the same
//    receipt number; it waits for a decision like the first one.
// 4. The event carries the acknowledgment and a fresh review request to every editor (outbox); older review links
//    now answer "已有新版本".
import { settle } from '../core/budget';
import { now } from '../core/clock';
import { config } from '../core/config';
import { ConflictError, InactiveLinkError, InvalidLinkError, NotFoundError, RevokedLinkError } from '../core/errors';
import { errorFields, log } from '../core/log';
import { assertNotExpired, reviseClaims } from '../links/links';
import { deliverWritten, outboxAttributes } from '../mail/outbox';
import { acknowledgment } from '../pieces/acknowledgment';
import {
  DECISION_LABELS,
  type DecisionType,
  decisionOn,
  latestRevision,
  monthKeys,
  type PieceEvent,
  pieceEvents,
} from '../pieces/events';
import { type RawFields, validatePiece } from '../pieces/piece';
import { type Person, type RosterSummary, readWithRoster, rosterRecipients } from '../roster/people';
import { putIfAbsent } from '../store/db';
import { keys } from '../store/keys';
import { revisionTemplates } from './emails';
import { reviewRequests } from './reviewRequests';

export class AlreadyRevisedError extends ConflictError {
  /** `decision`: what became of that revised draft, if it was decided already. */
  constructor(
    readonly latest: PieceEvent,
    readonly decision?: PieceEvent,
  ) {
    const outcome = decision
      ? `，并已${DECISION_LABELS[decision.type as DecisionType] ?? '处理'}${decision.issueNo ? `（编入《组工专报》第 ${decision.issueNo} 期）` : ''}`
      : '，正在等待审核';
    super(`修改稿（第 ${latest.revision} 稿）已经提交${outcome}。此链接无需再用。`);
  }
}

export interface ReviseContext {
  events: PieceEvent[];
  /** The revision that was returned, and the return with its feedback. */
  revision: PieceEvent;
  returned: PieceEvent;
  informant: Person;
  summary: RosterSummary;
}

/** The revise page's and the revision's first step: the informant with the roster summary, and the piece's events. */
export async function loadRevise(
  token: unknown,
  options: { allowExpired?: boolean; allowRevoked?: boolean } = {},
): Promise<ReviseContext> {
  // Expiry is checked last, as for review links: "already revised" is the more useful answer.
  const claims = await reviseClaims(token, { allowExpired: true });
  const county = config().countyId;
  const [roster, events] = await Promise.all([
    readWithRoster(county, [claims.informantId]),
    pieceEvents(county, claims.pieceId),
  ]);
  const informant = roster.people.get(claims.informantId);
  if (informant?.role !== 'informant') throw new InvalidLinkError();
  if (informant.inactive) throw new InactiveLinkError();
  // Revoked with the personal key; its owner may still have a fresh one sent to their address.
  if (informant.keyVersion !== claims.keyVersion && !options.allowRevoked) throw new RevokedLinkError();
  if (events.length === 0 || events[0]?.informantId !== informant.personId) throw new NotFoundError('未找到该稿件。');
  const latest = latestRevision(events);
  if (latest.revision > claims.revision) throw new AlreadyRevisedError(latest, decisionOn(events, latest.revision));
  const returned = decisionOn(events, claims.revision);
  if (returned?.type !== 'returned') throw new NotFoundError('这篇稿件没有被退回修改。');
  if (!options.allowExpired) assertNotExpired(claims.exp);
  return { events, revision: latest, returned, informant, summary: roster.summary };
}

export async function revisePiece(
  token: unknown,
  fields: RawFields,
): Promise<{ revision: PieceEvent; informant: Person }> {
  const { events, revision, returned, informant, summary } = await loadRevise(token);
  // A revision answers the topic the piece answered (still, after the topic closed), and no other; a research paper
  // keeps its task (a paper revised into an 信息 leaves it).
  const { topicId, taskId } = revision;
  const keepTask = taskId !== undefined && fields.kind === 'research';
  const piece = validatePiece(
    { ...fields, topic: topicId ?? '', task: keepTask ? taskId : '' },
    topicId ? [topicId] : [],
    keepTask ? [taskId] : [],
  );
  const county = config().countyId;
  const at = now();
  const iso = at.toISOString();
  const seq = returned.seq + 1;
  const feedback = events
    .filter((e) => e.type === 'returned' && e.comment)
    .map((e) => ({ revision: e.revision, comment: e.comment! }));
  const event: PieceEvent = {
    pk: revision.pk,
    sk: keys.eventSk(seq),
    type: 'revised',
    seq,
    at: iso,
    county,
    pieceId: revision.pieceId,
    receipt: revision.receipt,
    revision: revision.revision + 1,
    unitId: revision.unitId,
    informantId: informant.personId,
    ...piece,
    unitName: summary.units[revision.unitId] ?? revision.unitName ?? '',
    informantName: informant.name,
    ...(feedback.length ? { feedback } : {}),
    previousTitle: revision.title ?? '',
    previousBody: revision.body ?? '',
    ...monthKeys(county, at, revision.receipt, seq),
    awaiting: keys.awaiting(county),
    awaitingSince: iso,
  };
  const notifications = [acknowledgment(informant, event), ...reviewRequests(summary.editors, event, at)];
  const item = { ...event, ...outboxAttributes(county, notifications, iso) };
  if (!(await putIfAbsent(item))) {
    const latest = latestRevision(await pieceEvents(county, revision.pieceId));
    // The same text sent twice (a double click) is the same revision: answer as if this one made it.
    if (latest.title === piece.title && latest.body === piece.body) return { revision: latest, informant };
    throw new AlreadyRevisedError(latest);
  }
  log.info('piece revised', { receipt: event.receipt, revision: event.revision });
  const sender = {
    templates: revisionTemplates,
    recipients: rosterRecipients(county, { people: [informant], editors: summary.editors }),
  };
  await settle(() =>
    deliverWritten(item, sender).catch((err) =>
      log.warn('revision email left to the sweeper', { receipt: event.receipt, ...errorFields(err) }),
    ),
  );
  return { revision: event, informant };
}
