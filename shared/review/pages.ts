// Pages of the editor's side (the review page and what a used, superseded or expired link shows) and the revise
// form of the informant. Nothing here runs script: decisions are made only by pressing a button (POST).

import { formatShanghai } from '../core/clock';
import { ExpiredLinkError, type FieldError, RevokedLinkError } from '../core/errors';
import { html } from '../core/html';
import { fileSlug } from '../documents/files';
import { fileList, pieceBody } from '../pieces/body';
import { DECISION_LABELS, type DecisionType, isRevision, type PieceEvent } from '../pieces/events';
import { KIND_LABELS } from '../pieces/piece';
import { timeline } from '../pieces/timeline';
import type { HttpResponse } from '../web/http';
import { messagePage, page } from '../web/pages';
import { changesBlock } from './changes';
import { AlreadyDecidedError, COMMENT_MAX, type RejectNotConfirmedError, SupersededError } from './decidePiece';
import type { ReviewView } from './reviewView';
import { AlreadyRevisedError } from './revisePiece';

export interface DecisionValues {
  decision?: string;
  issue?: string;
  comment?: string;
}

export interface ReviewPageInput {
  /** The piece under review; unknown when the form is shown again while the store cannot be read. */
  view?: ReviewView;
  action: string;
  values?: DecisionValues;
  errors?: FieldError[];
  /** Above the form: what went wrong, and that the text typed is still there. */
  notice?: string;
}

/** The review page: the piece in full, its story, and the decision form (buttons only decide, on POST). */
export function reviewPage(input: ReviewPageInput): string {
  const { view, values = {}, errors = [] } = input;
  const revision = view?.revision;
  const errorOf = (field: string) =>
    errors.filter((e) => e.field === field).map((e) => html`<p class="error">${e.message}</p>`);
  return page(
    revision ? `审核：${revision.title ?? ''}` : '审核稿件',
    html`<h1>审核稿件</h1>
${view ? html`<p class="who">审核人：${view.editor.name}。打开本页不会做任何处理，点击下方按钮后才生效。</p>` : ''}
${input.notice ? html`<div class="errors" role="alert"><p>${input.notice}</p></div>` : ''}
${errors.length ? html`<div class="errors" role="alert"><p>请修改下面标出的内容后再提交。</p>${errorOf('decision')}</div>` : ''}
${
  view && revision
    ? html`<table>
<tr><th>回执号</th><td>${revision.receipt}</td></tr>
<tr><th>单位</th><td>${view.unitName}</td></tr>
<tr><th>信息员</th><td>${view.informantName}</td></tr>
<tr><th>类型</th><td>${KIND_LABELS[revision.kind]}</td></tr>
${revision.topicId ? html`<tr><th>点题</th><td>${revision.topicId}</td></tr>` : ''}
${revision.taskId ? html`<tr><th>重点调研任务</th><td>${revision.taskId}</td></tr>` : ''}
${revision.signer ? html`<tr><th>签发领导</th><td>${revision.signer}</td></tr>` : ''}
<tr><th>稿次</th><td>第 ${revision.revision} 稿</td></tr>
</table>
${changesSection(view)}
<h2>${revision.title}</h2>
${pieceBody(revision)}
${revision.files?.length ? html`<h2>原件和附件</h2>${fileList(revision.files, (f) => `${input.action}/files/${fileSlug(revision.revision, f.n)}`)}` : ''}
<h2>经过</h2>${timeline(view.events)}`
    : ''
}
${decisionForm({ action: input.action, values, errors })}`,
  );
}

export interface DecisionFormInput {
  action: string;
  values?: DecisionValues;
  errors?: FieldError[];
  /** What else the form carries (the desk's revision number). */
  hidden?: Record<string, string>;
  /** Under the 期号 field: the issue suggested and the one being put together. */
  issueHint?: string;
}

