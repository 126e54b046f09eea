// Email templates: Chinese HTML with a plain-text alternative, every value escaped. A notification stores only the
// template name and its data; links are signed when the email is rendered, so no token is ever stored.
import { formatShanghai, formatShanghaiDate, now } from './clock';
import { config } from './config';
import type { OutgoingEmail } from './email';
import { html, paragraphs, type SafeHtml } from './html';
import { currentKeyVersion, receiptUrl, reviewUrl, reviseUrl, submitUrl } from './links';
import { isRevision, KIND_LABELS, type PieceKind, pieceEvents } from './pieces';
import { getPerson, getUnit } from './roster';

export type EmailTemplate =
  | 'welcome'
  | 'link'
  | 'newLink'
  | 'ack'
  | 'review'
  | 'reminder'
  | 'accepted'
  | 'returned'
  | 'rejected'
  | 'handled';

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
  const url = await submitUrl(str(data, 'personId'));
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
  const url = await receiptUrl(str(data, 'pieceId'), str(data, 'personId'));
  const when = formatShanghai(str(data, 'at'));
  const next = '信息科编辑审核后，会通过邮件告诉您结果：采用编入《组工专报》、退回修改（附修改意见）或不予采用。';
  const revision = num(data, 'revision') || 1;
  const subject =
    revision > 1
      ? `已收到您的修改稿（回执号 ${receipt}，第 ${revision} 稿）：${title}`
      : `已收到您的稿件（回执号 ${receipt}）：${title}`;
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

type Rendered = Omit<OutgoingEmail, 'to'>;

function table(rows: [string, string | number | undefined][]): SafeHtml {
  return html`<table cellpadding="6" cellspacing="0" style="border-collapse:collapse;border:1px solid #ddd">${rows
    .filter(([, v]) => v !== undefined && v !== '')
    .map(
      ([k, v]) => html`<tr><th align="left" style="background:#fafafa;white-space:nowrap">${k}</th><td>${v}</td></tr>`,
    )}</table>`;
}

function textTable(rows: [string, string | number | undefined][]): string {
  return rows
    .filter(([, v]) => v !== undefined && v !== '')
    .map(([k, v]) => `${k}：${v}`)
    .join('\n');
}

/** To every editor when a revision arrives, and again as a reminder while it waits: the whole piece and a link. */
async function reviewEmail(data: Data, reminder: boolean): Promise<Rendered> {
  const county = config().countyId;
  const events = await pieceEvents(county, str(data, 'pieceId'));
  const revision = events.find((e) => isRevision(e) && e.revision === num(data, 'revision'));
  if (!revision) throw new Error('review email for a revision that does not exist');
  const [unit, informant] = await Promise.all([
    getUnit(county, revision.unitId),
    getPerson(county, revision.informantId),
  ]);
  const exp = num(data, 'exp') * 1000;
  const url = await reviewUrl({
    pieceId: revision.pieceId,
    revision: revision.revision,
    editorId: str(data, 'editorId'),
    exp: num(data, 'exp'),
  });
  const title = revision.title ?? '';
  const waitedDays = Math.floor((now().getTime() - new Date(revision.at).getTime()) / 86_400_000);
  const subject = reminder
    ? `【催办】已等待 ${waitedDays} 天：${title}`
    : `【待审核】${unit?.name ?? ''}：${title}${revision.revision > 1 ? `（第 ${revision.revision} 稿）` : ''}`;
  const rows: [string, string | number | undefined][] = [
    ['回执号', revision.receipt],
    ['单位', unit?.name],
    ['信息员', informant?.name],
    ['类型', KIND_LABELS[revision.kind]],
    ['点题', revision.topicId],
    ['签发领导', revision.signer],
    ['稿次', `第 ${revision.revision} 稿`],
    ['报送时间', formatShanghai(revision.at)],
  ];
  const feedback = events.filter((e) => e.type === 'returned' && e.comment);
  const note = `审核链接仅供您本人使用，有效期至 ${formatShanghaiDate(new Date(exp))}。打开链接不会做任何处理，在页面上点击按钮后才生效。`;
  return {
    subject,
    html: layout(
      reminder ? '稿件等待审核' : '新稿件待审核',
      html`<p>${str(data, 'editorName')}：</p>
<p>${reminder ? `以下稿件已等待审核 ${waitedDays} 天，请尽快处理。` : '有一篇稿件等待您审核。'}</p>
${table(rows)}
${feedback.map((e) => html`<p style="color:#555">第 ${e.revision} 稿退回意见：${e.comment}</p>`)}
<h3 style="font-size:17px;margin:18px 0 8px">${title}</h3>
<div style="border:1px solid #eee;padding:12px;background:#fcfcfc">${paragraphs(revision.body ?? '')}</div>
${button(url, '打开审核页面')}<p style="font-size:13px;color:#666">${note}</p>`,
    ),
    text: `${str(data, 'editorName')}：\n\n${reminder ? `以下稿件已等待审核 ${waitedDays} 天，请尽快处理。` : '有一篇稿件等待您审核。'}\n\n${textTable(rows)}\n${feedback.map((e) => `第 ${e.revision} 稿退回意见：${e.comment}\n`).join('')}\n${title}\n\n${revision.body ?? ''}\n\n审核页面：${url}\n${note}\n`,
  };
}

