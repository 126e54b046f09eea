// The desk's pages (信息科工作台): one frame with its tabs (待审, 稿件, 《组工专报》, 采用, 积分, 点题, 通报, 名单,
// 数据, 操作记录) on the site's page frame and stylesheet, tables that scroll sideways on a phone and use the width of
// a desk screen. A leader's pages are the same without a single form that acts.

import type { AdoptionRecord, PieceAdoption } from '../adoption/adoptions';
import { type AdoptionValues, adoptionForm, adoptionsTable, resultNotice } from '../adoption/pages';
import { formatShanghai, formatShanghaiDate } from '../core/clock';
import type { FieldError } from '../core/errors';
import { html, type SafeHtml } from '../core/html';
import { fileSlug } from '../documents/files';
import { markLabel, stopOn } from '../mail/deliveryEvents';
import { fileList, pieceBody } from '../pieces/body';
import { isRevision, latestRevision, type PieceEvent } from '../pieces/events';
import { KIND_LABELS, type PieceKind } from '../pieces/piece';
import { timeline } from '../pieces/timeline';
import type { Figures } from '../reports/figures';
import { STATUS_LABELS } from '../reports/pieceRows';
import { changesBlock } from '../review/changes';
import { type DecisionValues, decisionForm, outcome } from '../review/pages';
import type { Person, Roster } from '../roster/people';
import { page } from '../web/pages';
import type { DeskUser } from './access';
import type { YearIssues } from './issues';
import type { PieceList } from './pieceList';
import type { Waiting } from './queue';

export type DeskTab =
  | 'queue'
  | 'pieces'
  | 'issues'
  | 'adoptions'
  | 'scores'
  | 'topics'
  | 'tasks'
  | 'bulletin'
  | 'roster'
  | 'figures'
  | 'audit';

const TABS: [DeskTab, string, string][] = [
  ['queue', '待审', ''],
  ['pieces', '稿件', '/pieces'],
  ['issues', '《组工专报》', '/issues'],
  ['adoptions', '采用', '/adoptions'],
  ['scores', '积分', '/scores'],
  ['topics', '点题', '/topics'],
  ['tasks', '调研', '/tasks'],
  ['bulletin', '通报', '/bulletin'],
  ['roster', '名单', '/roster'],
  ['figures', '数据', '/figures'],
  ['audit', '操作记录', '/audit'],
];

const ROLE_LABELS = { informant: '信息员', editor: '编辑', leader: '领导' } as const;

/** The frame of every desk page: who is here, the tabs, and a notice or result above the content. */
export function deskPage(user: DeskUser, tab: DeskTab, title: string, content: SafeHtml): string {
  return page(
    title,
    html`<div class="who"><p>信息科工作台 · ${user.person.name}（${ROLE_LABELS[user.person.role]}${user.canAct ? '' : '，只能查看'}）</p>
<form class="inline" method="post" action="${user.base}/signout"><button type="submit" class="secondary">退出</button></form></div>
<nav class="tabs" aria-label="工作台">${TABS.map(
      ([id, label, path]) =>
        html`<a href="${user.base}${path}"${id === tab ? html` aria-current="page"` : ''}>${label}</a>`,
    )}</nav>
<h1>${title}</h1>${content}`,
    { home: user.base, wide: true },
  );
}

const piecePath = (user: DeskUser, pieceId: string) => `${user.base}/pieces/${encodeURIComponent(pieceId)}`;

export function queuePage(user: DeskUser, waiting: Waiting[]): string {
  return deskPage(
    user,
    'queue',
    '待审稿件',
    waiting.length === 0
      ? html`<p>目前没有等待审核的稿件。新稿件到达时，编辑会收到邮件。</p>`
      : html`<p>共 ${waiting.length} 篇等待审核，最早到达的在前。${user.canAct ? '点击标题打开稿件并处理。' : ''}</p>
<div class="scroll" tabindex="0" role="region" aria-label="待审稿件"><table class="grid"><thead><tr><th>回执号</th><th>标题</th><th>单位</th><th>信息员</th><th>类型</th><th>稿次</th><th class="n">已等待</th></tr></thead><tbody>
${waiting.map(
  (
    w,
  ) => html`<tr><td>${w.revision.receipt}</td><td class="title"><a href="${piecePath(user, w.revision.pieceId)}">${w.revision.title}</a></td>
<td>${w.unitName}</td><td>${w.informantName}</td><td>${KIND_LABELS[w.revision.kind]}</td><td>第 ${w.revision.revision} 稿</td><td class="n">${w.days} 天</td></tr>`,
)}</tbody></table></div>`,
  );
}

