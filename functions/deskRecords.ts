// GET (and HEAD) /desk/{token}/adoptions — 采用: the year's adoptions upstream; /desk/{token}/scores — 积分: the
// ranking, the 信息奖 and the rules in force. A function of their own, so the desk's everyday pages do not carry the
// ranking's code. Opening them changes nothing.
import { adoptionsView } from '../shared/desk/adoptionViews';
import { scoresView } from '../shared/desk/scoresViews';
import { httpHandler } from '../shared/web/http';

export const handler = httpHandler((request) =>
  request.routeKey.endsWith('/scores')
    ? scoresView(request.path.token ?? '', request.query)
    : adoptionsView(request.path.token ?? '', request.query),
);
