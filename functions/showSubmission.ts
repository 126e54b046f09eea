// GET /submissions/{id}?r=TOKEN (or ?k=KEY) — the receipt page: receipt number, title, status, the timeline.

import { receiptPage, statusOf } from '../shared/intake/pages';
import { showPiece } from '../shared/intake/showPiece';
import { httpHandler } from '../shared/web/http';

export const handler = httpHandler(async (request) => {
  const view = await showPiece({ k: request.query.k, r: request.query.r }, request.path.id ?? '');
  const { events } = view;
  const first = events[0]!;
  const latest = events.findLast((e) => e.title !== undefined) ?? first;
  return {
    status: 200,
    html: receiptPage(view, { sentRevision: Number(request.query.sent) || undefined }),
    json: {
      id: first.pieceId,
      receipt: first.receipt,
      title: latest.title,
      kind: first.kind,
      status: statusOf(events),
      events: events.map((e) => ({ type: e.type, at: e.at, revision: e.revision })),
    },
  };
});
