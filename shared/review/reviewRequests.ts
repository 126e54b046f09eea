// Who reviews, and the review requests a revision sends: every editor of the county gets one for each revision (and
// each reminder), each with a link of their own, so a decision records which editor made it.
import { reviewExpiry } from '../links/links';
import type { NotificationDraft } from '../mail/outbox';
import type { PieceEvent } from '../pieces/events';
import { listRoster, type Person } from '../roster/people';
import type { ReviewTemplate } from './emails';

export async function editorsOf(county: string): Promise<Person[]> {
  return (await listRoster(county)).people.filter((p) => p.role === 'editor');
}

export function reviewRequests(
  editors: Person[],
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
