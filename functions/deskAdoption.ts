// POST /desk/{token}/pieces/{id}/adoptions — 登记采用 on the desk's piece page (the email link's own rules: the same
// adoption again is the record already there); POST …/adoptions/{adoptionId}/withdraw — 撤销 with its reason.
import { recordOnDeskView, withdrawOnDeskView } from '../shared/desk/adoptionViews';
import { httpHandler } from '../shared/web/http';

export const handler = httpHandler((request) => {
  const token = request.path.token ?? '';
  const pieceId = request.path.id ?? '';
  return request.routeKey.endsWith('/withdraw')
    ? withdrawOnDeskView(token, pieceId, request.path.adoptionId ?? '', request.fields, request.wantsJson)
    : recordOnDeskView(token, pieceId, request.fields, request.wantsJson);
});
