// The desk's 通报 tab: a preview of a month's 通报 (this month so far, by default) with its charts, whether and when
// it was sent, and its .docx for the 月例会 in the usual 公文 layout. Opening either changes nothing. The .docx
// writer is a module loaded only when a document is asked for (a cold start of the desk does not pay for it).
import { computeBulletin } from '../bulletin/computeBulletin';
import { bulletinRun } from '../bulletin/sendBulletin';
import { bulletinBody } from '../bulletin/webView';
import { formatShanghai } from '../core/clock';
import { ValidationError } from '../core/errors';
import { html } from '../core/html';
import type { HttpResponse } from '../web/http';
import { deskUser } from './access';
import { deskPage } from './pages';
import { askedMonth } from './pieceList';

type Query = Record<string, string | undefined>;

const DOCX = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';

function bulletinMonth(query: Query): string {
  const { month, error } = askedMonth(query.month);
  if (error) throw new ValidationError([error]);
  return month;
}

export async function bulletinPreview(token: string, query: Query): Promise<HttpResponse> {
  const user = await deskUser(token);
  const month = bulletinMonth(query);
  const [b, run] = await Promise.all([computeBulletin(month), bulletinRun(month)]);
  const sent = run
    ? html`<div class="done" role="status"><p>${month} 的通报已由${run.startedBy}于 ${formatShanghai(run.startedAt)} 开始发送（第 ${run.round} 次，收件人 ${run.recipients.length} 位）。以下为当前数据，可能与发送时不同。</p></div>`
    : html`<p class="hint">${b.provisional ? '本月的通报将在下月 1 日 9 时自动发送；以下为截至目前的数据。' : '这个月的通报尚未发送。'}</p>`;
  return {
    status: 200,
    html: deskPage(
      user,
      'bulletin',
      b.title,
      html`<form class="filters noprint" method="get" action="${user.base}/bulletin"><div><label for="month">月份</label><input type="month" id="month" name="month" value="${month}"></div><div><button type="submit">查看</button></div></form>
${sent}<p class="links noprint"><a href="${user.base}/bulletin/download?month=${month}">下载 Word 文档（.docx，公文格式）</a></p>
${bulletinBody(b)}`,
    ),
    json: b,
  };
}

export async function bulletinDownload(token: string, query: Query): Promise<HttpResponse> {
  await deskUser(token);
  const month = bulletinMonth(query);
  const b = await computeBulletin(month);
  const { bulletinDocx } = await import('./bulletinDocx.js');
  const body = Buffer.from(await bulletinDocx(b, '县委组织部信息科'));
  return { status: 200, file: { body, contentType: DOCX, filename: `${b.title}.docx` } };
}
