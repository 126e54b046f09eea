// The frame every email shares: Chinese HTML (tables, inline styles, as mail clients need) with a plain-text
// alternative, every value escaped. Features fill it with their own content, in the county's setting of what an email
// may carry (`fullText`).
import { config } from '../core/config';
import { html, type SafeHtml } from '../core/html';

/**
 * The page of an email: fluid up to 600 px (phones read mail at 360-400 px), a viewport for mobile clients, and the
 * contact line (the emails cannot be answered). Links open in a new tab where a client honours it.
 */
export function layout(heading: string, content: SafeHtml): string {
  return html`<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1"><title>${heading}</title></head>
<body style="margin:0;padding:0;background:#f4f4f4;font-family:'PingFang SC','Microsoft YaHei',sans-serif;color:#222;font-size:16px;line-height:1.6">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0"><tr><td align="center" style="padding:12px 8px">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="width:100%;max-width:600px;background:#fff;border-top:4px solid #b71c1c">
<tr><td style="padding:16px 16px 20px;word-break:break-word;overflow-wrap:anywhere"><h1 style="margin:0 0 12px;font-size:20px;color:#b71c1c">${heading}</h1>${content}
<p style="margin-top:24px;font-size:13px;color:#666">此邮件由组工信息报送系统自动发送，请勿直接回复。如有疑问，请联系${config().contact}。</p></td></tr>
</table></td></tr></table></body></html>`.value;
}

/**
 * Whether emails carry the work's text: titles, bodies, feedback and remarks, topics and tasks, figures (`full`, the
 * default). Where a county's rules forbid sending work text to outside mailboxes (`link`), each email says only what
 * happened — receipt numbers, dates, decisions — and links to the page that shows the rest, which its token opens.
 */
export const fullText = (): boolean => config().emailText === 'full';

/**
 * What a `link` email says in place of what it leaves out (`what`: 稿件的标题和正文, 修改意见…), and where to read it
 * (the email's link, unless it has none).
 */
export const linkNote = (what: string, where = '请打开链接查看'): string =>
  `按本县规定，${what}不通过邮件发送，${where}。`;

/** The one action of an email: a button big enough to tap (44 px), and the link itself, wrapped, for clients without. */
export function button(url: string, label: string): SafeHtml {
  return html`<p style="margin:20px 0"><a href="${url}" target="_blank" style="display:inline-block;background:#b71c1c;color:#fff;padding:12px 22px;min-height:20px;line-height:20px;font-size:16px;text-decoration:none;border-radius:4px">${label}</a></p>
<p style="font-size:12px;color:#666;word-break:break-all;overflow-wrap:anywhere">如按钮无法打开，请复制以下链接到浏览器：<br><a href="${url}" target="_blank" style="color:#666">${url}</a></p>`;
}

/** The inline style of a cell of a data table (a report's rows), and of its head. */
export const CELL_STYLE = 'border:1px solid #ddd;padding:4px 6px;font-size:14px';
export const HEAD_STYLE = `${CELL_STYLE};background:#fafafa;white-space:nowrap`;

export type Rows = [string, string | number | undefined][];

/** A two-column table of label and value; empty values are left out. */
export function table(rows: Rows): SafeHtml {
  return html`<table cellpadding="6" cellspacing="0" style="border-collapse:collapse;border:1px solid #ddd;width:100%">${rows
    .filter(([, v]) => v !== undefined && v !== '')
    .map(
      ([k, v]) => html`<tr><th align="left" style="background:#fafafa;white-space:nowrap">${k}</th><td>${v}</td></tr>`,
    )}</table>`;
}

/** The contact line of the plain-text part. */
export const textFooter = (): string =>
  `\n——\n此邮件由组工信息报送系统自动发送，请勿直接回复。如有疑问，请联系${config().contact}。\n`;

/** The same rows for the plain-text part. */
export function textTable(rows: Rows): string {
  return rows
    .filter(([, v]) => v !== undefined && v !== '')
    .map(([k, v]) => `${k}：${v}`)
    .join('\n');
}
