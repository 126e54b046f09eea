// POST /desk/pieces/{id} — an editor's decision from the desk (采用 with the suggested 期号, 退回修改,
// 不予采用 after its confirmation): the review's own decision, so it races an email link's safely (one wins).
import { decideView } from '../shared/desk/deskViews';
import { withDeskSession } from '../shared/desk/session';
import { httpHandler } from '../shared/web/http';

export const handler = httpHandler(
  withDeskSession((access, request) => decideView(access, request.path.id ?? '', request.fields, request.wantsJson)),
);
