// The piece form (稿件表单): kind, title, body, topic, signer — the same form for a new piece and for a revision, shown
// again with what was typed and a message beside each bad field.

import { formatShanghai } from '../core/clock';
import type { FieldError } from '../core/errors';
import { html, type SafeHtml } from '../core/html';
import { FILE_LIMITS, type FileRef, formatSize } from '../documents/files';
import { hasFiles } from '../documents/uploads';
import { page } from '../web/pages';
import type { PieceEvent } from './events';
import { FIELD_LABELS, KIND_LABELS, LIMITS, type PieceKind } from './piece';

export interface FormValues {
  kind?: string;
  title?: string;
  body?: string;
  topic?: string;
  task?: string;
  signer?: string;
  /** Files were chosen (a browser cannot be given them back: the form asks to choose them again). */
  filesChosen?: boolean;
}

export interface FormContext {
  /** The personal key, for a new piece; a revision posts to its own link instead. */
  k?: string;
  /** Where the form posts (default: a new piece). */
  action?: string;
  heading?: string;
  /** Shown above the form: the editor's feedback when revising. */
  feedback?: SafeHtml;
  /** Who is sending; unknown when the form is shown again while the store cannot be read. */
  informantName?: string;
  unitName?: string;
  values?: FormValues;
  errors?: FieldError[];
  /** Open topics (点题) for the informant's unit; the field is hidden when there are none. */
  topics?: { id: string; title: string }[];
  /** Open 重点调研 tasks of the informant's unit (for a research paper); hidden when there are none. */
  tasks?: { id: string; title: string }[];
  /** A notice above the form (e.g. the store was unreachable and the input is kept). */
  notice?: string;
  /** The piece just sent (a new piece's form after a successful submission): 报送成功 above the form. */
  sent?: { piece: PieceEvent; receiptPath: string };
  /** The submit button's label (default 提交). */
  submitLabel?: string;
  /** Revising: the draft before's attachments, which come along unless others are chosen. */
  previousAttachments?: FileRef[];
  /** Revising: the name of the Word document the draft before was read from. */
  previousDocument?: string;
}

/** 报送成功: what was received, what happens next, and where to follow it. */
function sentBanner(sent: { piece: PieceEvent; receiptPath: string }) {
  const p = sent.piece;
  return html`<div class="done" role="status"><h2>报送成功</h2>
<table><tr><th>回执号</th><td>${p.receipt}</td></tr><tr><th>标题</th><td>${p.title}</td></tr>
<tr><th>类型</th><td>${KIND_LABELS[p.kind]}</td></tr>${p.signer ? html`<tr><th>签发领导</th><td>${p.signer}</td></tr>` : ''}
<tr><th>报送时间</th><td>${formatShanghai(p.at)}</td></tr></table>
<p>回执已发到您的邮箱。信息科审核后会通过邮件告诉您结果。</p>
<p><a href="${sent.receiptPath}">查看回执和审核进度</a></p></div>
<h2>继续报送</h2>`;
}

const asText = (v: unknown): string => (typeof v === 'string' ? v : '');

/** Only the fields the form knows, as strings: what the user typed comes back into the form as it was. */
export function formValuesOf(fields: Record<string, unknown>): FormValues {
  return {
    kind: asText(fields.kind),
    title: asText(fields.title),
    body: asText(fields.body),
    topic: asText(fields.topic),
    task: asText(fields.task),
    signer: asText(fields.signer),
    filesChosen: hasFiles(fields),
  };
}

