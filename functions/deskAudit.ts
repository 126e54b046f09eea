// GET (and HEAD) /desk/audit?month=2026-11&person=… — the desk's 操作记录: who did what and when in a month,
// for editors and leaders alike; /desk/audit/download?…&format=xlsx|csv — the same rows as a file. Changes
// nothing.
import { auditDownload, auditView } from '../shared/desk/auditViews';
import { withDeskSession } from '../shared/desk/session';
import { httpHandler } from '../shared/web/http';

export const handler = httpHandler(
  withDeskSession((access, request) =>
    request.routeKey.endsWith('/audit/download')
      ? auditDownload(access, request.query)
      : auditView(access, request.query),
  ),
);