/** The three decisions, as the review page and the desk's piece page both show them (buttons decide, on POST). */
export function decisionForm(input: DecisionFormInput) {
  const { values = {}, errors = [] } = input;
  const errorOf = (field: string) =>
    errors.filter((e) => e.field === field).map((e) => html`<p class="error">${e.message}</p>`);
  return html`<h2>处理</h2>
<form method="post" action="${input.action}">
${Object.entries(input.hidden ?? {}).map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`)}
<label for="issue">期号（采用时可填，编入本年度《组工专报》第几期）</label>
<input type="text" id="issue" name="issue" inputmode="numeric" maxlength="8" value="${values.issue ?? ''}">${errorOf('issue')}
${input.issueHint ? html`<p class="hint">${input.issueHint}</p>` : ''}
<label for="comment">意见（退回修改时必填：修改意见；采用时为点评，不予采用时为原因，可不填）</label>
<textarea id="comment" name="comment" maxlength="${COMMENT_MAX}">${values.comment ?? ''}</textarea>${errorOf('comment')}
<div class="decisions">
<button type="submit" name="decision" value="accept" class="accept">采用</button>
<button type="submit" name="decision" value="return" class="return">退回修改</button>
<button type="submit" name="decision" value="reject" class="reject apart">不予采用…</button>
</div>
<p class="hint">“不予采用”会再请您确认一次。</p>
</form>`;
}

/** For a draft after the first: what changed against the draft before, so the editor need not re-read it all. */
function changesSection(view: ReviewView) {
  const drafts = view.events.filter(isRevision);
  const before = drafts.at(-2);
  const now = view.revision;
  if (!before || now.revision < 2) return '';
  return html`<h2>修改之处</h2>
${changesBlock(before, now, { inline: false })}
<h2>全文</h2>`;
}

/** The step between pressing 不予采用 and recording it: what will happen, the reason typed, and the way back. */
export function rejectConfirmPage(
  view: Pick<ReviewView, 'revision'> | undefined,
  action: string,
  values: DecisionValues,
  /** What else the form carries (the desk's revision number). */
  hidden: Record<string, string> = {},
): string {
  const title = view?.revision.title ?? '';
  return page(
    '确认不予采用',
    html`<h1>确认不予采用</h1>
<p>您将对${title ? html`《${title}》` : '这篇稿件'}作出“不予采用”的决定。决定后无法撤销，信息员会收到邮件通知，也不能再修改这篇稿件。</p>
${values.comment ? html`<p>原因：${values.comment}</p>` : html`<p class="hint">您没有填写原因。信息员会看到“经审核未予采用”。</p>`}
<form method="post" action="${action}">
<input type="hidden" name="decision" value="reject"><input type="hidden" name="confirm" value="1">
<input type="hidden" name="comment" value="${values.comment ?? ''}">
${Object.entries(hidden).map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`)}
<div class="decisions"><button type="submit" class="reject">确认不予采用</button>
<button type="submit" name="back" value="1" class="secondary">返回修改</button></div>
</form>`,
  );
}

/** The piece as decided, below a result: what it was, so the editor need not open it again. */
function pieceSummary(revision?: PieceEvent) {
  if (!revision) return '';
  return html`<h2>${revision.title}</h2><p class="hint">回执号 ${revision.receipt} · ${KIND_LABELS[revision.kind]} · 第 ${revision.revision} 稿${revision.unitName ? ` · ${revision.unitName}` : ''}</p>
${pieceBody(revision)}`;
}

/** One click to the next piece waiting (found when clicked: `GET /review/{token}/next`). */
function nextStep(action: string | undefined) {
  if (!action) return '';
  return html`<div class="next"><p>处理下一篇：打开最早等待审核的另一篇稿件。</p><a class="button" href="${action}/next">审核下一篇</a></div>`;
}

/** `GET /review/{token}/next` when nothing else waits. */
export function nothingWaitingPage(): string {
  return messagePage('没有待审稿件', '目前没有其他等待审核的稿件。新稿件到达时，您会收到邮件。');
}

