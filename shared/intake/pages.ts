// The informant's receipt page: the piece's receipt number, status and whole story.

import { html } from '../core/html';
import { fileSlug } from '../documents/files';
import { fileList, pieceBody } from '../pieces/body';
import { latestRevision, type PieceEvent } from '../pieces/events';
import { KIND_LABELS } from '../pieces/piece';
import { timeline } from '../pieces/timeline';
import { page } from '../web/pages';
import type { PieceView } from './showPiece';

export const STATUS_LABELS: Record<string, string> = {
  submitted: '待审核',
  revised: '修改稿待审核',
  accepted: '已采用',
  returned: '退回修改',
  rejected: '不予采用',
};

export function statusOf(events: PieceEvent[]): string {
  return events.at(-1)?.type ?? 'submitted';
}

/** `sentRevision`: the page right after a revised draft was sent, which says so first. */
export function receiptPage(view: PieceView, options: { sentRevision?: number } = {}): string {
  const { events, unitName, access } = view;
  const first = events[0]!;
  const latest = latestRevision(events);
  const status = statusOf(events);
  // A returned piece: its revise link by email (to the informant's own address, whoever opened this page).
  const askRevise =
    status === 'returned'
      ? html`<form method="post" action="/submissions/${first.pieceId}/revise-link">
${access.r ? html`<input type="hidden" name="r" value="${access.r}">` : html`<input type="hidden" name="k" value="${access.k ?? ''}">`}
<p>这篇稿件已退回修改。修改链接在退回邮件里；找不到或已失效，可以重新获取。</p>
<button type="submit">把修改链接发到我的邮箱</button></form>`
      : '';
  return page(
    `回执 ${first.receipt}`,
    html`<h1>稿件回执</h1>
${
  options.sentRevision && options.sentRevision === latest.revision
    ? html`<div class="done" role="status"><p>修改稿（第 ${latest.revision} 稿）已提交。回执已发到您的邮箱，信息科审核后会通过邮件告诉您结果。</p></div>`
    : ''
}
<table>
<tr><th>回执号</th><td>${first.receipt}</td></tr>
<tr><th>标题</th><td>${latest.title}</td></tr>
<tr><th>类型</th><td>${KIND_LABELS[first.kind]}</td></tr>
<tr><th>单位</th><td>${unitName}</td></tr>
${latest.signer ? html`<tr><th>签发领导</th><td>${latest.signer}</td></tr>` : ''}
<tr><th>状态</th><td>${STATUS_LABELS[status] ?? status}</td></tr>
</table>
${askRevise}
<h2>进度</h2>
${timeline(events)}
<h2>正文</h2>${pieceBody(latest)}
${latest.files?.length ? html`<h2>原件和附件</h2>${fileList(latest.files, (f) => fileHref(first.pieceId, latest.revision, f.n, access))}` : ''}`,
    // Opened with the personal key: the header leads back to the form.
    access.k ? { home: `/submit?k=${encodeURIComponent(access.k)}` } : {},
  );
}

/** A file's download from the receipt page, opened the way the page was (the receipt link or the personal key). */
function fileHref(pieceId: string, revision: number, n: number, access: { k?: string; r?: string }): string {
  const query = access.r ? `r=${encodeURIComponent(access.r)}` : `k=${encodeURIComponent(access.k ?? '')}`;
  return `/submissions/${pieceId}/files/${fileSlug(revision, n)}?${query}`;
}
