// The adoption's pages: the form to record one (登记采用) and a piece's adoptions with their points — on the page the
// editor's email link opens and on the desk's piece page alike — and what recording answered. Opening a page
// records nothing: only the form's button does (POST).
import { dayOf, formatShanghai, now } from '../core/clock';
import type { FieldError } from '../core/errors';
import { html, type SafeHtml } from '../core/html';
import { KIND_LABELS } from '../pieces/piece';
import { INSTRUCTION_LABELS, INSTRUCTIONS, LEVEL_LABELS, UPPER_LEVELS } from '../scoring/rules';
import { page } from '../web/pages';
import { LIMITS } from './adoptionInput';
import type { AdoptionRecord, PieceAdoption } from './adoptions';
import { REASON_MAX } from './withdrawAdoption';

export interface AdoptionValues {
  level?: string;
  outlet?: string;
  issue?: string;
  date?: string;
  instruction?: string;
}

/** What a form post typed, to show again. */
export function adoptionValuesOf(fields: Record<string, unknown>): AdoptionValues {
  const v = (name: string) => (typeof fields[name] === 'string' ? (fields[name] as string) : undefined);
  return {
    ...(v('level') !== undefined ? { level: v('level') } : {}),
    ...(v('outlet') !== undefined ? { outlet: v('outlet') } : {}),
    ...(v('issue') !== undefined ? { issue: v('issue') } : {}),
    ...(v('date') !== undefined ? { date: v('date') } : {}),
    ...(v('instruction') !== undefined ? { instruction: v('instruction') } : {}),
  };
}

/** 地区 / 自治区 / 中央 and the 批示 as a select; `《…》` outlet, issue, date (today at most) as inputs. */
export function adoptionForm(input: {
  action: string;
  values?: AdoptionValues;
  errors?: FieldError[];
  outlets?: string[];
}) {
  const { values = {}, errors = [] } = input;
  const errorOf = (field: string) =>
    errors.filter((e) => e.field === field).map((e) => html`<p class="error" id="${field}-error">${e.message}</p>`);
  const invalid = (field: string) =>
    errors.some((e) => e.field === field) ? html` aria-invalid="true" aria-describedby="${field}-error"` : '';
  const option = (value: string, label: string, selected: string | undefined) =>
    html`<option value="${value}"${value === (selected ?? '') ? html` selected` : ''}>${label}</option>`;
  const today = dayOf(now());
  return html`<form method="post" action="${input.action}">
${errors.length ? html`<div class="errors" role="alert"><p>请修改下面标出的内容后再提交。</p></div>` : ''}
<label for="level">采用级别</label>
<select id="level" name="level" required${invalid('level')}>${option('', '请选择', values.level)}${UPPER_LEVELS.map((l) => option(l, LEVEL_LABELS[l], values.level))}</select>${errorOf('level')}
<label for="outlet">刊物</label>
<input id="outlet" name="outlet" maxlength="${LIMITS.outletMax}" required value="${values.outlet ?? ''}" placeholder="例如《新疆组工信息》"${input.outlets?.length ? html` list="outlets"` : ''}${invalid('outlet')}>${errorOf('outlet')}
${input.outlets?.length ? html`<datalist id="outlets">${input.outlets.map((o) => html`<option value="${o}">`)}</datalist>` : ''}
<label for="issue">期号</label>
<input id="issue" name="issue" maxlength="${LIMITS.issueMax}" required value="${values.issue ?? ''}" placeholder="例如 12"${invalid('issue')}>${errorOf('issue')}
<label for="date">采用日期</label>
<input type="date" id="date" name="date" required max="${today}" value="${values.date ?? ''}"${invalid('date')}>${errorOf('date')}
<label for="instruction">领导批示</label>
<select id="instruction" name="instruction"${invalid('instruction')}>${INSTRUCTIONS.map((i) => option(i, INSTRUCTION_LABELS[i], values.instruction ?? 'none'))}</select>${errorOf('instruction')}
<p class="hint">同一级别、同一刊物、同一期号只登记一次，重复提交不会重复计分。积分按采用日期当天有效的积分规则计算，信息员会收到邮件通知。</p>
<button type="submit">登记采用</button></form>`;
}

/** One adoption in words: `自治区《新疆组工信息》第 12 期（2026-10-15）`. */
export const adoptionLabel = (r: Pick<AdoptionRecord, 'level' | 'outlet' | 'issue' | 'adoptedOn'>) =>
  `${LEVEL_LABELS[r.level]}${r.outlet}第 ${r.issue} 期（${r.adoptedOn}）`;

