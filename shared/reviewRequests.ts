// Who reviews, and the emails a revision sends: every editor of the county gets a review request for each revision
// (and each reminder), each with a link of their own, so a decision records which editor made it; the informant gets
// an acknowledgment.
import type { EmailTemplate } from './emails';
import { reviewExpiry } from './links';
import type { Notification } from './outbox';
import type { PieceEvent } from './pieces';
import { listRoster, type Person } from './roster';

export type NotificationDraft = Omit<Notification, 'id'>;

export async function editorsOf(county: string): Promise<Person[]> {
  return (await listRoster(county)).people.filter((p) => p.role === 'editor');
}

export function reviewRequests(
  editors: Person[],
  revision: Pick<PieceEvent, 'pieceId' | 'revision'>,
  at: Date,
  template: Extract<EmailTemplate, 'review' | 'reminder'> = 'review',
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

export function acknowledgment(
  informant: Person,
  revision: Pick<PieceEvent, 'pieceId' | 'receipt' | 'revision' | 'title' | 'kind' | 'at'>,
): NotificationDraft {
  return {
    to: informant.email,
    template: 'ack',
    data: {
      name: informant.name,
      receipt: revision.receipt,
      title: revision.title ?? '',
      kind: revision.kind,
      pieceId: revision.pieceId,
      revision: revision.revision,
      personId: informant.personId,
      at: revision.at,
    },
  };
}
