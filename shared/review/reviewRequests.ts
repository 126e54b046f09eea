// Who reviews, and the review requests a revision sends: every editor of the county gets one for each revision (and
// each reminder), each with a link of their own, so a decision records which editor made it.
import { reviewExpiry } from '../links/links';
import type { NotificationDraft } from '../mail/outbox';
import type { PieceEvent } from '../pieces/events';
import { type Editor, editorList } from '../roster/people';
import type { ReviewTemplate } from './emails';

/** The county's editors (one small item, kept by the roster import). */
export function editorsOf(county: string): Promise<Editor[]> {
  return editorList(county);
}

export function reviewRequests(
  editors: Editor[],
  revision: Pick<PieceEvent, 'pieceId' | 'revision'>,
  at: Date,
  template: Extract<ReviewTemplate, 'review' | 'reminder'> = 'review',
): NotificationDraft[] {
  const exp = reviewExpiry(at);
  return editors.map((editor) => ({
    to: editor.email,
    template,
    data: {
      pieceId: revision.pieceId,
      revision: revision.revision,
      editorId: editor.personId,
      editorName: editor.name,
      exp,
    },
  }));
}
