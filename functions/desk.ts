// GET (and HEAD) /desk[/pieces[/{id}]|/issues|/roster|/figures] — the desk's pages (信息科工作台) for an
// editor or a leader (数据's download is functions/deskExport.ts; 采用 and 积分 are functions/deskRecords.ts).
// Opening any of them changes nothing.
import { figuresView, issuesView, piecesView, pieceView, queueView, rosterView } from '../shared/desk/deskViews';
import { withDeskSession } from '../shared/desk/session';
import { type HttpResponse, httpHandler } from '../shared/web/http';

export const handler = httpHandler(
  withDeskSession(async (access, request): Promise<HttpResponse> => {
    const page = request.routeKey.replace(/^\S+ \/desk/, '');
    if (page === '/pieces/{id}') return pieceView(access, request.path.id ?? '');
    if (page === '/pieces') return piecesView(access, request.query);
    if (page === '/issues') return issuesView(access, request.query);
    if (page === '/roster') return rosterView(access);
    if (page === '/figures') return figuresView(access, request.query);
    return queueView(access);
  }),
);
