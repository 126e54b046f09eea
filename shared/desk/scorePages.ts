// The desk's 采用 and 积分 pages: the year's adoptions upstream (with 撤销 and the table-of-contents upload for
// editors), and the ranking with its downloads, the rules in force (and their upload) and the 信息奖 (and its
// sending). A leader sees the same without a form that acts.

import { REASON_MAX } from '../adoption/withdrawAdoption';
import { formatShanghai, now, shanghai } from '../core/clock';
import { html, type SafeHtml } from '../core/html';
import { type Award, awardMaySend, type SentAward } from '../scores/award';
import { RANK_BY_LABELS, type RankBy, type Ranking, type RankRow, TIE_RULE } from '../scores/rankings';
import { INSTRUCTION_LABELS, LEVEL_LABELS, LEVELS, type RuleVersion, UPPER_LEVELS } from '../scoring/rules';
import type { DeskUser } from './access';
import { deskPage } from './pages';
import type { AdoptionFilter, AdoptionRow } from './yearAdoptions';

export type Result = { ok: true; message: string } | { ok: false; message: string; errors?: string[] };

export function resultBlock(result: Result | undefined): SafeHtml {
  if (!result) return html``;
  return result.ok
    ? html`<div class="done" role="status"><p>${result.message}</p></div>`
    : html`<div class="errors" role="alert"><p>${result.message}</p>${(result.errors ?? []).map((e) => html`<p>${e}</p>`)}</div>`;
}

const option = (value: string, label: string, selected: string | undefined) =>
  html`<option value="${value}"${value === (selected ?? '') ? html` selected` : ''}>${label}</option>`;

const piecePath = (user: DeskUser, pieceId: string) => `${user.base}/pieces/${encodeURIComponent(pieceId)}`;

export const withdrawPath = (user: DeskUser, pieceId: string, adoptionId: string) =>
  `${piecePath(user, pieceId)}/adoptions/${adoptionId}/withdraw`;

const years = () => {
  const y = shanghai(now()).year;
  return [y, y - 1, y - 2];
};

export function adoptionsPage(
  user: DeskUser,
  input: { filter: AdoptionFilter; rows: AdoptionRow[]; units: Record<string, string>; result?: Result },
): string {
  const { filter, rows, units } = input;
  const standing = rows.filter((r) => !r.withdrawal);
  const points = Math.round(standing.reduce((n, r) => n + r.points, 0) * 100) / 100;
  const unitOptions = Object.entries(units).sort(([, a], [, b]) => a.localeCompare(b, 'zh'));
  return deskPage(
    user,
    'adoptions',
    `${filter.year} 年上级采用`,
    html`${resultBlock(input.result)}
<form class="filters" method="get" action="${user.base}/adoptions">
<div><label for="year">年份</label><select id="year" name="year">${years().map((y) => option(String(y), `${y} 年`, String(filter.year)))}</select></div>
<div><label for="month">月份（登记）</label><input type="month" id="month" name="month" value="${filter.month ?? ''}"></div>
<div><label for="level">级别</label><select id="level" name="level">${option('', '全部级别', filter.level)}${UPPER_LEVELS.map((l) => option(l, LEVEL_LABELS[l], filter.level))}</select></div>
<div><label for="unit">单位</label><select id="unit" name="unit">${option('', '全部单位', filter.unitId)}${unitOptions.map(([id, name]) => option(id, name, filter.unitId))}</select></div>
<div><button type="submit">查询</button></div></form>
<p>共 ${rows.length} 条（有效 ${standing.length} 条，计 ${points} 分）。采用计入登记的月份；《组工专报》的采用见“《组工专报》”页。</p>
${
  rows.length === 0
    ? html`<p class="muted">没有符合条件的采用记录。</p>`
    : html`<div class="scroll" tabindex="0" role="region" aria-label="上级采用"><table class="grid"><thead><tr><th>回执号</th><th>标题</th><th>单位</th><th>级别</th><th>刊物</th><th>期号</th><th>采用日期</th><th>领导批示</th><th class="n">积分</th><th>登记</th><th>状态</th>${user.canAct ? html`<th>操作</th>` : ''}</tr></thead><tbody>
${rows.map(
  (
    r,
  ) => html`<tr><td>${r.record.receipt}</td><td class="title"><a href="${piecePath(user, r.record.pieceId)}">${r.record.title}</a></td><td>${r.record.unitName ?? units[r.record.unitId] ?? ''}</td>
<td>${LEVEL_LABELS[r.record.level]}</td><td>${r.record.outlet}</td><td>${r.record.issue}</td><td>${r.record.adoptedOn}</td><td>${r.record.instruction === 'none' ? '' : INSTRUCTION_LABELS[r.record.instruction]}</td>
<td class="n">${r.points}</td><td>${r.record.recordedBy.name} ${formatShanghai(r.record.at)}</td><td>${r.withdrawal ? `已撤销（${r.withdrawal.reason}）` : '有效'}</td>${
    user.canAct
      ? html`<td>${
          r.withdrawal
            ? ''
            : html`<form class="inline" method="post" action="${withdrawPath(user, r.record.pieceId, r.record.adoptionId)}"><input type="hidden" name="from" value="adoptions"><label for="reason-${r.record.pieceId}-${r.record.adoptionId}">撤销原因</label><input id="reason-${r.record.pieceId}-${r.record.adoptionId}" name="reason" maxlength="${REASON_MAX}" required><button type="submit" class="secondary">撤销</button></form>`
        }</td>`
      : ''
  }</tr>`,
)}</tbody></table></div>`
}
${
  user.canAct
    ? html`<h2>按目录批量登记</h2>
<form method="post" action="${user.base}/adoptions" enctype="multipart/form-data">
<label for="file">采用目录（Excel 的 .xlsx，或 CSV：UTF-8 或 GBK；不超过 1 MB）</label>
<input type="file" id="file" name="file" accept=".xlsx,.csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,text/csv" required>
<p class="hint">表头：回执号、采用级别（地区 / 自治区 / 中央）、刊物、期号、采用日期（如 2026-10-15）、领导批示（无 / 县 / 地区 / 自治区 / 中央，可不填）。有错误的行会逐行列出，整个文件不会登记；已登记过的采用不会重复登记，同一文件可放心重新上传。</p>
<button type="submit">上传并登记</button></form>`
    : ''
}`,
  );
}

