// GET (and HEAD) /desk/figures/download?month=2026-11&format=xlsx|csv — the desk's 数据 as a workbook
// (Chinese headers, column widths, the header row frozen) or a CSV (UTF-8 with BOM); /desk/scores/download
// ?year=2026[&month=2026-10]&by=unit|informant|piece&format=… — the ranking the same way. Changes nothing.
import { figuresDownload } from '../shared/desk/deskViews';
import { scoresDownload } from '../shared/desk/scoresViews';
import { withDeskSession } from '../shared/desk/session';
import { httpHandler } from '../shared/web/http';

export const handler = httpHandler(
  withDeskSession((access, request) =>
    request.routeKey.endsWith('/scores/download')
      ? scoresDownload(access, request.query)
      : figuresDownload(access, request.query),
  ),
);
