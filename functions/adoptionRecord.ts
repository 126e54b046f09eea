// POST /adoption/{token} — record one adoption (采用) of the link's piece: level, outlet, issue, date, 批示. The same
// adoption again is answered with the record already there; the informant gets an email with the points.
import { recordFromLinkView } from '../shared/adoption/adoptionLink';
import { httpHandler } from '../shared/web/http';

export const handler = httpHandler((request) =>
  recordFromLinkView(request.path.token ?? '', request.fields, request.wantsJson),
);
