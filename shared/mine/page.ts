// The informant's own page (我的报送): this year's pieces, newest first, each with its status, the decisions and the
// feedback in full, and a way to write a new one.
import { formatShanghai } from '../core/clock';
import { html, paragraphs } from '../core/html';
import { DECISION_LABELS, type DecisionType } from '../pieces/events';
import { KIND_LABELS } from '../pieces/piece';
import { STATUS_LABELS } from '../reports/pieceRows';
import { STATE_LABELS } from '../research/status';
import { INSTRUCTION_LABELS, LEVEL_LABELS } from '../scoring/rules';
import { page } from '../web/pages';
import type { MyAdoption, MyPieces } from './myPieces';

/** A piece's adoptions this year, each with its points (a withdrawn one says so). */
function adoptionList(adoptions: MyAdoption[]) {
  if (adoptions.length === 0) return '';
  return html`<ul class="adoptions">${adoptions.map(
    (a) =>
      html`<li>${a.level === 'county' ? '《组工专报》采用' : `被${LEVEL_LABELS[a.level]}采用：${a.outlet ?? ''}第 ${a.issue ?? ''} 期`}（${a.adoptedOn}）${a.instruction === 'none' ? '' : `，${INSTRUCTION_LABELS[a.instruction]}`}：${a.withdrawn ? '已撤销，不计分' : `${a.points} 分`}</li>`,
  )}</ul>`;
}

export function minePage(view: MyPieces): string {
  const { informant, pieces } = view;
  const submit = view.k ? `/submit?k=${encodeURIComponent(view.k)}` : undefined;
  const accepted = pieces.filter((p) => p.status === 'accepted').length;
  return page(
    '我的报送',
    html`<h1>我的报送</h1>
<p class="who">${informant.name}（${view.unitName}）· ${view.year} 年</p>
<p>今年您报送 ${pieces.length} 篇，已采用 ${accepted} 篇，积分 ${view.points} 分。本单位本月共报送 ${view.unitThisMonth} 篇。</p>
${
  view.topics.length
    ? html`<h2>正在征集的点题</h2><ul class="topics">${view.topics.map(
        (t) =>
          html`<li>${t.title}（${t.due} 截止）${t.answeredByUnit ? html`<span class="muted">· 本单位已报送</span>` : ''}</li>`,
      )}</ul><p class="hint">报送时在“点题”一栏选择对应题目，回应点题的稿件被《组工专报》采用另有加分。</p>`
    : ''
}
${
  view.tasks.length
    ? html`<h2>本季度重点调研任务</h2><ul class="topics">${view.tasks.map(
        (t) =>
          html`<li>${t.title}（${t.due} 截止${t.lead ? `，牵头人 ${t.lead}` : ''}）· 本单位：<span class="st-${t.state}">${STATE_LABELS[t.state]}</span>${t.on ? html` ${t.on}` : ''}${t.receipts.length ? html`<span class="muted">（${t.receipts.join('、')}）</span>` : ''}</li>`,
      )}</ul>${view.tasks.some((t) => t.open) ? html`<p class="hint">报送调研文稿时在“重点调研任务”一栏选择对应任务。</p>` : ''}`
    : ''
}
${
  submit
    ? html`<p><a class="button" href="${submit}">写新稿件</a></p>`
    : html`<form method="post" action="/link"><input type="hidden" name="email" value="${informant.email}">
<button type="submit">写新稿件：把我的报送链接发到我的邮箱</button></form>
<p class="hint">本页来自邮件里的查看链接，只能查看。报送新稿件请用本人的报送链接（点上面的按钮，会发到您登记的邮箱）。</p>`
}
${
  pieces.length === 0
    ? html`<p class="muted">今年还没有报送稿件。</p>`
    : pieces.map(
        (p) => html`<h2>${p.title}</h2>
<table><tr><th>回执号</th><td>${p.receipt}</td></tr><tr><th>类型</th><td>${KIND_LABELS[p.kind]}</td></tr>
<tr><th>报送时间</th><td>${formatShanghai(p.submittedAt)}</td></tr><tr><th>稿次</th><td>第 ${p.revision} 稿</td></tr>
<tr><th>状态</th><td>${STATUS_LABELS[p.status]}${p.issueNo ? `，编入《组工专报》第 ${p.issueNo} 期` : ''}</td></tr>
${p.adoptions.length ? html`<tr><th>积分</th><td>${p.points} 分</td></tr>` : ''}</table>
${adoptionList(p.adoptions)}
${p.decisions.map(
  (
    d,
  ) => html`<div class="next"><p>${formatShanghai(d.at)} 第 ${d.revision} 稿：${DECISION_LABELS[d.type as DecisionType] ?? d.type}${d.issueNo ? `（第 ${d.issueNo} 期）` : ''}</p>
${d.comment ? html`<div class="hint">${d.type === 'returned' ? '修改意见' : d.type === 'rejected' ? '原因' : '点评'}：${paragraphs(d.comment)}</div>` : ''}</div>`,
)}`,
      )
}
${
  view.earlier.length
    ? html`<h2>往年报送、今年采用的稿件</h2><p class="hint">这些稿件在往年报送，今年获得采用，积分计入今年。</p>${view.earlier.map(
        (p) => html`<h3>${p.title}</h3><p>回执号 ${p.receipt}，今年积分 ${p.points} 分</p>${adoptionList(p.adoptions)}`,
      )}`
    : ''
}`,
    submit ? { home: submit } : {},
  );
}
