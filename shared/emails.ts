// Email templates: Chinese HTML with a plain-text alternative, every value escaped. A notification stores only the
// template name and its data; links are signed when the email is rendered, so no token is ever stored.
import { formatShanghai } from './clock';
import type { OutgoingEmail } from './email';
import { html, paragraphs, type SafeHtml } from './html';
import { receiptUrl, submitUrl } from './links';
import { KIND_LABELS, type PieceKind } from './pieces';

export type EmailTemplate = 'welcome' | 'link' | 'newLink' | 'ack';

type Data = Record<string, string | number>;

const str = (data: Data, name: string): string => String(data[name] ?? '');
const num = (data: Data, name: string): number => Number(data[name] ?? 0);

function layout(heading: string, content: SafeHtml): string {
  return html`<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>${heading}</title></head>
<body style="margin:0;padding:0;background:#f4f4f4;font-family:'PingFang SC','Microsoft YaHei',sans-serif;color:#222">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0"><tr><td align="center" style="padding:16px">
<table role="presentation" width="600" cellpadding="0" cellspacing="0" style="max-width:600px;background:#fff;border-top:4px solid #b71c1c">
<tr><td style="padding:20px 24px"><h2 style="margin:0 0 12px;font-size:20px;color:#b71c1c">${heading}</h2>${content}
<p style="margin-top:24px;font-size:12px;color:#888">此邮件由组工信息报送系统自动发送，请勿直接回复。</p></td></tr>
</table></td></tr></table></body></html>`.value;
}

function button(url: string, label: string): SafeHtml {
  return html`<p style="margin:20px 0"><a href="${url}" style="background:#b71c1c;color:#fff;padding:10px 18px;text-decoration:none;border-radius:4px">${label}</a></p>
<p style="font-size:12px;color:#666">如按钮无法打开，请复制以下链接到浏览器：<br>${url}</p>`;
}

async function linkEmail(template: 'welcome' | 'link' | 'newLink', data: Data): Promise<Omit<OutgoingEmail, 'to'>> {
  const url = await submitUrl(str(data, 'personId'), num(data, 'keyVersion'));
  const subject = {
    welcome: '欢迎使用组工信息报送系统：您的个人报送链接',
    link: '您的个人报送链接',
    newLink: '您的报送链接已更新（旧链接已失效）',
  }[template];
  const intro = {
    welcome: `您已被登记为${str(data, 'unitName')}的信息员。今后报送组工信息和调研文稿，只需打开下面的个人链接填写即可，无需注册或密码。`,
    link: '您申请重新获取报送链接。请使用下面的个人链接报送组工信息和调研文稿。',
    newLink: '您的个人报送链接已重新生成，此前的链接已经失效。请改用下面的新链接。',
  }[template];
  const name = str(data, 'name');
  return {
    subject,
    html: layout(
      subject,
      html`<p>${name}同志：</p><p>${intro}</p>${button(url, '打开报送页面')}
<p>这是您本人的专用链接，请妥善保管、不要转发。如怀疑链接泄露，请联系县委组织部信息科重新生成。</p>`,
    ),
    text: `${name}同志：\n\n${intro}\n\n报送链接：${url}\n\n这是您本人的专用链接，请妥善保管、不要转发。如怀疑链接泄露，请联系县委组织部信息科重新生成。\n`,
  };
}

async function ackEmail(data: Data): Promise<Omit<OutgoingEmail, 'to'>> {
  const receipt = str(data, 'receipt');
  const title = str(data, 'title');
  const kind = KIND_LABELS[str(data, 'kind') as PieceKind] ?? str(data, 'kind');
  const url = await receiptUrl(str(data, 'pieceId'), str(data, 'personId'), num(data, 'keyVersion'));
  const when = formatShanghai(str(data, 'at'));
  const next = '信息科编辑审核后，会通过邮件告诉您结果：采用编入《组工专报》、退回修改（附修改意见）或不予采用。';
  const subject = `已收到您的稿件（回执号 ${receipt}）：${title}`;
  return {
    subject,
    html: layout(
      '稿件已收到',
      html`<p>${str(data, 'name')}同志：</p><p>您报送的稿件已收到。</p>
<table cellpadding="6" cellspacing="0" style="border-collapse:collapse;border:1px solid #ddd">
<tr><th align="left" style="background:#fafafa">回执号</th><td>${receipt}</td></tr>
<tr><th align="left" style="background:#fafafa">标题</th><td>${title}</td></tr>
<tr><th align="left" style="background:#fafafa">类型</th><td>${kind}</td></tr>
<tr><th align="left" style="background:#fafafa">报送时间</th><td>${when}</td></tr></table>
${paragraphs(next)}${button(url, '查看稿件进度')}`,
    ),
    text: `${str(data, 'name')}同志：\n\n您报送的稿件已收到。\n回执号：${receipt}\n标题：${title}\n类型：${kind}\n报送时间：${when}\n\n${next}\n\n查看稿件进度：${url}\n`,
  };
}

export async function renderEmail(template: EmailTemplate, data: Data, to: string): Promise<OutgoingEmail> {
  const body = template === 'ack' ? await ackEmail(data) : await linkEmail(template, data);
  return { to, ...body };
}
