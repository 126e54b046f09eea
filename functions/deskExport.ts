// GET (and HEAD) /desk/{token}/figures/download?month=2026-11&format=xlsx|csv — the desk's 数据 as a workbook
// (Chinese headers, column widths, the header row frozen) or a CSV (UTF-8 with BOM). Changes nothing.
import { figuresDownload } from '../shared/desk/deskViews';
import { httpHandler } from '../shared/web/http';

export const handler = httpHandler((request) => figuresDownload(request.path.token ?? '', request.query));