const option = (value: string, label: string, selected: string | undefined) =>
  html`<option value="${value}"${value === (selected ?? '') ? html` selected` : ''}>${label}</option>`;

export function piecesPage(user: DeskUser, list: PieceList, units: Record<string, string>): string {
  const f = list.filter;
  const unitOptions = Object.entries(units).sort(([, a], [, b]) => a.localeCompare(b, 'zh'));
  const pageLink = (n: number) => {
    const q = new URLSearchParams({
      month: f.month,
      ...(f.unitId ? { unit: f.unitId } : {}),
      ...(f.kind ? { kind: f.kind } : {}),
      ...(f.status ? { status: f.status } : {}),
      ...(f.q ? { q: f.q } : {}),
      page: String(n),
    });
    return `${user.base}/pieces?${q}`;
  };
  return deskPage(
    user,
    'pieces',
    `${f.month.replace('-', ' 年 ')} 月的稿件`,
    html`<form class="filters" method="get" action="${user.base}/pieces">
<div><label for="month">月份</label><input type="month" id="month" name="month" value="${f.month}"></div>
<div><label for="unit">单位</label><select id="unit" name="unit">${option('', '全部单位', f.unitId)}${unitOptions.map(([id, name]) => option(id, name, f.unitId))}</select></div>
<div><label for="kind">类型</label><select id="kind" name="kind">${option('', '全部类型', f.kind)}${Object.entries(KIND_LABELS).map(([k, v]) => option(k, v, f.kind))}</select></div>
<div><label for="status">状态</label><select id="status" name="status">${option('', '全部状态', f.status)}${Object.entries(STATUS_LABELS).map(([k, v]) => option(k, v, f.status))}</select></div>
<div><label for="q">标题含</label><input type="search" id="q" name="q" value="${f.q ?? ''}" maxlength="100"></div>
<div><button type="submit">查询</button></div></form>
<p>共 ${list.total} 篇${list.pages > 1 ? html`，第 ${f.page} / ${list.pages} 页` : ''}。按报送时间排列；一篇稿件计入它第一次报送的月份。</p>
${
  list.rows.length === 0
    ? html`<p class="muted">没有符合条件的稿件。</p>`
    : html`<div class="scroll" tabindex="0" role="region" aria-label="稿件列表"><table class="grid"><thead><tr><th>回执号</th><th>标题</th><th>单位</th><th>类型</th><th>报送时间</th><th>稿次</th><th>状态</th></tr></thead><tbody>
${list.rows.map(
  (
    r,
  ) => html`<tr><td>${r.receipt}</td><td class="title"><a href="${piecePath(user, r.pieceId)}">${r.title}</a></td><td>${r.unitName ?? units[r.unitId] ?? ''}</td>
<td>${KIND_LABELS[r.kind]}</td><td>${formatShanghai(r.submittedAt)}</td><td>第 ${r.revision} 稿</td><td>${STATUS_LABELS[r.status]}${r.issueNo ? `（第 ${r.issueNo} 期）` : ''}</td></tr>`,
)}</tbody></table></div>`
}
${
  list.pages > 1
    ? html`<p class="pager">${f.page > 1 ? html`<a href="${pageLink(f.page - 1)}">上一页</a>` : ''}${f.page < list.pages ? html`<a href="${pageLink(f.page + 1)}">下一页</a>` : ''}</p>`
    : ''
}`,
  );
}

