// POST /desk/pieces/{id}/adoptions — 登记采用 on the desk's piece page (the email link's own rules: the same
// adoption again is the record already there); POST …/adoptions/{adoptionId}/withdraw — 撤销 with its reason.
import { recordOnDeskView, withdrawOnDeskView } from '../shared/desk/adoptionViews';
import { withDeskSession } from '../shared/desk/session';
import { httpHandler } from '../shared/web/http';

export const handler = httpHandler(
  withDeskSession((access, request) => {
    const pieceId = request.path.id ?? '';
    return request.routeKey.endsWith('/withdraw')
      ? withdrawOnDeskView(access, pieceId, request.path.adoptionId ?? '', request.fields, request.wantsJson)
      : recordOnDeskView(access, pieceId, request.fields, request.wantsJson);
  }),
);
