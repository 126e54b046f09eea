// GET (and HEAD) /desk/{token}/audit?month=2026-11&person=… — the desk's 操作记录: who did what and when in a month,
// for editors and leaders alike; /desk/{token}/audit/download?…&format=xlsx|csv — the same rows as a file. Changes
// nothing.
import { auditDownload, auditView } from '../shared/desk/auditViews';
import { httpHandler } from '../shared/web/http';

export const handler = httpHandler((request) =>
  request.routeKey.endsWith('/audit/download')
    ? auditDownload(request.path.token ?? '', request.query)
    : auditView(request.path.token ?? '', request.query),
);
