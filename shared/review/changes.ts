// What changed between two drafts of a piece, for the editor who reads the second: by sentence (Chinese sentences end
// at 。！？；…), and inside a sentence that was reworded, by character — with jsdiff, a maintained diff library. Shown
// on the review page and in the review email of every draft after the first, above the whole text.
import { diffArrays, diffChars } from 'diff';
import { html, type SafeHtml } from '../core/html';

export type ChangeKind = 'same' | 'added' | 'removed';

export interface Change {
  kind: ChangeKind;
  text: string;
}

/** Sentences with their closing punctuation (and quotes after it), and line ends as their own pieces. */
export function sentences(text: string): string[] {
  return text.match(/[^。！？；!?;\n]*(?:[。！？；!?;]+[”’」』）)]*|\n|$)/g)?.filter((s) => s !== '') ?? [];
}

/** A reworded sentence is shown by character only while most of it stayed: otherwise as removed, then added. */
const MOSTLY_KEPT = 0.5;

function push(out: Change[], kind: ChangeKind, text: string): void {
  if (text === '') return;
  const last = out.at(-1);
  if (last?.kind === kind) last.text += text;
  else out.push({ kind, text });
}

export function draftChanges(before: string, after: string): Change[] {
  const out: Change[] = [];
  const parts = diffArrays(sentences(before), sentences(after));
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    const text = part.value.join('');
    const next = parts[i + 1];
    if (part.removed && next?.added) {
      // A replacement: by character, if the two are mostly the same text.
      const added = next.value.join('');
      const chars = diffChars(text, added);
      const kept = chars.filter((c) => !c.added && !c.removed).reduce((n, c) => n + c.value.length, 0);
      if (kept >= MOSTLY_KEPT * Math.max(text.length, added.length)) {
        for (const c of chars) push(out, c.added ? 'added' : c.removed ? 'removed' : 'same', c.value);
      } else {
        push(out, 'removed', text);
        push(out, 'added', added);
      }
      i += 1;
      continue;
    }
    push(out, part.added ? 'added' : part.removed ? 'removed' : 'same', text);
  }
  return out;
}

/** How much changed, in characters (line ends not counted). */
export function changeCounts(changes: Change[]): { added: number; removed: number } {
  const count = (kind: ChangeKind) =>
    changes.filter((c) => c.kind === kind).reduce((n, c) => n + [...c.text.replace(/\n/g, '')].length, 0);
  return { added: count('added'), removed: count('removed') };
}

const INS = 'background:#e6f4ea;color:#0b5a1e;text-decoration:underline';
const DEL = 'background:#fdecea;color:#8a1c1c;text-decoration:line-through';
const BOX = 'white-space:pre-wrap;border:1px solid #eee;padding:12px;background:#fcfcfc';

/**
 * The changes as HTML, every piece of text escaped, line ends kept. Emails carry their styles inline; pages take
 * them from the stylesheet (their CSP allows no style attribute).
 */
export function changesHtml(changes: Change[], options: { inline: boolean }): SafeHtml {
  const style = (css: string) => (options.inline ? html` style="${css}"` : '');
  return html`<div class="changes"${style(BOX)}>${changes.map((c) =>
    c.kind === 'added'
      ? html`<ins${style(INS)}>${c.text}</ins>`
      : c.kind === 'removed'
        ? html`<del${style(DEL)}>${c.text}</del>`
        : c.text,
  )}</div>`;
}

export interface Draft {
  revision: number;
  title?: string;
  body?: string;
}

/**
 * What the editor sees above the whole text of a later draft: the title change, the one-line count and the marked
 * changes (styles inline for an email, from the stylesheet on a page).
 */
export function changesBlock(before: Draft, now: Draft, options: { inline: boolean }): SafeHtml {
  const changes = draftChanges(before.body ?? '', now.body ?? '');
  const style = (css: string) => (options.inline ? html` style="${css}"` : '');
  return html`${before.title !== now.title ? html`<p>标题：<del${style('color:#8a1c1c')}>${before.title}</del> → <ins${style('color:#0b5a1e')}>${now.title}</ins></p>` : ''}
<p${options.inline ? html` style="color:#555"` : html` class="hint"`}>${changesSummary(before.revision, changes)}</p>${changesHtml(changes, options)}`;
}

/** The same for the plain-text part. */
export function changesBlockText(before: Draft, now: Draft): string {
  const changes = draftChanges(before.body ?? '', now.body ?? '');
  const retitled = before.title !== now.title ? `标题：${before.title} → ${now.title}\n` : '';
  return `修改之处（${changesSummary(before.revision, changes)}）\n${retitled}${changesText(changes)}`;
}

/** The changes for the plain-text part: 〔+新增〕 and 〔-删除〕 marks. */
export function changesText(changes: Change[]): string {
  return changes
    .map((c) => (c.kind === 'added' ? `〔+${c.text}〕` : c.kind === 'removed' ? `〔-${c.text}〕` : c.text))
    .join('');
}

/** One line above the changes: against which draft, and how much. */
export function changesSummary(previous: number, changes: Change[]): string {
  const { added, removed } = changeCounts(changes);
  if (added === 0 && removed === 0) return `与第 ${previous} 稿相比，正文没有改动。`;
  return `与第 ${previous} 稿相比：新增 ${added} 字，删除 ${removed} 字。绿色下划线为新增，红色删除线为删除。`;
}