export const outcome = (d: PieceEvent) =>
  `${DECISION_LABELS[d.type as DecisionType] ?? d.type}${d.issueNo ? `，编入《组工专报》第 ${d.issueNo} 期` : ''}`;

/** After the editor's own decision (and when they open or refresh it again): done, the next piece, the piece. */
export function decisionDonePage(decision: PieceEvent, revision?: PieceEvent, action?: string): string {
  return page(
    '处理完成',
    html`<h1>处理完成</h1><div class="done" role="status"><p>已处理：${outcome(decision)}。信息员会收到邮件通知。</p></div>
${nextStep(action)}${pieceSummary(revision)}`,
  );
}

/** Decided by someone (else) already: who, what, when — with the piece and the next one waiting. */
export function decidedPage(decision: PieceEvent, revision?: PieceEvent, action?: string): string {
  return page(
    '已处理',
    html`<h1>已处理</h1><p>稿件（回执号 ${decision.receipt}）第 ${decision.revision} 稿已由 ${decision.editorName ?? '编辑'} 于 ${formatShanghai(decision.at)} 处理：${outcome(decision)}。</p>
${nextStep(action)}${pieceSummary(revision)}`,
  );
}

/** What a JSON client is told when the revision was decided already: who, what, when. */
export const alreadyDecidedJson = (error: AlreadyDecidedError) => ({
  error: 'already_decided',
  decision: error.decision.type,
  editor: error.decision.editorName,
  at: error.decision.at,
  message: error.message,
});

/** 不予采用 without `confirm`, to a JSON client: 428, and what to send. */
export const confirmationRequired = (error: RejectNotConfirmedError): HttpResponse => ({
  status: 428,
  json: { error: 'confirmation_required', message: error.message, confirm: 'send "confirm": true' },
});

/**
 * The answers a review or revise link gives when it cannot be used as it is: decided or superseded (409), expired
 * (410, with a button that emails a fresh link to its owner). Undefined for any other error. The 410 and 403 pages
 * carry fixed words and the button only: nothing of the piece and no other link (a review link's expiry is checked
 * before the piece's state, so an expired link never reaches the 409 pages, which show the piece).
 */
export function linkProblem(error: unknown, renewAction: string): HttpResponse | undefined {
  if (error instanceof AlreadyDecidedError) {
    const d = error.decision;
    return {
      status: 409,
      html: decidedPage(d, error.context.revision, renewAction.replace(/\/renew$/, '')),
      json: alreadyDecidedJson(error),
    };
  }
  const renewButton = html`<form method="post" action="${renewAction}"><button type="submit">把新链接发到我的邮箱</button></form>`;
  if (error instanceof SupersededError) {
    const message = `信息员已提交第 ${error.latest} 稿，这个链接是旧稿的。点击下面的按钮，我们会把新稿的审核链接发到您登记的邮箱。`;
    return {
      status: 409,
      html: messagePage(
        '已有新版本',
        message,
        html`<form method="post" action="${renewAction}"><button type="submit">把新稿的审核链接发到我的邮箱</button></form>`,
      ),
      json: { error: 'superseded', latest: error.latest, message: error.message, renew: `POST ${renewAction}` },
    };
  }
  if (error instanceof AlreadyRevisedError) {
    return {
      status: 409,
      html: messagePage('已有新版本', error.message),
      json: { error: 'superseded', message: error.message },
    };
  }
  if (error instanceof ExpiredLinkError) {
    const message = '此链接已过期。点击下面的按钮，我们会把新的链接发到您登记的邮箱。';
    return {
      status: 410,
      html: messagePage('链接已过期', message, renewButton),
      json: { error: 'link_expired', message, renew: `POST ${renewAction}` },
    };
  }
  if (error instanceof RevokedLinkError) {
    const message = `${error.message}点击下面的按钮，我们会把新的链接发到您登记的邮箱。`;
    return {
      status: 403,
      html: messagePage('链接已失效', message, renewButton),
      json: { error: 'link_revoked', message, renew: `POST ${renewAction}` },
    };
  }
  return undefined;
}
