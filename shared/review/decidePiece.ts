// Use case: an editor decides one revision from their review link (POST only: opening the link decides nothing).
// 1. Verify the link (purpose), that its editor is still an editor (read with the informant the link names, the
//    roster summary, and — at the same time — the piece's events), then its expiry: an expired link decides
//    nothing and learns nothing of the piece, not even who decided it.
// 2. Refuse a revision that is superseded by a newer one, or already decided (say who, what, when).
// 3. Validate the decision: accept (optional 期号 and remark), return (feedback required), reject (optional reason).
// 4. Write the decision as the event right after the revision, conditionally: of any number of editors deciding at
//    once, exactly one wins; the others are told who did.
// 5. An acceptance is the county's adoption: the event records its points under the rules in force that day.
// 6. The event carries the informant's email and a one-line notice to the other editors; an acceptance also a
//    confirmation to the deciding editor, each editor's with the link to record the piece's adoptions (outbox).
import { settle } from '../core/budget';
import { dayOf, now } from '../core/clock';
import { config } from '../core/config';
import {
  BaosongError,
  ConflictError,
  type FieldError,
  InactiveLinkError,
  InvalidLinkError,
  NotFoundError,
  RevokedLinkError,
  ValidationError,
} from '../core/errors';
import { errorFields, log } from '../core/log';
import { isBlank, isReadable, normalized } from '../core/text';
import { assertNotExpired, type ReviewClaims, reviewClaims, reviseExpiry } from '../links/links';
import { deliverWritten, type NotificationDraft, outboxAttributes } from '../mail/outbox';
import {
  clearAwaiting,
  DECISION_LABELS,
  type DecisionType,
  decisionOn,
  latestRevision,
  monthKeys,
  type PieceEvent,
  pieceEvents,
} from '../pieces/events';
import type { RawFields } from '../pieces/piece';
import { getPerson, type Person, type RosterSummary, readWithRoster, rosterRecipients } from '../roster/people';
import { COUNTY_ADOPTION } from '../scoring/contributions';
import { pointsFor, type RuleVersion, versionOn } from '../scoring/rules';
import { rulesKey, versionsOf } from '../scoring/ruleVersions';
import { keyId, putIfAbsent } from '../store/db';
import { keys } from '../store/keys';
import { reviewTemplates } from './emails';

export const COMMENT_MAX = 2000;

/** The decision a form or JSON names → the event it records. */
const DECISIONS: Record<string, DecisionType> = { accept: 'accepted', return: 'returned', reject: 'rejected' };

/** The revision was decided already (by this or another editor). */
export class AlreadyDecidedError extends ConflictError {
  constructor(
    readonly decision: PieceEvent,
    /** The revision decided and the editor whose link it is: what the page shows, and the next piece for them. */
    readonly context: { revision?: PieceEvent; editor?: Person } = {},
  ) {
    super(
      `这篇稿件已由 ${decision.editorName ?? '编辑'} 处理：${DECISION_LABELS[decision.type as DecisionType] ?? decision.type}。`,
    );
  }
}

/**
 * Whether the decision found is the one this editor just posted again (a refresh of 处理完成, a second tab): then it
 * is answered as done, not as lost to someone.
 */
export function isSameDecisionAgain(err: AlreadyDecidedError, editorId: string, posted: unknown): boolean {
  return err.decision.editorId === editorId && typeof posted === 'string' && DECISIONS[posted] === err.decision.type;
}

/**
 * 不予采用 ends a piece for good: it is recorded only when the request confirms it (`confirm`, the button of the
 * confirmation page), so one click on the wrong button rejects nothing.
 */
export class RejectNotConfirmedError extends BaosongError {
  constructor(readonly input: DecisionInput) {
    super('不予采用后无法撤销，信息员也不能再修改这篇稿件。请确认。');
  }
}

const confirmed = (v: unknown) => v === true || v === '1' || v === 'true' || v === 'yes';

