// A piece's story as users read it: every revision and decision, with feedback and remarks in full.
import { formatShanghai } from '../core/clock';
import { html, paragraphs, type SafeHtml } from '../core/html';
import type { PieceEvent } from './events';

const EVENT_LABELS: Record<string, (e: PieceEvent) => string> = {
  submitted: () => '提交（第 1 稿）',
  revised: (e) => `提交修改稿（第 ${e.revision} 稿）`,
  accepted: (e) => `${e.editorName ?? '编辑'}：采用${e.issueNo ? `，编入《组工专报》第 ${e.issueNo} 期` : ''}`,
  returned: (e) => `${e.editorName ?? '编辑'}：退回修改`,
  rejected: (e) => `${e.editorName ?? '编辑'}：不予采用`,
};

export function eventLabel(e: PieceEvent): string {
  return (EVENT_LABELS[e.type] ?? (() => e.type))(e);
}

export function timeline(events: PieceEvent[]): SafeHtml {
  return html`<ol class="timeline">${events.map(
    (e) =>
      html`<li>${formatShanghai(e.at)}　${eventLabel(e)}${e.comment ? html`<div class="hint">${e.type === 'returned' ? '修改意见' : e.type === 'rejected' ? '原因' : '点评'}：${paragraphs(e.comment)}</div>` : ''}</li>`,
  )}</ol>`;
}
