// GET (and HEAD) /desk/adoptions — 采用: the year's adoptions upstream; /desk/scores — 积分: the
// ranking, the 信息奖 and the rules in force. A function of their own, so the desk's everyday pages do not carry the
// ranking's code. Opening them changes nothing.
import { adoptionsView } from '../shared/desk/adoptionViews';
import { scoresView } from '../shared/desk/scoresViews';
import { withDeskSession } from '../shared/desk/session';
import { httpHandler } from '../shared/web/http';

export const handler = httpHandler(
  withDeskSession((access, request) =>
    request.routeKey.endsWith('/scores') ? scoresView(access, request.query) : adoptionsView(access, request.query),
  ),
);
