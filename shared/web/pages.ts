// The page frame every HTML response uses: Chinese, phone-friendly, one stylesheet allowed by its hash in the CSP,
// no script at all.
import { createHash } from 'node:crypto';
import { config } from '../core/config';
import { html, SafeHtml } from '../core/html';

const CSS = `
*{box-sizing:border-box}body{margin:0;font:16px/1.6 "PingFang SC","Microsoft YaHei","Noto Sans CJK SC",sans-serif;color:#222;background:#f5f5f5}
header{background:#b71c1c;color:#fff;padding:12px 16px}header a{color:#fff;text-decoration:none;font-weight:bold}
main{max-width:760px;margin:0 auto;padding:16px;background:#fff;min-height:60vh}
h1{font-size:22px;margin:8px 0 16px}h2{font-size:18px}
label{display:block;font-weight:bold;margin:14px 0 4px}
input[type=text],input[type=email],textarea,select{width:100%;padding:8px;font:inherit;border:1px solid #bbb;border-radius:4px}
textarea{min-height:14em}fieldset{border:0;padding:0;margin:14px 0 0}fieldset label{display:inline;font-weight:normal;margin-right:16px}
legend{font-weight:bold}.hint{color:#666;font-size:14px}.error{color:#b00020;font-size:14px;margin:4px 0}
.errors{border:1px solid #b00020;background:#fff4f4;padding:8px 12px;margin:12px 0}.errors p{margin:4px 0}
button{margin-top:18px;margin-right:8px;padding:10px 22px;font:inherit;color:#fff;background:#b71c1c;border:0;border-radius:4px;cursor:pointer}
button{min-height:44px}button.secondary{background:#fff;color:#555;border:1px solid #999}
button.accept{background:#2e7d32}button.return{background:#bf360c}
button.reject{background:#fff;color:#b00020;border:1px solid #b00020}
.decisions{display:flex;flex-wrap:wrap;align-items:center;gap:0 8px}.decisions .apart{margin-left:auto}
.changes{white-space:pre-wrap;border:1px solid #eee;padding:12px;background:#fcfcfc}
ins{background:#e6f4ea;color:#0b5a1e;text-decoration:underline}del{background:#fdecea;color:#8a1c1c;text-decoration:line-through}
.done{border:1px solid #2e7d32;background:#f1f8f1;padding:8px 12px;margin:12px 0}
.next{border:1px solid #ddd;background:#fafafa;padding:8px 12px;margin:16px 0}
a.button{display:inline-block;margin-top:8px;padding:10px 22px;min-height:44px;color:#fff;background:#b71c1c;border-radius:4px;text-decoration:none}
table{border-collapse:collapse;width:100%}th,td{border:1px solid #ddd;padding:6px 8px;text-align:left;vertical-align:top}
th{background:#fafafa;width:7em}.who{background:#f7f7f7;padding:8px 12px;border-left:4px solid #b71c1c;display:flex;flex-wrap:wrap;gap:8px;align-items:center;justify-content:space-between}.who p{margin:0}
ol.timeline{padding-left:1.2em}ol.timeline li{margin:6px 0}.body{white-space:pre-wrap;border:1px solid #eee;padding:12px;background:#fcfcfc}
.doc{white-space:normal;overflow-x:auto}.doc th{width:auto}.doc td p,.doc th p{margin:0}.doc table{width:auto;min-width:50%;margin:8px 0}
ul.files{padding-left:1.2em}ul.files li{margin:4px 0}
footer{max-width:760px;margin:0 auto;padding:12px 16px;color:#595959;font-size:13px}
main.wide,footer.wide{max-width:1200px}.scroll{overflow-x:auto;margin:8px 0}
nav.tabs{display:flex;flex-wrap:wrap;gap:2px;margin:0 0 12px;border-bottom:2px solid #b71c1c}
nav.tabs a{display:inline-block;padding:10px 12px;min-height:44px;color:#b71c1c;text-decoration:none}
nav.tabs a[aria-current=page]{background:#b71c1c;color:#fff;border-radius:4px 4px 0 0}
table.grid th{width:auto;white-space:nowrap}table.grid td.title{min-width:12em}table.grid td.n,table.grid th.n{text-align:right;white-space:nowrap}
form.filters{display:flex;flex-wrap:wrap;gap:0 12px;align-items:flex-end}form.filters label{margin:8px 0 4px}
form.filters select,form.filters input{width:auto;min-width:8em;min-height:44px}
form.inline{display:inline}form.inline button{margin:2px 4px 2px 0;padding:6px 12px}
.pager a,.links a{display:inline-block;margin-right:16px;padding:10px 0;min-height:44px}
.muted{color:#595959}
.st-accepted{color:#1b5e20;font-weight:bold}.st-overdue{color:#b71c1c;font-weight:bold}.st-returned{color:#bf360c}.st-none,.st-rejected{color:#595959}
.chart{margin:12px 0}.chart svg{display:block;width:100%;height:auto}.flag{color:#b71c1c}tr.silent td{background:#fff8e1}
@media print{header,footer,nav.tabs,form,.noprint{display:none}body{background:#fff;font-size:12pt}
main,main.wide{max-width:none;padding:0}h2{break-after:avoid}tr,.chart{break-inside:avoid}.scroll{overflow:visible}}
@page{size:A4;margin:18mm 15mm}
`;

const CSS_HASH = createHash('sha256').update(CSS).digest('base64');

/** Sent with every response: no script may run, nothing may frame us, and no Referer carries a token away. */
export const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy': `default-src 'none'; style-src 'sha256-${CSS_HASH}'; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'`,
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'strict-transport-security': 'max-age=31536000',
  'cache-control': 'no-store',
};

/** The site's icon: a red square with 报 (served at /favicon.ico, and inline in every page so no request 404s). */
export const FAVICON_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64"><rect width="64" height="64" rx="10" fill="#b71c1c"/>' +
  '<text x="32" y="46" font-size="40" text-anchor="middle" fill="#fff" font-family="sans-serif">报</text></svg>';
const FAVICON_LINK = `data:image/svg+xml,${encodeURIComponent(FAVICON_SVG)}`;

/**
 * `home`: where the header's name leads (an informant's own form, when the page knows their key). `wide`: pages of
 * tables (the desk), up to 1200 px instead of a column of text.
 */
export function page(title: string, content: SafeHtml, options: { home?: string; wide?: boolean } = {}): string {
  const wide = options.wide ? ' class="wide"' : '';
  return html`<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="referrer" content="no-referrer"><link rel="icon" href="${FAVICON_LINK}"><title>${title} - 组工信息报送</title><style>${new SafeHtml(CSS)}</style></head>
<body><header><a href="${options.home ?? '/'}">组工信息报送</a></header><main${new SafeHtml(wide)}>${content}</main>
<footer${new SafeHtml(wide)}>如有疑问，请联系${config().contact}。</footer></body></html>`.value;
}

export function messagePage(title: string, message: string, extra?: SafeHtml): string {
  return page(title, html`<h1>${title}</h1><p>${message}</p>${extra ?? ''}`);
}
