// A piece (稿件) as an informant writes it: its kinds, limits and the validation of every field, at intake and on
// revision alike. Pure: no I/O.
import { type FieldError, ValidationError } from '../core/errors';
import { isBlank, isReadable, normalized } from '../core/text';
import { fieldsWithDocument, type ReadUpload } from '../documents/uploads';

export type PieceKind = 'info' | 'research';

export const KIND_LABELS: Record<PieceKind, string> = { info: '信息', research: '调研文稿' };

export const LIMITS = { titleMax: 100, bodyMin: 20, bodyMax: 20_000, signerMax: 50 } as const;

export interface PieceInput {
  kind: PieceKind;
  title: string;
  body: string;
  /** The body as sanitized HTML, when it was read from a Word document (tables kept). */
  bodyHtml?: string;
  topicId?: string;
  /** A research paper's 重点调研 task (one of its unit's open tasks). */
  taskId?: string;
  signer?: string;
}

/** Raw fields as a client sent them (form or JSON): anything may be missing or of the wrong type. */
export type RawFields = Record<string, unknown>;

const length = (s: string) => [...s].length;

/** Each field's name as the form and its messages say it. */
export const FIELD_LABELS: Record<string, string> = {
  kind: '类型',
  title: '标题',
  body: '正文',
  topic: '点题',
  task: '重点调研任务',
  signer: '签发领导',
  document: 'Word 文档',
  attachments: '附件',
};

/** Collects at most one message per field: the first problem found is the one worth telling. */
class FieldErrors {
  readonly list: FieldError[] = [];
  add(field: string, message: string): void {
    if (!this.has(field)) this.list.push({ field, message });
  }
  has(field: string): boolean {
    return this.list.some((e) => e.field === field);
  }
}

function text(fields: RawFields, name: string, errors: FieldErrors): string {
  const value = fields[name];
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') {
    errors.add(name, `${FIELD_LABELS[name] ?? name}格式不正确，请重新填写。`);
    return '';
  }
  // Refused here, not in the outbox: half of a surrogate pair cannot be encoded in an email or stored as UTF-8.
  if (!isReadable(value)) {
    errors.add(name, `${FIELD_LABELS[name] ?? name}含有无法识别的字符。`);
    return '';
  }
  // Only zero-width characters is nothing; NFC so the same text sent twice is the same text (double submits).
  return isBlank(value) ? '' : normalized(value);
}

/**
 * Checks every field and returns the cleaned piece, or throws one ValidationError naming each bad field once.
 * `openTopicIds` are the topics the informant's unit may answer, `openTaskIds` the research tasks its research papers
 * may name; anything else is refused.
 */
export function validatePiece(
  fields: RawFields,
  openTopicIds: readonly string[] = [],
  openTaskIds: readonly string[] = [],
  /** The body was read from this uploaded document: its problems are the document's. */
  options: { document?: string } = {},
): PieceInput {
  const errors = new FieldErrors();
  const doc = options.document;
  const kind = text(fields, 'kind', errors).trim();
  // A title is one line: line breaks pasted into it become spaces (and never reach an email header).
  const title = text(fields, 'title', errors).replace(/\s+/g, ' ').trim();
  const body = text(fields, 'body', errors).replace(/\r\n?/g, '\n').trim();
  const topicId = text(fields, 'topic', errors).trim();
  const taskId = text(fields, 'task', errors).trim();
  const signer = text(fields, 'signer', errors).replace(/\s+/g, ' ').trim();

  if (kind !== 'info' && kind !== 'research') errors.add('kind', '请选择稿件类型：信息或调研文稿。');
  if (title === '')
    errors.add('title', doc === undefined ? '请填写标题。' : '请填写标题（文档里没有找到标题样式的段落）。');
  else if (length(title) > LIMITS.titleMax) {
    errors.add('title', `标题不能超过 ${LIMITS.titleMax} 字（现有 ${length(title)} 字）。`);
  }
  const bodyField = doc === undefined ? 'body' : 'document';
  const bodyName = doc === undefined ? '正文' : `文档“${doc}”的正文`;
  if (body === '') {
    errors.add(
      bodyField,
      doc === undefined ? '请填写正文，或上传 Word 文档。' : `${bodyName}是空的（图片里的文字读不出来）。`,
    );
  } else if (length(body) < LIMITS.bodyMin) {
    errors.add(bodyField, `${bodyName}至少 ${LIMITS.bodyMin} 字（现有 ${length(body)} 字）。`);
  } else if (length(body) > LIMITS.bodyMax) {
    errors.add(bodyField, `${bodyName}不能超过 ${LIMITS.bodyMax} 字（现有 ${length(body)} 字）。`);
  }
  if (topicId !== '' && !openTopicIds.includes(topicId)) {
    errors.add('topic', '所选点题不存在或已截止，请重新选择。');
  }
  if (taskId !== '' && kind === 'info') errors.add('task', '重点调研任务只能由调研文稿对应，信息请不要选择任务。');
  else if (taskId !== '' && !openTaskIds.includes(taskId)) {
    errors.add('task', '所选调研任务不存在、已结束或不属于本单位，请重新选择。');
  }
  if (length(signer) > LIMITS.signerMax) errors.add('signer', `签发领导不能超过 ${LIMITS.signerMax} 字。`);

  if (errors.list.length > 0) throw new ValidationError(errors.list);
  return {
    kind: kind as PieceKind,
    title,
    body,
    ...(topicId ? { topicId } : {}),
    ...(taskId && kind === 'research' ? { taskId } : {}),
    ...(signer ? { signer } : {}),
  };
}

/** The piece from the fields, or from the uploaded document: its text the body, its heading a missing title. */
export function pieceOf(
  fields: RawFields,
  upload: ReadUpload | undefined,
  openTopicIds: readonly string[],
  openTaskIds: readonly string[],
): PieceInput {
  const doc = upload?.document;
  const piece = validatePiece(
    upload ? fieldsWithDocument(fields, upload) : fields,
    openTopicIds,
    openTaskIds,
    doc ? { document: doc.name } : {},
  );
  return doc?.html ? { ...piece, bodyHtml: doc.html } : piece;
}