/** A newer revision exists: this link is for an older text. */
export class SupersededError extends ConflictError {
  constructor(readonly latest: number) {
    super(`已有新版本：信息员已提交第 ${latest} 稿，请使用新稿的审核链接。`);
  }
}

export interface ReviewContext {
  events: PieceEvent[];
  revision: PieceEvent;
  editor: Person;
  /** The piece's informant, when the link names them (read with the editor); absent for older links. */
  informant?: Person;
  summary: RosterSummary;
  /** The scoring rules' versions (read with the roster): an acceptance records the points it earns. */
  ruleVersions: RuleVersion[];
}

/**
 * What the review page and the decision both check first; throws the 403/404/409 errors. One consistent BatchGet
 * (the editor, the informant the link names, the roster summary) and the piece's events, issued together.
 */
export async function loadReview(
  token: unknown,
  options: { allowExpired?: boolean; allowRevoked?: boolean; latest?: boolean } = {},
): Promise<ReviewContext> {
  // Expiry is checked after the editor (a forged or revoked link answers as such), before anything of the piece.
  return loadReviewFor(await reviewClaims(token, { allowExpired: true }), options);
}

/**
 * The editor a review link names, as the roster has them now: still an editor, active, and at the link's key
 * version (a revoked link tells nothing about the piece; only renewal, to the editor's own address, may pass).
 */
export function linkEditor(editor: Person | undefined, claims: ReviewClaims, allowRevoked = false): Person {
  if (editor?.role !== 'editor') throw new InvalidLinkError('此审核链接对应的编辑已不在名单中。');
  if (editor.inactive) throw new InactiveLinkError();
  if (editor.keyVersion !== claims.keyVersion && !allowRevoked) throw new RevokedLinkError();
  return editor;
}

/**
 * The editor of a review link that may still act: `linkEditor`, then the link's expiry. Every route under a review
 * link but /renew checks this before it looks at the piece, so an expired link shows nothing of it (not its text,
 * not who decided it) and leads nowhere but to a fresh link sent to the editor's own address.
 */
export function currentLinkEditor(editor: Person | undefined, claims: ReviewClaims): Person {
  const current = linkEditor(editor, claims);
  assertNotExpired(claims.exp);
  return current;
}

/**
 * The same checks for a decision that does not come from a review link (the desk): the claims say which revision
 * of which piece, and which editor at which key version, as a review link of theirs would.
 */
export async function loadReviewFor(
  claims: ReviewClaims,
  options: { allowExpired?: boolean; allowRevoked?: boolean; latest?: boolean } = {},
): Promise<ReviewContext> {
  const county = config().countyId;
  const people = claims.informantId ? [claims.editorId, claims.informantId] : [claims.editorId];
  const [roster, events] = await Promise.all([
    readWithRoster(county, people, [rulesKey(county)]),
    pieceEvents(county, claims.pieceId),
  ]);
  const editor = linkEditor(roster.people.get(claims.editorId), claims, options.allowRevoked);
  // An expired link is answered before the piece's state: decided or not, it shows nothing of it.
  if (!options.allowExpired) assertNotExpired(claims.exp);
  if (events.length === 0) throw new NotFoundError('未找到该稿件。');
  const revision = latestRevision(events);
  // `latest`: a link to an older draft stands for the newest one (asking for the new draft's link by email).
  if (revision.revision > claims.revision && !options.latest) throw new SupersededError(revision.revision);
  if (revision.revision < claims.revision) throw new NotFoundError('未找到该稿件的这一稿。');
  const decided = decisionOn(events, revision.revision);
  if (decided) throw new AlreadyDecidedError(decided, { revision, editor });
  const informant = roster.people.get(revision.informantId);
  const ruleVersions = versionsOf(roster.items.get(keyId(rulesKey(county))));
  return { events, revision, editor, summary: roster.summary, ruleVersions, ...(informant ? { informant } : {}) };
}

