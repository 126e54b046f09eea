// A revision's text as pages and emails show it: the document's sanitized HTML when it came from a Word document
// (tables as tables), else the typed text as paragraphs; and the list of its files with their download links.
import { html, paragraphs, SafeHtml } from '../core/html';
import { FILE_KIND_LABELS, type FileRef, formatSize } from '../documents/files';
import { CELL_STYLE } from '../mail/frame';

type Text = { body?: string; bodyHtml?: string };

/**
 * The HTML is the sanitizer's output from intake (shared/documents/readDocx.ts: a short list of tags, no attributes
 * but colspan, rowspan and http(s) links), stored as such: it is inserted as it is.
 */
export function pieceBody(revision: Text): SafeHtml {
  // A wide table scrolls inside the box: it takes the keyboard's focus to be scrolled without a mouse.
  if (revision.bodyHtml) {
    return html`<div class="body doc" role="region" tabindex="0" aria-label="正文">${new SafeHtml(belowPage(revision.bodyHtml))}</div>`;
  }
  return html`<div class="body">${revision.body ?? ''}</div>`;
}

/** The document's headings sit below the page's own (its title is the page's heading already): h1 becomes h3. */
const belowPage = (html: string): string =>
  html.replace(/<(\/?)h([1-6])>/g, (_, close: string, level: string) => `<${close}h${Math.min(6, Number(level) + 2)}>`);

/** The same for an email: mail clients drop style sheets, so the table's lines are on its cells. */
export function emailBody(revision: Text): SafeHtml {
  const frame = 'border:1px solid #eee;padding:12px;background:#fcfcfc;overflow-x:auto';
  if (!revision.bodyHtml) return html`<div style="${frame}">${paragraphs(revision.body ?? '')}</div>`;
  const styled = belowPage(revision.bodyHtml)
    .replace(/<table>/g, '<table style="border-collapse:collapse;margin:8px 0">')
    .replace(/<(td|th)(?=[\s>])/g, `<$1 style="${CELL_STYLE};vertical-align:top"`)
    .replace(/<p>/g, '<p style="margin:0 0 8px">');
  return html`<div style="${frame}">${new SafeHtml(styled)}</div>`;
}

/** `href`: the file's download link for this reader (none: the name alone). */
export function fileList(files: readonly FileRef[] | undefined, href?: (file: FileRef) => string): SafeHtml {
  if (!files?.length) return html``;
  return html`<ul class="files">${files.map((f) => {
    const label = html`${f.name}`;
    const what = `${f.role === 'document' ? '原件' : '附件'}，${FILE_KIND_LABELS[f.kind]}，${formatSize(f.size)}`;
    return html`<li>${href ? html`<a href="${href(f)}" download>${label}</a>` : label}（${what}）</li>`;
  })}</ul>`;
}

/** The files as lines of a plain-text email. */
export function fileLines(files: readonly FileRef[] | undefined, href?: (file: FileRef) => string): string {
  return (files ?? [])
    .map(
      (f) =>
        `${f.role === 'document' ? '原件' : '附件'}：${f.name}（${formatSize(f.size)}）${href ? ` ${href(f)}` : ''}`,
    )
    .join('\n');
}