export interface PiecePageInput {
  events: PieceEvent[];
  unitName: string;
  informantName: string;
  /** Undefined: the newest revision is decided (or the user only reads): no form. */
  form?: {
    values?: DecisionValues;
    errors?: FieldError[];
    notice?: string;
    nextIssueNo: number;
    latestIssueNo?: number;
  };
  /** Above everything: the decision just made here, or who decided first. */
  result?: { done: boolean; decision: PieceEvent };
  /** Above the piece: why an action on it did nothing (an adoption of a piece never accepted). */
  notice?: string;
  /** An accepted piece: its adoptions upstream, the county's points, and (editors) the form to record one. */
  adoption?: {
    adoptions: PieceAdoption[];
    countyPoints: number;
    values?: AdoptionValues;
    errors?: FieldError[];
    /** What 登记采用 or 撤销 just did, or why it did nothing. */
    result?: { added: boolean; record: AdoptionRecord };
    notice?: string;
    done?: string;
  };
}

/** One piece's full story on the desk: the newest draft, what changed, every step, and the decisions if it waits. */
export function deskPiecePage(user: DeskUser, input: PiecePageInput): string {
  const { events } = input;
  const first = events[0]!;
  const latest = latestRevision(events);
  const drafts = events.filter(isRevision);
  const before = drafts.at(-2);
  const form = input.form;
  const result = input.result;
  const hint = form
    ? form.latestIssueNo
      ? `已填入下一期：第 ${form.nextIssueNo} 期。编入正在编排的第 ${form.latestIssueNo} 期时，请改为 ${form.latestIssueNo}。`
      : `本年度还没有编入期号的稿件：已填入第 ${form.nextIssueNo} 期。`
    : undefined;
  return deskPage(
    user,
    'queue',
    latest.title ?? `稿件 ${first.receipt}`,
    html`${
      result
        ? result.done
          ? html`<div class="done" role="status"><p>已处理：${outcome(result.decision)}。信息员会收到邮件通知。</p><p class="links"><a href="${user.base}">返回待审稿件</a></p></div>`
          : html`<div class="errors" role="alert"><p>这篇稿件第 ${result.decision.revision} 稿已由 ${result.decision.editorName ?? '编辑'} 于 ${formatShanghai(result.decision.at)} 处理：${outcome(result.decision)}。您的处理没有记录。</p><p class="links"><a href="${user.base}">返回待审稿件</a></p></div>`
        : ''
    }
${form?.notice ? html`<div class="errors" role="alert"><p>${form.notice}</p></div>` : ''}
${input.notice ? html`<div class="errors" role="alert"><p>${input.notice}</p></div>` : ''}
<table>
<tr><th>回执号</th><td>${first.receipt}</td></tr>
<tr><th>单位</th><td>${input.unitName}</td></tr>
<tr><th>信息员</th><td>${input.informantName}</td></tr>
<tr><th>类型</th><td>${KIND_LABELS[first.kind]}</td></tr>
${latest.signer ? html`<tr><th>签发领导</th><td>${latest.signer}</td></tr>` : ''}
<tr><th>稿次</th><td>第 ${latest.revision} 稿</td></tr>
</table>
${before && latest.revision > 1 ? html`<h2>修改之处</h2>${changesBlock(before, latest, { inline: false })}` : ''}
<h2>正文</h2>${pieceBody(latest)}
${
  latest.files?.length
    ? html`<h2>原件和附件</h2>${fileList(latest.files, user.canAct ? (f) => `${user.base}/pieces/${first.pieceId}/files/${fileSlug(latest.revision, f.n)}` : undefined)}`
    : ''
}
<h2>经过</h2>${timeline(events)}
${input.adoption ? adoptionSection(user, first.pieceId, input.adoption) : ''}
${
  form
    ? decisionForm({
        action: `${piecePath(user, first.pieceId)}`,
        values: form.values ?? { issue: String(form.nextIssueNo) },
        ...(form.errors ? { errors: form.errors } : {}),
        hidden: { revision: String(latest.revision) },
        ...(hint ? { issueHint: hint } : {}),
      })
    : ''
}`,
  );
}

