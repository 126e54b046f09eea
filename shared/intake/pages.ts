// The informant's receipt page: the piece's receipt number, status and whole story.
import { html } from '../core/html';
import { latestRevision, type PieceEvent } from '../pieces/events';
import { KIND_LABELS } from '../pieces/piece';
import { timeline } from '../pieces/timeline';
import { page } from '../web/pages';

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

export function receiptPage(events: PieceEvent[], unitName: string): string {
  const first = events[0]!;
  const latest = latestRevision(events);
  const status = statusOf(events);
  return page(
    `回执 ${first.receipt}`,
    html`<h1>稿件回执</h1>
<table>
<tr><th>回执号</th><td>${first.receipt}</td></tr>
<tr><th>标题</th><td>${latest.title}</td></tr>
<tr><th>类型</th><td>${KIND_LABELS[first.kind]}</td></tr>
<tr><th>单位</th><td>${unitName}</td></tr>
<tr><th>状态</th><td>${STATUS_LABELS[status] ?? status}</td></tr>
</table>
<h2>进度</h2>
${timeline(events)}
<h2>正文</h2><div class="body">${latest.body}</div>`,
  );
}
