// What the desk's 操作记录 routes answer, for editors and leaders alike (it only reads): the page of a month's
// actions, and the same rows as a workbook or a CSV. The desk user first (a forged, revoked or 停用 link is 403 before
// anything else is read), then the month's records with the roster (the person filter's choices).
import { ValidationError } from '../core/errors';
import type { HttpResponse } from '../web/http';
import { deskUser } from './access';
import { auditFilterOf, auditLog } from './auditLog';
import { auditFile, auditPage } from './auditPages';
import type { DeskAccess } from './session';

type Query = Record<string, string | undefined>;

export async function auditView(access: DeskAccess, query: Query): Promise<HttpResponse> {
  const user = await deskUser(access);
  const log = await auditLog(auditFilterOf(query));
  return {
    status: 200,
    html: auditPage(user, log),
    json: {
      month: log.filter.month,
      ...(log.filter.person ? { person: log.filter.person } : {}),
      total: log.rows.length,
      rows: log.rows.map(({ who: _who, ...row }) => row),
    },
  };
}

/** The download: `format=xlsx` (the default) or `csv`; anything else is a clear 400. */
export async function auditDownload(access: DeskAccess, query: Query): Promise<HttpResponse> {
  await deskUser(access);
  const format = query.format ?? 'xlsx';
  if (format !== 'xlsx' && format !== 'csv') {
    throw new ValidationError([{ field: 'format', message: '下载格式只能是 xlsx 或 csv。' }]);
  }
  const log = await auditLog(auditFilterOf(query));
  return { status: 200, file: await auditFile(log, format) };
}