const levelCells = (r: RankRow) =>
  html`${(['central', 'region', 'prefecture', 'county'] as const).map((l) => html`<td class="n">${r.byLevel[l]}</td>`)}`;

function rankTable(label: string, rows: RankRow[], by: RankBy): SafeHtml {
  const withUnit = by !== 'unit';
  return html`<div class="scroll" tabindex="0" role="region" aria-label="${label}"><table class="grid"><thead><tr><th class="n">名次</th><th>${RANK_BY_LABELS[by]}</th>${withUnit ? html`<th>所在单位</th>` : ''}<th class="n">积分</th><th class="n">采用篇次</th>${(['central', 'region', 'prefecture', 'county'] as const).map((l) => html`<th class="n">${LEVEL_LABELS[l]}</th>`)}<th>最后采用</th></tr></thead><tbody>
${rows.map((r) => html`<tr><td class="n">${r.rank}</td><td${by === 'piece' ? html` class="title"` : ''}>${r.name}</td>${withUnit ? html`<td>${r.unitName ?? ''}</td>` : ''}<td class="n">${r.points}</td><td class="n">${r.adoptions}</td>${levelCells(r)}<td>${r.lastOn}</td></tr>`)}
</tbody></table></div>`;
}

function rulesBlock(user: DeskUser, current: RuleVersion, versions: RuleVersion[]): SafeHtml {
  const r = current.rules;
  return html`<h2>现行积分规则（第 ${current.version} 版，${current.effectiveFrom} 起）</h2>
<div class="scroll" tabindex="0" role="region" aria-label="现行积分规则"><table class="grid"><thead><tr><th>项目</th>${LEVELS.map((l) => html`<th class="n">${LEVEL_LABELS[l]}</th>`)}</tr></thead><tbody>
<tr><td>采用一次</td>${LEVELS.map((l) => html`<td class="n">${r.points[l]} 分</td>`)}</tr>
<tr><td>领导批示加分</td>${LEVELS.map((l) => html`<td class="n">${r.instructionBonus[l]} 分</td>`)}</tr>
</tbody></table></div>
<p>稿件类型系数：信息 ×${r.kindMultiplier.info}，调研文稿 ×${r.kindMultiplier.research}（乘在采用分上）。回应点题的稿件被《组工专报》采用时加 ${r.topicBonus} 分。信息奖名额：先进单位 ${r.award.units} 个、先进个人 ${r.award.informants} 名、优秀信息 ${r.award.pieces} 篇。</p>
<p class="hint">每条采用按其采用日期当天有效的规则计分，并记下规则版本；之后修改规则不会悄悄改变已登记的积分，需要时由管理员运行 rules rescore 重新计分（留有记录）。</p>
${
  versions.length > 1
    ? html`<details><summary>全部版本（${versions.length}）</summary><ul>${versions.map((v) => html`<li>第 ${v.version} 版：${v.effectiveFrom} 起，${v.setBy} 于 ${formatShanghai(v.setAt)} 登记</li>`)}</ul></details>`
    : ''
}
${
  user.canAct
    ? html`<form method="post" action="${user.base}/scores/rules" enctype="multipart/form-data">
<label for="rules">新的规则文件（JSON，格式同代码库中的 shared/scoring/defaultRules.json）</label>
<input type="file" id="rules" name="file" accept=".json,application/json" required>
<label for="from">生效日期</label><input type="date" id="from" name="from" required>
<button type="submit">登记为新版本</button></form>`
    : ''
}`;
}