export interface DecisionInput {
  decision: DecisionType;
  comment?: string;
  issueNo?: number;
}

export function validateDecision(fields: RawFields): DecisionInput {
  const errors: FieldError[] = [];
  const text = (field: string, label: string): string => {
    const v = fields[field];
    if (v === undefined || v === null) return '';
    // A JSON client may send the issue as a number; anything else that is not text is refused, never dropped.
    if (field === 'issue' && typeof v === 'number') return String(v);
    if (typeof v !== 'string') {
      errors.push({ field, message: `${label}格式不正确，请重新填写。` });
      return '';
    }
    if (!isReadable(v)) {
      errors.push({ field, message: `${label}含有无法识别的字符。` });
      return '';
    }
    return isBlank(v) ? '' : normalized(v).replace(/\r\n?/g, '\n').trim();
  };
  const decision = DECISIONS[text('decision', '处理结果')];
  const comment = text('comment', '意见');
  // Full-width digits from a Chinese input method (１２) are digits too.
  const rawIssue = text('issue', '期号')
    .normalize('NFKC')
    .replace(/^第\s*/, '')
    .replace(/\s*期$/, '');
  let issueNo: number | undefined;
  if (!decision && !errors.some((e) => e.field === 'decision')) {
    errors.push({ field: 'decision', message: '请选择处理结果：采用、退回修改或不予采用。' });
  }
  if (decision === 'returned' && comment === '') {
    errors.push({ field: 'comment', message: '退回修改时请填写修改意见，信息员会在修改页面上看到。' });
  }
  if ([...comment].length > COMMENT_MAX) {
    errors.push({ field: 'comment', message: `意见不能超过 ${COMMENT_MAX} 字。` });
  }
  if (rawIssue !== '' && !errors.some((e) => e.field === 'issue')) {
    if (!/^\d{1,4}$/.test(rawIssue) || Number(rawIssue) === 0) {
      errors.push({ field: 'issue', message: '期号应为数字，例如 12。' });
    } else if (decision !== 'accepted') {
      errors.push({ field: 'issue', message: '只有采用的稿件才填写期号。' });
    } else {
      issueNo = Number(rawIssue);
    }
  }
  if (errors.length > 0) throw new ValidationError(errors);
  return { decision: decision!, ...(comment ? { comment } : {}), ...(issueNo ? { issueNo } : {}) };
}

export interface Decided {
  decision: PieceEvent;
  /** The revision decided. */
  revision: PieceEvent;
  /** The piece's events as read before the decision, and the decision after them: its story now. */
  events: PieceEvent[];
}

export async function decidePiece(token: unknown, fields: RawFields): Promise<Decided> {
  return decideWith(await reviewClaims(token, { allowExpired: true }), fields);
}

/**
 * A decision on the revision the claims name, by their editor (a review link's claims, or the desk's for the same
 * editor): the same checks and the same conditional write, so a decision from the desk and one from an email link
 * race safely — exactly one wins.
 */
