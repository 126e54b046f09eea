// POST /desk/roster/people/{personId} — 作废链接, 停用 or 启用 one person (the `action` field; `v`, the key
// version the page showed, makes 作废链接 pressed twice revoke once).
import { personActionView } from '../shared/desk/deskViews';
import { withDeskSession } from '../shared/desk/session';
import { httpHandler } from '../shared/web/http';

export const handler = httpHandler(
  withDeskSession((access, request) => personActionView(access, request.path.personId ?? '', request.fields)),
);