/** A piece's adoptions as a table; `withdraw`: the form action for each one's 撤销 (editors on the desk). */
export function adoptionsTable(adoptions: PieceAdoption[], withdraw?: (a: PieceAdoption) => string): SafeHtml {
  if (adoptions.length === 0) return html`<p class="muted">还没有登记上级采用。</p>`;
  return html`<div class="scroll" tabindex="0" role="region" aria-label="上级采用"><table class="grid"><thead><tr><th>级别</th><th>刊物</th><th>期号</th><th>采用日期</th><th>领导批示</th><th class="n">积分</th><th>登记</th><th>状态</th>${withdraw ? html`<th>操作</th>` : ''}</tr></thead><tbody>
${adoptions.map(
  (
    a,
  ) => html`<tr><td>${LEVEL_LABELS[a.record.level]}</td><td>${a.record.outlet}</td><td>${a.record.issue}</td><td>${a.record.adoptedOn}</td>
<td>${a.record.instruction === 'none' ? '' : INSTRUCTION_LABELS[a.record.instruction]}</td><td class="n">${a.withdrawal ? 0 : a.now.points}</td>
<td>${a.record.recordedBy.name} ${formatShanghai(a.record.at)}</td>
<td>${a.withdrawal ? `已撤销（${a.withdrawal.reason}）` : '有效'}</td>${
    withdraw
      ? html`<td>${
          a.withdrawal
            ? ''
            : html`<form class="inline" method="post" action="${withdraw(a)}"><label for="reason-${a.record.adoptionId}">撤销原因</label><input id="reason-${a.record.adoptionId}" name="reason" maxlength="${REASON_MAX}" required><button type="submit" class="secondary">撤销</button></form>`
        }</td>`
      : ''
  }</tr>`,
)}</tbody></table></div>`;
}

export interface AdoptionPageInput {
  /** Undefined: the link could not be checked yet (the store down); the form comes back with what was typed. */
  editorName?: string;
  action: string;
  /** Undefined: the piece could not be read (the store down); the form comes back with what was typed. */
  piece?: {
    receipt: string;
    title: string;
    unitName: string;
    informantName: string;
    kind: 'info' | 'research';
    issueNo?: number;
    acceptedAt?: string;
  };
  adoptions: PieceAdoption[];
  values?: AdoptionValues;
  errors?: FieldError[];
  /** What the button just did: recorded, or found recorded already; or what went wrong (the form kept). */
  result?: { added: boolean; record: AdoptionRecord };
  notice?: string;
}

/** The page of the editor's adoption link: the piece, its adoptions, and the form. */
export function adoptionPage(input: AdoptionPageInput): string {
  const { piece, result } = input;
  return page(
    piece ? `登记采用：${piece.title}` : '登记采用',
    html`<h1>登记上级采用</h1>
<p class="who">${input.editorName ? `登记人：${input.editorName}。` : ''}打开本页不会做任何登记，填写后点击“登记采用”才生效。</p>
${result ? resultNotice(result) : ''}
${input.notice ? html`<div class="errors" role="alert"><p>${input.notice}</p></div>` : ''}
${
  piece
    ? html`<table>
<tr><th>标题</th><td>${piece.title}</td></tr>
<tr><th>回执号</th><td>${piece.receipt}</td></tr>
<tr><th>单位</th><td>${piece.unitName}</td></tr>
<tr><th>信息员</th><td>${piece.informantName}</td></tr>
<tr><th>类型</th><td>${KIND_LABELS[piece.kind]}</td></tr>
${piece.acceptedAt ? html`<tr><th>《组工专报》</th><td>${piece.issueNo ? `第 ${piece.issueNo} 期，` : ''}${formatShanghai(piece.acceptedAt)} 采用</td></tr>` : ''}
</table>
<h2>已登记的上级采用</h2>${adoptionsTable(input.adoptions)}`
    : ''
}
<h2>登记新的采用</h2>${adoptionForm({ action: input.action, ...(result?.added ? {} : { values: input.values ?? {} }), ...(input.errors ? { errors: input.errors } : {}) })}`,
  );
}

/** What recording answered, in words. */
export function resultText(result: { added: boolean; record: AdoptionRecord }): string {
  return result.added
    ? `已登记：${adoptionLabel(result.record)}，计 ${result.record.points} 分。信息员会收到邮件通知。`
    : `这条采用此前已由 ${result.record.recordedBy.name} 于 ${formatShanghai(result.record.at)} 登记：${adoptionLabel(result.record)}，计 ${result.record.points} 分。没有重复登记。`;
}

/** What recording answered, above the page. */
export function resultNotice(result: { added: boolean; record: AdoptionRecord }): SafeHtml {
  return html`<div class="done" role="status"><p>${resultText(result)}</p></div>`;
}