/** To the informant once a revision is decided. */
async function decisionEmail(template: 'accepted' | 'returned' | 'rejected', data: Data): Promise<Rendered> {
  const title = str(data, 'title');
  const receipt = str(data, 'receipt');
  const comment = str(data, 'comment');
  const issueNo = data.issueNo === undefined ? '' : `第 ${num(data, 'issueNo')} 期`;
  const receiptLink = await receiptUrl(str(data, 'pieceId'), str(data, 'personId'));
  const lines: string[] = [];
  let subject: string;
  let action: { url: string; label: string } = { url: receiptLink, label: '查看稿件进度' };
  if (template === 'accepted') {
    subject = `您的稿件已采用：${title}`;
    lines.push(`您报送的《${title}》（回执号 ${receipt}）已采用，编入《组工专报》${issueNo}。`);
    if (comment) lines.push(`编辑点评：${comment}`);
  } else if (template === 'returned') {
    subject = `您的稿件需要修改：${title}`;
    lines.push(`您报送的《${title}》（回执号 ${receipt}）退回修改，修改意见如下：`, comment);
    const url = await reviseUrl({
      pieceId: str(data, 'pieceId'),
      revision: num(data, 'revision'),
      informantId: str(data, 'personId'),
      keyVersion: await currentKeyVersion(str(data, 'personId')),
      exp: num(data, 'reviseExp'),
    });
    lines.push(
      `请在 ${formatShanghaiDate(new Date(num(data, 'reviseExp') * 1000))} 前通过下面的链接提交修改稿（回执号不变）。`,
    );
    action = { url, label: '提交修改稿' };
  } else {
    subject = `您的稿件未予采用：${title}`;
    lines.push(`您报送的《${title}》（回执号 ${receipt}）经审核未予采用。`);
    if (comment) lines.push(`原因：${comment}`);
    lines.push('感谢您的报送，期待您的下一篇稿件。');
  }
  const heading = { accepted: '稿件已采用', returned: '稿件退回修改', rejected: '稿件未予采用' }[template];
  return {
    subject,
    html: layout(
      heading,
      html`<p>${str(data, 'name')}同志：</p>${lines.map((l) => paragraphs(l))}${button(action.url, action.label)}`,
    ),
    text: `${str(data, 'name')}同志：\n\n${lines.join('\n')}\n\n${action.label}：${action.url}\n`,
  };
}

const DECISION_LABELS: Record<string, string> = { accepted: '采用', returned: '退回修改', rejected: '不予采用' };

/** To the other editors: one line, so nobody opens a piece that is already handled. */
function handledEmail(data: Data): Rendered {
  const line = `《${str(data, 'title')}》（回执号 ${str(data, 'receipt')}）已由 ${str(data, 'editorName')} 于 ${formatShanghai(str(data, 'at'))} 处理：${DECISION_LABELS[str(data, 'decision')] ?? ''}。`;
  return {
    subject: `已由 ${str(data, 'editorName')} 处理：${str(data, 'title')}`,
    html: layout('稿件已处理', html`<p>${line}</p>`),
    text: `${line}\n`,
  };
}

export async function renderEmail(template: EmailTemplate, data: Data, to: string): Promise<OutgoingEmail> {
  let body: Rendered;
  switch (template) {
    case 'ack':
      body = await ackEmail(data);
      break;
    case 'review':
    case 'reminder':
      body = await reviewEmail(data, template === 'reminder');
      break;
    case 'accepted':
    case 'returned':
    case 'rejected':
      body = await decisionEmail(template, data);
      break;
    case 'handled':
      body = handledEmail(data);
      break;
    default:
      body = await linkEmail(template, data);
  }
  return { to, ...body };
}
