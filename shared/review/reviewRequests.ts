// Who reviews, and the review requests a revision sends: every editor of the county gets one for each revision (and
// each reminder), each with a link of their own, so a decision records which editor made it. A request renders from
// its item: the revision event itself, or — for a reminder or a renewed link — a copy of what it shows of it.
import { reviewExpiry } from '../links/links';
import type { NotificationDraft } from '../mail/outbox';
import type { PieceEvent } from '../pieces/events';
import type { Editor } from '../roster/people';

/** What a review request shows of its revision. */
export type ReviewSubject = Pick<
  PieceEvent,
  | 'pieceId'
  | 'receipt'
  | 'revision'
  | 'at'
  | 'kind'
  | 'title'
  | 'body'
  | 'bodyHtml'
  | 'files'
  | 'topicId'
  | 'taskId'
  | 'signer'
  | 'unitId'
  | 'informantId'
  | 'unitName'
  | 'informantName'
  | 'feedback'
  | 'previousTitle'
  | 'previousBody'
>;

/** The subject copied onto an item that is not the revision itself (names from the roster for older events). */
export function reviewSubject(revision: PieceEvent, names: { unitName?: string; informantName?: string } = {}) {
  const subject: ReviewSubject = {
    pieceId: revision.pieceId,
    receipt: revision.receipt,
    revision: revision.revision,
    at: revision.at,
    kind: revision.kind,
    title: revision.title,
    body: revision.body,
    bodyHtml: revision.bodyHtml,
    files: revision.files,
    topicId: revision.topicId,
    taskId: revision.taskId,
    signer: revision.signer,
    unitId: revision.unitId,
    informantId: revision.informantId,
    unitName: revision.unitName ?? names.unitName,
    informantName: revision.informantName ?? names.informantName,
    feedback: revision.feedback,
    previousTitle: revision.previousTitle,
    previousBody: revision.previousBody,
  };
  return subject;
}

/** The subject a review email renders: the item's copy, or the item itself when it is the revision. */
export const subjectOf = (item: Record<string, unknown>): ReviewSubject => (item.subject ?? item) as ReviewSubject;

export function reviewRequests(
  editors: Editor[],
  revision: Pick<PieceEvent, 'pieceId' | 'revision'>,
  at: Date,
  template: 'review' | 'reminder' = 'review',
): NotificationDraft[] {
  const exp = reviewExpiry(at);
  return editors.map((editor) => ({
    to: editor.email,
    template,
    personId: editor.personId,
    data: {
      pieceId: revision.pieceId,
      revision: revision.revision,
      editorId: editor.personId,
      editorName: editor.name,
      exp,
    },
  }));
}
