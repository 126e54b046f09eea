// Use case: an informant sends a revised text after a return, from the revise link in the return email.
// 1. Verify the link (purpose, expiry, the informant's current key version) and that this revision was returned
//    and not yet revised.
// 2. Validate the new text exactly as at intake (a new Word document's text is the new text); store the files.
// 3. Write revision N+1 right after the return (conditional put: a double click makes one revision) under the same
//    receipt number; it waits for a decision like the first one.
// 4. The event carries the acknowledgment and a fresh review request to every editor (outbox); older review links
//    now answer "已有新版本".
import { settle } from '../core/budget';
import { now } from '../core/clock';
import { config } from '../core/config';
import {
  ConflictError,
  InactiveLinkError,
  InvalidLinkError,
  NotFoundError,
  OutcomeUnknownError,
  RevokedLinkError,
} from '../core/errors';
import { errorFields, log } from '../core/log';
import type { FileRef } from '../documents/files';
import { dropFiles, keepFiles, type StagedFiles, storeFiles } from '../documents/staging';
import { hasFiles, readUpload } from '../documents/uploads';
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
import { pieceOf, type RawFields } from '../pieces/piece';
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
  const upload = hasFiles(fields) ? await readUpload(fields) : undefined;
  const piece = pieceOf(
    { ...fields, topic: topicId ?? '', task: keepTask ? taskId : '' },
    upload,
    topicId ? [topicId] : [],
    keepTask ? [taskId] : [],
  );
  const county = config().countyId;
  const at = now();
  const iso = at.toISOString();
  const seq = returned.seq + 1;
  const staged = upload?.files.length
    ? await storeFiles(county, upload.files, {
        pieceId: revision.pieceId,
        revision: revision.revision + 1,
        event: { pk: revision.pk, sk: keys.eventSk(seq) },
      })
    : undefined;
  const files = revisionFiles(staged?.refs ?? [], revision.files ?? []);
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
    ...(files.length ? { files } : {}),
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
  let written: boolean;
  try {
    written = await putIfAbsent(item);
  } catch (err) {
    // Surely not written: the files go now; not knowing, the sweeper tells later by the event.
    if (staged && !(err instanceof OutcomeUnknownError)) await dropLater(staged);
    throw err;
  }
  if (staged) await settle(() => (written ? keepFiles(staged) : dropFiles(staged))).catch(leftToSweeper);
  if (!written) {
    const latest = latestRevision(await pieceEvents(county, revision.pieceId));
    // The same text sent twice (a double click) is the same revision: answer as if this one made it.
    // (The same files too: a draft sent again with a file added is not the same draft.)
    const hashes = (f: FileRef[] | undefined) => (f ?? []).map((x) => x.sha256).join();
    if (latest.title === piece.title && latest.body === piece.body && hashes(latest.files) === hashes(files)) {
      return { revision: latest, informant };
    }
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

const leftToSweeper = (err: unknown) => log.warn('upload record left to the sweeper', errorFields(err));
const dropLater = (staged: StagedFiles) => settle(() => dropFiles(staged)).catch(leftToSweeper);

/**
 * A revision's files: the new document and attachments; attachments not replaced come along from the draft before
 * (the same stored objects), a document does not (its text is the draft before's).
 */
function revisionFiles(uploaded: FileRef[], before: FileRef[]): FileRef[] {
  const document = uploaded.filter((f) => f.role === 'document');
  const attachments = uploaded.filter((f) => f.role === 'attachment');
  const carried = attachments.length ? [] : before.filter((f) => f.role === 'attachment');
  return [...document, ...attachments, ...carried].map((f, i) => ({ ...f, n: i + 1 }));
}
