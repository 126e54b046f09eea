// POST /desk/{token}/pieces/{id} — an editor's decision from the desk (采用 with the suggested 期号, 退回修改,
// 不予采用 after its confirmation): the review's own decision, so it races an email link's safely (one wins).
import { decideView } from '../shared/desk/deskViews';
import { httpHandler } from '../shared/web/http';

export const handler = httpHandler((request) =>
  decideView(request.path.token ?? '', request.path.id ?? '', request.fields, request.wantsJson),
);
