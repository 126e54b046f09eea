// GET (and HEAD) /desk/bulletin?month=2026-11 — the 通报 tab: the month's 通报 as it stands, with its charts
// and how far its sending has gone; /desk/bulletin/download?month=… — the same as a Word document (公文
// layout); POST /desk/bulletin/send — an editor sends a closed month's 通报 (queued for the sweeper, once).
import { bulletinDownload, bulletinPreview, bulletinSend } from '../shared/desk/bulletinViews';
import { withDeskSession } from '../shared/desk/session';
import { httpHandler } from '../shared/web/http';

export const handler = httpHandler(
  withDeskSession((access, request) => {
    if (request.method === 'POST') return bulletinSend(access, request.fields);
    return request.routeKey.endsWith('/download')
      ? bulletinDownload(access, request.query)
      : bulletinPreview(access, request.query);
  }),
);
