// The acknowledgment (回执) an informant gets for every revision they send, the first and each one after a return:
// the receipt number, what was received and when, and the link to follow the piece. Where emails carry no work text
// (`link`), what was received is said by its kind and its number of files, not by its title or the files' names.
import { formatShanghai } from '../core/clock';
import { html, paragraphs } from '../core/html';
import { button, fullText, layout, linkNote } from '../mail/frame';
import type { NotificationDraft } from '../mail/outbox';
import {
  type EmailData,
  type EmailTemplates,
  num,
  type RenderContext,
  type RenderedEmail,
  recipientOf,
  str,
} from '../mail/templates';
import type { Person } from '../roster/people';
import { mineLine, receiptUrl } from '../roster/personalLinks';
import type { PieceEvent } from './events';
import { KIND_LABELS, type PieceKind } from './piece';

export function acknowledgment(
  informant: Person,
  revision: Pick<PieceEvent, 'pieceId' | 'receipt' | 'revision' | 'title' | 'kind' | 'at' | 'files'>,
): NotificationDraft {
  return {
    to: informant.email,
    template: 'ack',
    personId: informant.personId,
    data: {
      name: informant.name,
      receipt: revision.receipt,
      title: revision.title ?? '',
      kind: revision.kind,
      pieceId: revision.pieceId,
      revision: revision.revision,
      personId: informant.personId,
      at: revision.at,
      // The files received with it, by name (the original and attachments are kept with the piece).
      ...(revision.files?.length
        ? { files: revision.files.map((f) => f.name).join('、'), fileCount: revision.files.length }
        : {}),
    },
  };
}

async function ackEmail(data: EmailData, context: RenderContext): Promise<RenderedEmail> {
  const full = fullText();
  const receipt = str(data, 'receipt');
  const title = full ? str(data, 'title') : '';
  const kind = KIND_LABELS[str(data, 'kind') as PieceKind] ?? str(data, 'kind');
  const { keyVersion } = recipientOf(context);
  const url = await receiptUrl(str(data, 'pieceId'), str(data, 'personId'), keyVersion);
  const mine = await mineLine(str(data, 'personId'), keyVersion);
  const when = formatShanghai(str(data, 'at'));
  const names = typeof data.files === 'string' ? data.files : '';
  // Acknowledgments written before the count was kept say only that files came.
  const files = full ? names : names ? (data.fileCount ? `${num(data, 'fileCount')} 个` : '已收到') : '';
  const next = '信息科编辑审核后，会通过邮件告诉您结果：采用编入《组工专报》、退回修改（附修改意见）或不予采用。';
  const note = full ? '' : linkNote('稿件的标题、正文和文件名');
  const revision = num(data, 'revision') || 1;
  const about = full ? `：${title}` : '';
  const subject =
    revision > 1
      ? `已收到您的修改稿（回执号 ${receipt}，第 ${revision} 稿）${about}`
      : `已收到您的稿件（回执号 ${receipt}）${about}`;
  return {
    subject,
    html: layout(
      '稿件已收到',
      html`<p>${str(data, 'name')}同志：</p><p>您报送的稿件已收到。</p>
<table cellpadding="6" cellspacing="0" style="border-collapse:collapse;border:1px solid #ddd">
<tr><th align="left" style="background:#fafafa">回执号</th><td>${receipt}</td></tr>
${
  full
    ? html`<tr><th align="left" style="background:#fafafa">标题</th><td>${title}</td></tr>
`
    : ''
}<tr><th align="left" style="background:#fafafa">类型</th><td>${kind}</td></tr>
<tr><th align="left" style="background:#fafafa">报送时间</th><td>${when}</td></tr>
${files ? html`<tr><th align="left" style="background:#fafafa">文件</th><td>${files}</td></tr>` : ''}</table>
${paragraphs(next)}${note ? html`<p>${note}</p>` : ''}${button(url, '查看稿件进度')}${mine.html}`,
    ),
    text: `${str(data, 'name')}同志：\n\n您报送的稿件已收到。\n回执号：${receipt}\n${full ? `标题：${title}\n` : ''}类型：${kind}\n报送时间：${when}\n${files ? `文件：${files}\n` : ''}\n${next}\n${note ? `${note}\n` : ''}\n查看稿件进度：${url}\n${mine.text}`,
  };
}

export const acknowledgmentTemplates = { ack: ackEmail } satisfies EmailTemplates;