function adoptionSection(user: DeskUser, pieceId: string, a: NonNullable<PiecePageInput['adoption']>) {
  const withdraw = user.canAct
    ? (x: PieceAdoption) => `${piecePath(user, pieceId)}/adoptions/${x.record.adoptionId}/withdraw`
    : undefined;
  return html`<h2 id="adoption">采用与积分</h2>
${a.result ? resultNotice(a.result) : ''}${a.done ? html`<div class="done" role="status"><p>${a.done}</p></div>` : ''}
${a.notice ? html`<div class="errors" role="alert"><p>${a.notice}</p></div>` : ''}
<p>《组工专报》采用：${a.countyPoints} 分。上级采用 ${a.adoptions.filter((x) => !x.withdrawal).length} 次，共 ${Math.round(a.adoptions.reduce((n, x) => n + (x.withdrawal ? 0 : x.now.points), 0) * 100) / 100} 分。</p>
${adoptionsTable(a.adoptions, withdraw)}
${
  user.canAct
    ? html`<h3>登记上级采用</h3>${adoptionForm({
        action: `${piecePath(user, pieceId)}/adoptions`,
        ...(a.result?.added ? {} : { values: a.values ?? {} }),
        ...(a.errors ? { errors: a.errors } : {}),
      })}`
    : ''
}`;
}

export function issuesPage(user: DeskUser, issues: YearIssues): string {
  const row = (p: YearIssues['unnumbered'][number]) =>
    html`<tr><td>${p.receipt}</td><td class="title"><a href="${piecePath(user, p.pieceId)}">${p.title}</a></td><td>${p.unitName}</td><td>${KIND_LABELS[p.kind]}</td><td>${formatShanghaiDate(p.acceptedAt)}</td><td>${p.editorName}</td></tr>`;
  const head = html`<thead><tr><th>回执号</th><th>标题</th><th>单位</th><th>类型</th><th>采用日期</th><th>编辑</th></tr></thead>`;
  const count = issues.issues.reduce((n, i) => n + i.pieces.length, 0) + issues.unnumbered.length;
  return deskPage(
    user,
    'issues',
    `${issues.year} 年《组工专报》`,
    html`<p>本年度已编 ${issues.issues.length} 期，采用稿件 ${count} 篇。下一期为第 ${issues.nextIssueNo} 期。</p>
<p class="links">${[issues.year - 1, issues.year + 1].map((y) => html`<a href="${user.base}/issues?year=${y}">${y} 年</a>`)}</p>
${issues.issues.map(
  (i) =>
    html`<h2>第 ${i.issueNo} 期（${i.pieces.length} 篇）</h2><div class="scroll" tabindex="0" role="region" aria-label="第 ${i.issueNo} 期稿件"><table class="grid">${head}<tbody>${i.pieces.map(row)}</tbody></table></div>`,
)}
${issues.unnumbered.length ? html`<h2>已采用、未填期号（${issues.unnumbered.length} 篇）</h2><div class="scroll" tabindex="0" role="region" aria-label="已采用、未填期号的稿件"><table class="grid">${head}<tbody>${issues.unnumbered.map(row)}</tbody></table></div>` : ''}
${issues.issues.length === 0 && issues.unnumbered.length === 0 ? html`<p class="muted">本年度还没有采用的稿件。</p>` : ''}`,
  );
}

/**
 * A decision that could not be made or shown (the store down before the link could even be checked): what was typed,
 * kept, and the same button again. It shows only what the editor sent, nothing of the piece.
 */
export function keptDecisionPage(action: string, notice: string, values: Record<string, string>): string {
  const label = { accept: '采用', return: '退回修改', reject: '不予采用' }[values.decision ?? ''] ?? '提交';
  const { comment = '', ...hidden } = values;
  return page(
    '暂时无法处理',
    html`<h1>暂时无法处理</h1><div class="errors" role="alert"><p>${notice}</p></div>
<form method="post" action="${action}">
${Object.entries(hidden)
  .filter(([, v]) => v !== '')
  .map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`)}