function awardBlock(user: DeskUser, award: Award, sent: SentAward | undefined, maySend: boolean): SafeHtml {
  const shown = sent?.award ?? award;
  const list = (title: string, rows: RankRow[], by: RankBy) =>
    html`<h3>${title}（${rows.length}）</h3>${rows.length ? rankTable(title, rows, by) : html`<p class="muted">暂无。</p>`}`;
  return html`<h2>${shown.year} 年度信息奖</h2>
${
  sent
    ? html`<div class="done" role="status"><p>已由 ${sent.sentBy} 于 ${formatShanghai(sent.sentAt)} 发送给 ${sent.recipients} 位编辑和领导。以下为发送时的结果。</p></div>`
    : html`<p>按全年积分排名：先进单位前 ${shown.places.units} 名、先进个人前 ${shown.places.informants} 名、优秀信息前 ${shown.places.pieces} 篇；并列者同列，没有积分的不列入。${shown.provisional ? '本年度尚未结束，结果可能变化。' : ''}</p>`
}
${list('先进单位', shown.units, 'unit')}${list('先进个人', shown.informants, 'informant')}${list('优秀信息', shown.pieces, 'piece')}
${
  user.canAct && !sent && !maySend
    ? html`<p class="hint">${shown.year} 年 12 月起可以发送信息奖（发送后结果固定，每年一次）。</p>`
    : user.canAct && !sent
      ? html`<form method="post" action="${user.base}/scores/award"><input type="hidden" name="year" value="${shown.year}">
<p class="hint">发送后结果固定下来，每年只发送一次；编辑和领导每人收到一封邮件。</p>
<button type="submit">发送 ${shown.year} 年度信息奖</button></form>`
      : ''
}`;
}

export interface ScoresPageInput {
  ranking: Ranking;
  current: RuleVersion;
  versions: RuleVersion[];
  award: Award;
  sent?: SentAward;
  result?: Result;
}

export function scoresPage(user: DeskUser, input: ScoresPageInput): string {
  const { ranking } = input;
  const q = (format: string) =>
    new URLSearchParams({
      year: String(ranking.year),
      ...(ranking.month ? { month: ranking.month } : {}),
      by: ranking.by,
      format,
    });
  return deskPage(
    user,
    'scores',
    `${ranking.period}积分排名`,
    html`${resultBlock(input.result)}
<form class="filters" method="get" action="${user.base}/scores">
<div><label for="year">年份</label><select id="year" name="year">${years().map((y) => option(String(y), `${y} 年`, String(ranking.year)))}</select></div>
<div><label for="month">只看一个月</label><input type="month" id="month" name="month" value="${ranking.month ?? ''}"></div>
<div><label for="by">排名对象</label><select id="by" name="by">${(Object.keys(RANK_BY_LABELS) as RankBy[]).map((b) => option(b, RANK_BY_LABELS[b], ranking.by))}</select></div>
<div><button type="submit">查看</button></div></form>
<p class="links">下载：<a href="${user.base}/scores/download?${q('xlsx')}">Excel 表格（.xlsx）</a><a href="${user.base}/scores/download?${q('csv')}">CSV</a></p>
<p class="hint">${TIE_RULE} 采用计入登记的月份。</p>
${ranking.rows.length ? rankTable('积分排名', ranking.rows, ranking.by) : html`<p class="muted">这段时间还没有积分。</p>`}
${awardBlock(user, input.award, input.sent, awardMaySend(input.award.year))}
${rulesBlock(user, input.current, input.versions)}`,
  );
}
