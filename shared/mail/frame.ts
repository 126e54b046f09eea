// The frame every email shares: Chinese HTML (tables, inline styles, as mail clients need) with a plain-text
// alternative, every value escaped. Features fill it with their own content.
import { html, type SafeHtml } from '../core/html';

export function layout(heading: string, content: SafeHtml): string {
  return html`<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>${heading}</title></head>
<body style="margin:0;padding:0;background:#f4f4f4;font-family:'PingFang SC','Microsoft YaHei',sans-serif;color:#222">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0"><tr><td align="center" style="padding:16px">
<table role="presentation" width="600" cellpadding="0" cellspacing="0" style="max-width:600px;background:#fff;border-top:4px solid #b71c1c">
<tr><td style="padding:20px 24px"><h2 style="margin:0 0 12px;font-size:20px;color:#b71c1c">${heading}</h2>${content}
<p style="margin-top:24px;font-size:12px;color:#888">此邮件由组工信息报送系统自动发送，请勿直接回复。</p></td></tr>
</table></td></tr></table></body></html>`.value;
}

export function button(url: string, label: string): SafeHtml {
  return html`<p style="margin:20px 0"><a href="${url}" style="background:#b71c1c;color:#fff;padding:10px 18px;text-decoration:none;border-radius:4px">${label}</a></p>
<p style="font-size:12px;color:#666">如按钮无法打开，请复制以下链接到浏览器：<br>${url}</p>`;
}

export type Rows = [string, string | number | undefined][];

/** A two-column table of label and value; empty values are left out. */
export function table(rows: Rows): SafeHtml {
  return html`<table cellpadding="6" cellspacing="0" style="border-collapse:collapse;border:1px solid #ddd">${rows
    .filter(([, v]) => v !== undefined && v !== '')
    .map(
      ([k, v]) => html`<tr><th align="left" style="background:#fafafa;white-space:nowrap">${k}</th><td>${v}</td></tr>`,
    )}</table>`;
}

/** The same rows for the plain-text part. */
export function textTable(rows: Rows): string {
  return rows
    .filter(([, v]) => v !== undefined && v !== '')
    .map(([k, v]) => `${k}：${v}`)
    .join('\n');
}