<label for="comment">意见</label><textarea id="comment" name="comment">${comment}</textarea>
<button type="submit">再次提交：${label}</button></form>`,
  );
}

export interface RosterPageInput {
  /** Undefined: the roster could not be read after an action that was done (the result still says so). */
  roster?: Roster;
  /** What an upload or a button just did, or why it did nothing. */
  result?: { ok: true; message: string } | { ok: false; message: string; errors?: string[] };
}

export const UPLOAD_LIMIT_LABEL = '1 MB';

export function rosterPage(user: DeskUser, input: RosterPageInput): string {
  const { units, people } = input.roster ?? { units: [], people: [] };
  const unitName = new Map(units.map((u) => [u.unitId, u.name]));
  const sorted = [...people].sort(
    (a, b) =>
      (unitName.get(a.unitId ?? '') ?? '').localeCompare(unitName.get(b.unitId ?? '') ?? '', 'zh') ||
      a.name.localeCompare(b.name, 'zh'),
  );
  const actions = (p: Person) =>
    user.canAct
      ? html`<form class="inline" method="post" action="${user.base}/roster/people/${p.personId}"><input type="hidden" name="action" value="revoke"><input type="hidden" name="v" value="${p.keyVersion}"><button type="submit" class="secondary">作废链接</button></form>
<form class="inline" method="post" action="${user.base}/roster/people/${p.personId}"><input type="hidden" name="action" value="${p.inactive ? 'activate' : 'deactivate'}"><button type="submit" class="secondary">${p.inactive ? '启用' : '停用'}</button></form>${
          stopOn(p.mailStop, p.email)
            ? html`
<form class="inline" method="post" action="${user.base}/roster/people/${p.personId}"><input type="hidden" name="action" value="resume"><button type="submit" class="secondary">恢复发送</button></form>`
            : ''
        }`
      : '';
  // What SES reported of the address: 退信 or 投诉 stops its email; a transient bounce is only noted.
  const mailMark = (p: Person) => {
    const stop = stopOn(p.mailStop, p.email);
    if (stop) return html`<br><span class="flag">已停发邮件</span><br><span class="flag">${markLabel(stop)}</span>`;
    const note = p.mailNote?.address === p.email ? p.mailNote : undefined;
    return note ? html`<br><span class="muted">${markLabel(note)}（邮件照常发送）</span>` : '';
  };
  const stopped = people.filter((p) => stopOn(p.mailStop, p.email)).length;
  const result = input.result;
  return deskPage(
    user,
    'roster',
    '名单',
    html`${
      result
        ? result.ok
          ? html`<div class="done" role="status"><p>${result.message}</p></div>`
          : html`<div class="errors" role="alert"><p>${result.message}</p>${(result.errors ?? []).map((e) => html`<p>${e}</p>`)}</div>`
        : ''
    }
