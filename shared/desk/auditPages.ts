// The desk's 操作记录 page and its download: a month's actions by editors, leaders and the operator, filtered by
// person, newest first — on the page (the newest PAGE_MAX rows; the download holds all) and as an .xlsx or CSV with
// the same columns. Every value is escaped on the page and a text cell in the file.
import { formatShanghai } from '../core/clock';
import { html } from '../core/html';
import { type Sheet, sheetFile } from '../sheets/write';
import type { DownloadFile } from '../web/http';
import type { DeskUser } from './access';
import type { AuditLog, AuditRow } from './auditLog';
import { deskPage } from './pages';

/** Rows on the page at most: a month's actions are hundreds at most; the download has them all. */
export const PAGE_MAX = 500;

const COLUMNS: Sheet['columns'] = [
  { header: '时间', width: 18 },
  { header: '人员', width: 22 },
  { header: '操作', width: 18 },
  { header: '对象', width: 44 },
  { header: '详情', width: 60 },
];

const cells = (r: AuditRow): string[] => [formatShanghai(r.at), r.person, r.action, r.object, r.details];

const query = (log: AuditLog, extra: Record<string, string> = {}) =>
  new URLSearchParams({
    month: log.filter.month,
    ...(log.filter.person ? { person: log.filter.person } : {}),
    ...extra,
  }).toString();

const option = (value: string, label: string, selected: string | undefined) =>
  html`<option value="${value}"${value === (selected ?? '') ? html` selected` : ''}>${label}</option>`;

export function auditPage(user: DeskUser, log: AuditLog): string {
  const { month, person } = log.filter;
  const who = log.people.find((p) => p.value === person)?.label;
  const shown = log.rows.slice(0, PAGE_MAX);
  const download = (format: string, label: string) =>
    html`<a href="${user.base}/audit/download?${query(log, { format })}">${label}</a>`;
  return deskPage(
    user,
    'audit',
    `${month.replace('-', ' 年 ')} 月操作记录`,
    html`<form class="filters" method="get" action="${user.base}/audit">
<div><label for="month">月份</label><input type="month" id="month" name="month" value="${month}"></div>
<div><label for="person">人员</label><select id="person" name="person">${option('', '全部人员', person)}${log.people.map((p) => option(p.value, p.label, person))}</select></div>
<div><button type="submit">查询</button></div></form>
<p class="links">下载：${download('xlsx', 'Excel 表格（.xlsx）')}${download('csv', 'CSV')}</p>
<p>${who ? `${who}：` : ''}共 ${log.rows.length} 条，最新的在前${log.rows.length > PAGE_MAX ? `；页面显示最新 ${PAGE_MAX} 条，全部记录请下载` : ''}。</p>
${
  shown.length === 0
    ? html`<p class="muted">这个月没有符合条件的操作记录。</p>`
    : html`<div class="scroll" tabindex="0" role="region" aria-label="操作记录"><table class="grid"><thead><tr><th>时间</th><th>人员</th><th>操作</th><th>对象</th><th>详情</th></tr></thead><tbody>
${shown.map((r) => html`<tr>${cells(r).map((c, i) => (i === 3 ? html`<td class="title">${c}</td>` : html`<td>${c}</td>`))}</tr>`)}</tbody></table></div>`
}
<p class="hint">记录编辑、领导和管理员的操作：审核决定，上级采用的登记和撤销，点题、重点调研任务的发布和结束，积分规则和重新计分，信息奖和通报的发送，作废链接。信息员的报送不在此列；定时任务自动发送的通报不列入。</p>`,
  );
}

/** The same rows as a sheet (all of them), for the download. */
export function auditSheet(log: AuditLog): Sheet {
  return { name: `${log.filter.month} 操作记录`, columns: COLUMNS, rows: log.rows.map(cells) };
}

/** The file to download: `操作记录-2026-11.xlsx` (or `.csv`). */
export function auditFile(log: AuditLog, format: 'xlsx' | 'csv'): Promise<DownloadFile> {
  return sheetFile(auditSheet(log), `操作记录-${log.filter.month}`, format);
}
