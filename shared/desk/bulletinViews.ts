// The desk's 通报 tab: a preview of a month's 通报 (this month so far, by default) with its charts, how far its
// sending has gone, the send button for a closed month not yet sent (editors; queued for the sweeper, each recipient
// once), and its .docx for the 月例会 in the usual 公文 layout. Opening a page or the .docx changes nothing. The
// .docx writer is a module loaded only when a document is asked for (a cold start of the desk does not pay for it).
import { computeBulletin } from '../bulletin/computeBulletin';
import { bulletinProgress, bulletinRun, sendBulletin } from '../bulletin/sendBulletin';
import { bulletinBody } from '../bulletin/webView';
import { formatShanghai, monthOf, now } from '../core/clock';
import { config } from '../core/config';
import { ValidationError } from '../core/errors';
import { html, type SafeHtml } from '../core/html';
import type { HttpResponse } from '../web/http';
import { type DeskUser, deskEditor, deskUser } from './access';
import { deskPage } from './pages';
import { askedMonth } from './pieceList';
import { type Result, resultBlock } from './scorePages';
import type { DeskAccess } from './session';

type Query = Record<string, string | undefined>;

const DOCX = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';

function bulletinMonth(raw: unknown): string {
  const { month, error } = askedMonth(typeof raw === 'string' ? raw : undefined);
  if (error) throw new ValidationError([error]);
  return month;
}

/** Where the month's sending stands: sent by whom and when, how many had it; or the button to send it. */
async function sendingBlock(user: DeskUser, month: string, title: string): Promise<SafeHtml> {
  const run = await bulletinRun(month);
  if (run) {
    const { sent, givenUp } = await bulletinProgress(run);
    const total = run.recipients.length;
    const state = run.finishedAt
      ? `已于 ${formatShanghai(run.finishedAt)} 全部完成`
      : sent + givenUp.length < total
        ? '其余正在发送（每分钟继续，刷新本页可看进度）'
        : '正在收尾';
    return html`<div class="done" role="status"><p>${title}已由${run.startedBy}于 ${formatShanghai(run.startedAt)} 开始发送（第 ${run.round} 次）：收件人 ${total} 位，已发出 ${sent} 封${givenUp.length ? `，${givenUp.length} 封未能发出` : ''}；${state}。</p><p>以下为当前数据，可能与发送时不同；同一月份不会重复发送。</p></div>
${givenUp.length ? html`<div class="errors" role="alert"><p>以下收件人未能收到（地址被拒或多次失败），请核对名单中的邮箱：</p><ul>${givenUp.map((g) => html`<li>${g.name}（${g.email}）：${g.error}</li>`)}</ul></div>` : ''}`;
  }
  if (month >= monthOf(now())) {
    return html`<p class="hint">本月的通报将在下月 1 日 9 时自动发送；以下为截至目前的数据。</p>`;
  }
  if (!user.canAct) return html`<p class="hint">这个月的通报尚未发送。</p>`;
  return html`<form class="noprint" method="post" action="${user.base}/bulletin/send"><input type="hidden" name="month" value="${month}"><p class="hint">这个月的通报尚未发送。发送后，领导、编辑和各单位信息员每人收到一封（附单位情况 Excel 表），每秒不超过 ${config().bulletinRate} 封；同一月份只发送一次。</p><button type="submit">发送${title}</button></form>`;
}

async function previewPage(user: DeskUser, month: string, status: number, result?: Result): Promise<HttpResponse> {
  const b = await computeBulletin(month);
  const sending = await sendingBlock(user, month, b.title);
  return {
    status,
    html: deskPage(
      user,
      'bulletin',
      b.title,
      html`${resultBlock(result)}<form class="filters noprint" method="get" action="${user.base}/bulletin"><div><label for="month">月份</label><input type="month" id="month" name="month" value="${month}"></div><div><button type="submit">查看</button></div></form>
${sending}<p class="links noprint"><a href="${user.base}/bulletin/download?month=${month}">下载 Word 文档（.docx，公文格式）</a></p>
${bulletinBody(b)}`,
    ),
    json: b,
  };
}

export async function bulletinPreview(access: DeskAccess, query: Query): Promise<HttpResponse> {
  const user = await deskUser(access);
  return previewPage(user, bulletinMonth(query.month), 200);
}

/** The send button (editors): a closed month's run frozen and queued; a month sent before is not sent again. */
export async function bulletinSend(access: DeskAccess, fields: Record<string, unknown>): Promise<HttpResponse> {
  const user = await deskEditor(access);
  const month = bulletinMonth(fields.month);
  if (month >= monthOf(now())) {
    throw new ValidationError([
      { field: 'month', message: '本月尚未结束，通报在下月 1 日自动发送；只能手动发送已结束的月份。' },
    ]);
  }
  const r = await sendBulletin(month, { by: user.person.name, freezeOnly: true });
  const message = r.started
    ? `已开始发送：收件人 ${r.recipients} 位，邮件将在几分钟内陆续发出。`
    : `这个月的通报此前已经发送（第 ${r.round} 次），没有重复发送。`;
  const page = await previewPage(user, month, r.started ? 202 : 200, { ok: true, message });
  return { ...page, json: r };
}

export async function bulletinDownload(access: DeskAccess, query: Query): Promise<HttpResponse> {
  await deskUser(access);
  const month = bulletinMonth(query.month);
  const b = await computeBulletin(month);
  const { bulletinDocx } = await import('./bulletinDocx.js');
  const body = Buffer.from(await bulletinDocx(b, '县委组织部信息科'));
  return { status: 200, file: { body, contentType: DOCX, filename: `${b.title}.docx` } };
}