${
  input.roster
    ? html`<p>${units.length} 个单位，${people.length} 人（停用 ${people.filter((p) => p.inactive).length} 人${stopped ? `，邮箱退信或投诉 ${stopped} 人` : ''}）。</p>`
    : html`<p>名单暂时无法显示。<a href="${user.base}/roster">刷新名单</a></p>`
}
${
  user.canAct
    ? html`<h2>上传名单</h2>
<form method="post" action="${user.base}/roster" enctype="multipart/form-data">
<label for="file">名单文件（Excel 的 .xlsx，或 CSV：UTF-8 或 Excel 另存的 GBK 均可；不超过 ${UPLOAD_LIMIT_LABEL}）</label>
<input type="file" id="file" name="file" accept=".xlsx,.csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,text/csv" required>
<p class="hint">表头：单位、单位类型、姓名、邮箱、手机、角色（信息员 / 编辑 / 领导）。有错误的行会逐行列出，整份名单不会导入；改好后重新上传即可。新信息员会收到报送链接，新编辑和领导会收到工作台登录链接。</p>
<button type="submit">上传并导入</button></form>`
    : ''
}
<h2>人员</h2>
<div class="scroll" tabindex="0" role="region" aria-label="人员名单"><table class="grid"><thead><tr><th>单位</th><th>姓名</th><th>角色</th><th>邮箱</th><th>手机</th><th>状态</th>${user.canAct ? html`<th>操作</th>` : ''}</tr></thead><tbody>
${sorted.map(
  (
    p,
  ) => html`<tr><td>${unitName.get(p.unitId ?? '') ?? ''}</td><td>${p.name}</td><td>${ROLE_LABELS[p.role]}</td><td>${p.email}</td><td>${p.phone ?? ''}</td>
<td>${p.inactive ? '已停用' : '在用'}${mailMark(p)}</td>${user.canAct ? html`<td>${actions(p)}</td>` : ''}</tr>`,
)}</tbody></table></div>
<p class="hint">作废链接：此人的全部旧链接立即失效，并把新链接发到其邮箱（手机丢失、邮件误转发时使用）。停用：调离或不再担任的人员，链接失效、不再收到邮件，已报送的稿件和积分保留；可随时启用恢复。</p>
<p class="hint">退信、投诉：邮件系统报告此邮箱不存在、被拒收、在禁止发送名单中，或收件人投诉，系统已停止向该邮箱发送，应发的邮件记为发送失败。邮箱有误的，在名单文件中改正后重新上传，新邮箱照常发送，原邮箱的人员可停用；邮箱确实无误的，可点“恢复发送”。暂时退信（如邮箱已满）只作提示，邮件照常发送。</p>`,
  );
}

const KINDS: PieceKind[] = ['info', 'research'];

export function figuresPage(user: DeskUser, figures: Figures): string {
  const { month } = figures;
  const cells = (c: Figures['total']['month']) =>
    html`<td class="n">${c.sent}</td>${KINDS.map((k) => html`<td class="n">${c.sentByKind[k]}</td>`)}<td class="n">${c.accepted}</td>${KINDS.map((k) => html`<td class="n">${c.acceptedByKind[k]}</td>`)}<td class="n">${c.adopted}</td><td class="n">${c.points}</td>`;
  const groupHead = html`<th class="n">报送</th><th class="n">信息</th><th class="n">调研</th><th class="n">采用</th><th class="n">信息</th><th class="n">调研</th><th class="n">上级采用</th><th class="n">积分</th>`;
  const download = (format: string, label: string) =>
    html`<a href="${user.base}/figures/download?month=${month}&format=${format}">${label}</a>`;
  return deskPage(
    user,
    'figures',
    `${month.replace('-', ' 年 ')} 月数据`,
    html`<form class="filters" method="get" action="${user.base}/figures">
<div><label for="month">月份</label><input type="month" id="month" name="month" value="${month}"></div><div><button type="submit">查看</button></div></form>
<p class="links">下载：${download('xlsx', 'Excel 表格（.xlsx）')}${download('csv', 'CSV')}</p>
<p>本月报送 ${figures.total.month.sent} 篇、采用 ${figures.total.month.accepted} 篇、上级采用 ${figures.total.month.adopted} 次、积分 ${figures.total.month.points}；本年累计报送 ${figures.total.year.sent} 篇、采用 ${figures.total.year.accepted} 篇、上级采用 ${figures.total.year.adopted} 次、积分 ${figures.total.year.points}。</p>
<div class="scroll" tabindex="0" role="region" aria-label="各单位数据"><table class="grid"><thead><tr><th rowspan="2">单位</th><th colspan="8">本月</th><th colspan="8">本年累计</th></tr><tr>${groupHead}${groupHead}</tr></thead><tbody>
${figures.units.map((u) => html`<tr><td>${u.name}</td>${cells(u.month)}${cells(u.year)}</tr>`)}
<tr><th>合计</th>${cells(figures.total.month)}${cells(figures.total.year)}</tr></tbody></table></div>
<h2>本月未报送的单位（${figures.silent.length} 个）</h2>
${figures.silent.length ? html`<p>${figures.silent.join('、')}</p>` : html`<p class="muted">每个单位本月都有报送。</p>`}
<p class="hint">采用：本月由信息科采用的稿件（按采用日期计）；报送：本月第一次报送的稿件（修改稿不重复计算）；上级采用：本月登记的地区、自治区、中央采用；积分：本月登记的全部采用（含《组工专报》）的积分，排名见“积分”页。</p>`,
  );
}
