// GET (and HEAD) /desk/{token}/bulletin?month=2026-11 — the 通报 tab: the month's 通报 as it stands, with its charts;
// /desk/{token}/bulletin/download?month=… — the same as a Word document (公文 layout). Changes nothing.
import { bulletinDownload, bulletinPreview } from '../shared/desk/bulletinViews';
import { httpHandler } from '../shared/web/http';

export const handler = httpHandler((request) =>
  request.routeKey.endsWith('/download')
    ? bulletinDownload(request.path.token ?? '', request.query)
    : bulletinPreview(request.path.token ?? '', request.query),
);