export function submitFormPage(ctx: FormContext): string {
  const v = ctx.values ?? {};
  const errors = ctx.errors ?? [];
  // A field with a message says so to screen readers and points at the message.
  // `hint`: the id of the field's hint, which describes it too.
  const invalid = (field: string, hint?: string) =>
    errors.some((e) => e.field === field)
      ? html` aria-invalid="true" aria-describedby="${hint ? `${hint} ` : ''}${field}-error"`
      : hint
        ? html` aria-describedby="${hint}"`
        : '';
  const errorOf = (field: string) =>
    errors.filter((e) => e.field === field).map((e) => html`<p class="error" id="${field}-error">${e.message}</p>`);
  const topics = ctx.topics ?? [];
  // Messages for fields without a place on the form (e.g. a topic that closed while the form was open) go on top.
  const tasks = ctx.tasks ?? [];
  const placed = [
    'kind',
    'title',
    'body',
    'document',
    'attachments',
    'signer',
    ...(topics.length ? ['topic'] : []),
    ...(tasks.length ? ['task'] : []),
  ];
  const other = errors.filter((e) => !placed.includes(e.field));
  // 信息 is what most pieces are: checked unless something else was chosen.
  const chosen = v.kind === 'research' ? 'research' : 'info';
  const kindRadio = (kind: PieceKind) =>
    html`<label><input type="radio" name="kind" value="${kind}"${chosen === kind ? html` checked` : ''} required> ${KIND_LABELS[kind]}</label>`;
  const heading = ctx.heading ?? '报送稿件';
  const home = ctx.k ? `/submit?k=${encodeURIComponent(ctx.k)}` : undefined;
  const named = [...new Set(errors.map((e) => FIELD_LABELS[e.field]).filter((n) => n !== undefined))];
  return page(
    ctx.sent ? '报送成功' : heading,
    html`<h1>${heading}</h1>
${ctx.informantName ? html`<p class="who">报送人：${ctx.informantName}（${ctx.unitName ?? ''}）</p>` : ''}
${ctx.k ? html`<p class="links"><a href="/mine?k=${encodeURIComponent(ctx.k)}">我的报送</a>（今年报送的稿件、审核结果和修改意见）</p>` : ''}
${ctx.notice ? html`<div class="errors"><p>${ctx.notice}</p>${v.filesChosen ? html`<p>所选的文件需要重新选择。</p>` : ''}</div>` : ''}
${ctx.sent ? sentBanner(ctx.sent) : ''}
${errors.length ? html`<div class="errors" role="alert"><p>请修改下面标出的内容后再提交${named.length ? `：${named.join('、')}` : ''}。</p>${other.map((e) => html`<p class="error">${e.message}</p>`)}${v.filesChosen && !ctx.notice ? html`<p>填写的内容已保留；所选的文件需要重新选择。</p>` : ''}</div>` : ''}
${ctx.feedback ?? ''}
<form method="post" action="${ctx.action ?? '/submissions'}" accept-charset="utf-8" enctype="multipart/form-data">
${ctx.k ? html`<input type="hidden" name="k" value="${ctx.k}">` : ''}
<fieldset><legend>类型</legend>${kindRadio('info')}${kindRadio('research')}</fieldset>${errorOf('kind')}
<label for="title">标题</label>
<input type="text" id="title" name="title" maxlength="${LIMITS.titleMax}" value="${v.title ?? ''}"${invalid('title')}>${errorOf('title')}
<p class="hint">上传 Word 文档时可不填，取文档的标题。</p>
<label for="document">Word 文档（.docx，可选）</label>
<p class="hint" id="document-hint">调研文稿可直接上传 Word 文档：正文和表格从文档中读出，原件随稿件保存，编辑可下载。上传后以文档内容为准，下面的正文不必再填。WPS 文档请另存为 .docx。</p>
${ctx.previousDocument ? html`<p class="hint">上一稿来自 Word 文档“${ctx.previousDocument}”。要保留表格和原件，请上传修改后的 .docx；只在下面的正文框里修改的，表格会变成纯文字。</p>` : ''}
<input type="file" id="document" name="document" accept=".docx,application/vnd.openxmlformats-officedocument.wordprocessingml.document"${invalid('document', 'document-hint')}>${errorOf('document')}
<label for="body">正文</label>
<p class="hint">${LIMITS.bodyMin}～${LIMITS.bodyMax} 字。可直接从 Word 粘贴；已上传 Word 文档的可不填。</p>
<textarea id="body" name="body"${invalid('body')}>${v.body ?? ''}</textarea>${errorOf('body')}
<label for="attachments">附件（可选，最多 ${FILE_LIMITS.attachments} 个）</label>
<p class="hint" id="attachments-hint">Word（.docx）、PDF 或 JPG、PNG 图片。文档和附件合计不超过 ${formatSize(FILE_LIMITS.totalBytes)}。${ctx.previousAttachments?.length ? `上一稿的附件（${ctx.previousAttachments.map((f) => f.name).join('、')}）会随修改稿保留；选择新附件则替换它们。` : ''}</p>
<input type="file" id="attachments" name="attachments" multiple accept=".docx,.pdf,.jpg,.jpeg,.png"${invalid('attachments', 'attachments-hint')}>${errorOf('attachments')}
${
  topics.length
    ? html`<label for="topic">点题（可选）</label><select id="topic" name="topic"><option value="">不针对点题</option>${topics.map(
        (t) => html`<option value="${t.id}"${v.topic === t.id ? html` selected` : ''}>${t.title}</option>`,
      )}</select>${errorOf('topic')}`
    : ''
}
${
  tasks.length
    ? html`<label for="task">重点调研任务（调研文稿可选）</label><select id="task" name="task"><option value="">不对应调研任务</option>${tasks.map(
        (t) => html`<option value="${t.id}"${v.task === t.id ? html` selected` : ''}>${t.title}</option>`,
      )}</select>${errorOf('task')}`
    : ''
}
<label for="signer">签发领导（可选）</label>
<input type="text" id="signer" name="signer" maxlength="${LIMITS.signerMax}" value="${v.signer ?? ''}"${invalid('signer')}>${errorOf('signer')}
<button type="submit">${ctx.submitLabel ?? '提交'}</button>
</form>`,
    home ? { home } : {},
  );
}
