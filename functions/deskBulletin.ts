// GET (and HEAD) /desk/{token}/bulletin?month=2026-11 — the 通报 tab: the month's 通报 as it stands, with its charts
// and how far its sending has gone; /desk/{token}/bulletin/download?month=… — the same as a Word document (公文
// layout); POST /desk/{token}/bulletin/send — an editor sends a closed month's 通报 (queued for the sweeper, once).
import { bulletinDownload, bulletinPreview, bulletinSend } from '../shared/desk/bulletinViews';
import { httpHandler } from '../shared/web/http';

export const handler = httpHandler((request) => {
  const token = request.path.token ?? '';
  if (request.method === 'POST') return bulletinSend(token, request.fields);
  return request.routeKey.endsWith('/download')
    ? bulletinDownload(token, request.query)
    : bulletinPreview(token, request.query);
});
