// GET (and HEAD) /desk/{token}/figures/download?month=2026-11&format=xlsx|csv — the desk's 数据 as a workbook
// (Chinese headers, column widths, the header row frozen) or a CSV (UTF-8 with BOM); /desk/{token}/scores/download
// ?year=2026[&month=2026-10]&by=unit|informant|piece&format=… — the ranking the same way. Changes nothing.
import { figuresDownload } from '../shared/desk/deskViews';
import { scoresDownload } from '../shared/desk/scoresViews';
import { httpHandler } from '../shared/web/http';

export const handler = httpHandler((request) =>
  request.routeKey.endsWith('/scores/download')
    ? scoresDownload(request.path.token ?? '', request.query)
    : figuresDownload(request.path.token ?? '', request.query),
);