export async function decideWith(claims: ReviewClaims, fields: RawFields): Promise<Decided> {
  const context = await loadReviewFor(claims);
  const { revision, editor, summary } = context;
  const input = validateDecision(fields);
  if (input.decision === 'rejected' && !confirmed(fields.confirm)) throw new RejectNotConfirmedError(input);
  const county = config().countyId;
  const at = now();
  const iso = at.toISOString();
  const seq = revision.seq + 1;
  // Links made before they named the informant: one more read (by the outbox, with the email's other recipients).
  const informant = context.informant ?? (await getPerson(county, revision.informantId));
  const otherEditors = summary.editors.filter((e) => e.personId !== editor.personId);
  const title = revision.title ?? '';
  // An acceptance is the county's adoption (《组工专报》): it records its points and the rules version that gave them.
  const day = dayOf(at);
  const rules = input.decision === 'accepted' ? versionOn(context.ruleVersions, day) : undefined;
  const score = rules
    ? {
        points: pointsFor(rules.rules, { level: 'county', kind: revision.kind, topic: revision.topicId !== undefined }),
        rulesVersion: rules.version,
        adoptionId: COUNTY_ADOPTION,
        level: 'county' as const,
        adoptedOn: day,
        ...(revision.topicId ? { topicId: revision.topicId } : {}),
      }
    : {};

  const event: PieceEvent = {
    pk: revision.pk,
    sk: keys.eventSk(seq),
    type: input.decision,
    seq,
    at: iso,
    county,
    pieceId: revision.pieceId,
    receipt: revision.receipt,
    revision: revision.revision,
    unitId: revision.unitId,
    informantId: revision.informantId,
    kind: revision.kind,
    editorId: editor.personId,
    editorName: editor.name,
    // When the revision decided on came in: the 通报's days to a decision, from the month's partition alone.
    revisionAt: revision.at,
    ...(input.comment ? { comment: input.comment } : {}),
    ...(input.issueNo ? { issueNo: input.issueNo } : {}),
    ...score,
    ...monthKeys(county, at, revision.receipt, seq),
  };
  const notifications: NotificationDraft[] = [
    ...(informant
      ? [
          {
            to: informant.email,
            template: input.decision,
            personId: informant.personId,
            data: {
              name: informant.name,
              receipt: revision.receipt,
              title,
              pieceId: revision.pieceId,
              revision: revision.revision,
              personId: informant.personId,
              ...(input.comment ? { comment: input.comment } : {}),
              ...(input.issueNo ? { issueNo: input.issueNo } : {}),
              ...(input.decision === 'returned' ? { reviseExp: reviseExpiry(at) } : {}),
            },
          },
        ]
      : []),
    // On an acceptance, the deciding editor's confirmation too: it and the others' notices carry the link to record
    // the piece's adoptions upstream, which come months later.
    ...(input.decision === 'accepted' ? [editor] : []).map((self) => ({
      to: self.email,
      template: 'acceptedByYou' as const,
      personId: self.personId,
      data: {
        title,
        receipt: revision.receipt,
        pieceId: revision.pieceId,
        editorId: self.personId,
        ...(input.issueNo ? { issueNo: input.issueNo } : {}),
      },
    })),
    ...otherEditors.map((other) => ({
      to: other.email,
      template: 'handled' as const,
      personId: other.personId,
      data: {
        pieceId: revision.pieceId,
        editorId: other.personId,
        title,
        receipt: revision.receipt,
        editorName: editor.name,
        decision: input.decision,
        at: iso,
        ...(input.issueNo ? { issueNo: input.issueNo } : {}),
      },
    })),
  ];
  const item = { ...event, ...(notifications.length ? outboxAttributes(county, notifications, iso) : {}) };
  if (!(await putIfAbsent(item))) {
    const winner = decisionOn(await pieceEvents(county, revision.pieceId), revision.revision);
    if (winner) throw new AlreadyDecidedError(winner, { revision, editor });
    throw new SupersededError(revision.revision + 1);
  }
  log.info('piece decided', { receipt: revision.receipt, revision: revision.revision, decision: input.decision });
  // Decided: what follows may fail without changing the answer (the reminder job clears what is left waiting).
  const sender = {
    templates: reviewTemplates,
    recipients: rosterRecipients(county, { people: informant ? [informant] : [] }),
  };
  await settle(() =>
    Promise.all([
      clearAwaiting(revision).catch((err) => log.warn('awaiting mark left to the reminder job', errorFields(err))),
      notifications.length
        ? deliverWritten(item, sender).catch((err) =>
            log.warn('decision email left to the sweeper', { receipt: revision.receipt, ...errorFields(err) }),
          )
        : undefined,
    ]),
  );
  return { decision: event, revision, events: [...context.events, event] };
}
