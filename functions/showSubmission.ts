// GET /submissions/{id}?k=KEY — the receipt page: receipt number, title, status and the piece's timeline.

import { receiptPage, statusOf } from '../shared/intake/pages';
import { showPiece } from '../shared/intake/showPiece';
import { httpHandler } from '../shared/web/http';

export const handler = httpHandler(async (request) => {
  const { events, unitName } = await showPiece(request.query.k, request.path.id ?? '');
  const first = events[0]!;
  const latest = events.findLast((e) => e.title !== undefined) ?? first;
  return {
    status: 200,
    html: receiptPage(events, unitName),
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
