// Use case: the desk's 稿件 — the pieces of one month (first sent in it; default this month), filtered by unit, kind
// and status, searched by title, 50 to a page. Month-keyed Queries of the report index only (the month and the
// months after it, for what became of its pieces); titles by BatchGet, only for the rows shown — or, when searching,
// for the month's rows (a month holds tens of pieces, hundreds at most).
import { isMonth, monthOf, now } from '../core/clock';
import { type FieldError, ValidationError } from '../core/errors';
import { normalized } from '../core/text';
import type { PieceKind } from '../pieces/piece';
import {
  eventsSince,
  foldPieces,
  type PieceRow,
  type PieceStatus,
  STATUS_LABELS,
  withTitles,
} from '../reports/pieceRows';

export const PAGE_SIZE = 50;

export interface PieceFilter {
  month: string;
  unitId?: string;
  kind?: PieceKind;
  status?: PieceStatus;
  /** Part of a title. */
  q?: string;
  page: number;
}

export interface PieceList {
  filter: PieceFilter;
  rows: PieceRow[];
  /** Rows matching the filter, over all pages. */
  total: number;
  pages: number;
}

/** The month a desk page asks for (`month=`, default this month), and what is wrong with it: not a month, or after this one. */
export function askedMonth(raw: string | undefined): { month: string; error?: FieldError } {
  const month = (raw ?? '').trim() || monthOf(now());
  if (isMonth(month) && month >= '2000-01' && month <= monthOf(now())) return { month };
  return { month, error: { field: 'month', message: '月份格式应为 2026-11，且不能晚于本月。' } };
}

/** The filter from a query string; a wrong value is a clear message (400), not an empty list. */
export function filterOf(query: Record<string, string | undefined>): PieceFilter {
  const { month, error } = askedMonth(query.month);
  const errors: FieldError[] = error ? [error] : [];
  const kind = query.kind || undefined;
  if (kind !== undefined && kind !== 'info' && kind !== 'research') {
    errors.push({ field: 'kind', message: '类型只能是信息或调研文稿。' });
  }
  const status = query.status || undefined;
  if (status !== undefined && !(status in STATUS_LABELS)) errors.push({ field: 'status', message: '状态无法识别。' });
  const page = query.page ? Number(query.page) : 1;
  if (!Number.isInteger(page) || page < 1 || page > 10_000) errors.push({ field: 'page', message: '页码不正确。' });
  const q = normalized(query.q ?? '')
    .trim()
    .slice(0, 100);
  if (errors.length) throw new ValidationError(errors);
  return {
    month,
    page,
    ...(query.unit ? { unitId: query.unit } : {}),
    ...(kind ? { kind: kind as PieceKind } : {}),
    ...(status ? { status: status as PieceStatus } : {}),
    ...(q ? { q } : {}),
  };
}

export async function listPieces(filter: PieceFilter): Promise<PieceList> {
  const events = await eventsSince(filter.month);
  let rows = foldPieces(events, (first) => monthOf(new Date(first.at)) === filter.month).filter(
    (r) =>
      (!filter.unitId || r.unitId === filter.unitId) &&
      (!filter.kind || r.kind === filter.kind) &&
      (!filter.status || r.status === filter.status),
  );
  if (filter.q) {
    const q = filter.q.toLowerCase();
    rows = (await withTitles(rows)).filter((r) => (r.title ?? '').toLowerCase().includes(q));
  }
  const total = rows.length;
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
  const shown = rows.slice((filter.page - 1) * PAGE_SIZE, filter.page * PAGE_SIZE);
  return { filter, rows: filter.q ? shown : await withTitles(shown), total, pages };
}
