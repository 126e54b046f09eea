// GET (and HEAD) /desk/{token}[/pieces[/{id}]|/issues|/roster|/figures] — the desk's pages (信息科工作台) for an
// editor or a leader (数据's download is functions/deskExport.ts; 采用 and 积分 are functions/deskRecords.ts).
// Opening any of them changes nothing.
import { figuresView, issuesView, piecesView, pieceView, queueView, rosterView } from '../shared/desk/deskViews';
import { type HttpResponse, httpHandler } from '../shared/web/http';

export const handler = httpHandler(async (request): Promise<HttpResponse> => {
  const token = request.path.token ?? '';
  const page = request.routeKey.replace(/^\S+ \/desk\/\{token\}/, '');
  if (page === '/pieces/{id}') return pieceView(token, request.path.id ?? '');
  if (page === '/pieces') return piecesView(token, request.query);
  if (page === '/issues') return issuesView(token, request.query);
  if (page === '/roster') return rosterView(token);
  if (page === '/figures') return figuresView(token, request.query);
  return queueView(token);
});
