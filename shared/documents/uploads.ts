// What a form uploaded, checked before anything is written: at most one Word document (its text becomes the piece's
// body) and three attachments, 4 MB together, each file what its bytes say it is. A document is read here (mammoth,
// in a module of its own loaded only then), so its text meets the piece's rules like typed text.
import { createHash } from 'node:crypto';
import { type FieldError, ValidationError } from '../core/errors';
import { CONTENT_TYPES, cleanName, FILE_LIMITS, type FileKind, formatSize, kindOf } from './files';

/** A file a form posted (the multipart parser's shape). */
interface Posted {
  filename: string;
  content: Buffer;
}

/** A checked file, not stored yet. */
export interface PendingFile {
  role: 'document' | 'attachment';
  kind: FileKind;
  name: string;
  content: Buffer;
  contentType: string;
  sha256: string;
}

export interface ReadUpload {
  /** The document's text, sanitized HTML and title (from ./readDocx.ts). */
  document?: { name: string; text: string; html?: string; title?: string };
  /** Every file to keep, the document first. */
  files: PendingFile[];
}

const isPosted = (v: unknown): v is Posted =>
  typeof v === 'object' && v !== null && Buffer.isBuffer((v as Posted).content);

/** The files under one form field (the parser gives one, or a list newest first), empty file inputs left out. */
function postedFiles(fields: Record<string, unknown>, name: string, errors: FieldError[]): Posted[] {
  const raw = fields[name];
  if (raw === undefined || raw === null || raw === '') return [];
  const list = (Array.isArray(raw) ? [...raw].reverse() : [raw]).filter(
    (v) => !(isPosted(v) && v.filename === '' && v.content.length === 0),
  );
  if (list.some((v) => !isPosted(v))) {
    errors.push({ field: name, message: '文件须通过报送页面的“选择文件”上传。' });
    return [];
  }
  return list as Posted[];
}

const docxModule = () => import('./readDocx.js');

const UNREADABLE: Record<string, string> = {
  corrupt: '已损坏，无法读取。请在 Word 或 WPS 中打开后“另存为”.docx，再上传。',
  'not-docx': '不是 Word 文档（.docx），可能是其他文件改了扩展名。',
  'too-big': '内容过多或排版过于复杂，无法读取。请把文档拆分，或另存为 PDF 作为附件上传并把正文粘贴到正文框。',
};

/** True when the fields carry any file (a form without files, or a JSON client, costs nothing more). */
export function hasFiles(fields: Record<string, unknown>): boolean {
  return postedFiles(fields, 'document', []).length + postedFiles(fields, 'attachments', []).length > 0;
}

/**
 * Checks and reads what the form uploaded; a ValidationError names each field whose files are wrong (what was
 * typed is kept by the caller, the files have to be chosen again).
 */
export async function readUpload(fields: Record<string, unknown>): Promise<ReadUpload> {
  const errors: FieldError[] = [];
  const documents = postedFiles(fields, 'document', errors);
  const attachments = postedFiles(fields, 'attachments', errors);
  const total = [...documents, ...attachments].reduce((sum, f) => sum + f.content.length, 0);
  const add = (field: string, message: string) => {
    if (!errors.some((e) => e.field === field)) errors.push({ field, message });
  };
  if (documents.length > 1) add('document', `只能上传一个 Word 文档（选了 ${documents.length} 个），其余请作为附件。`);
  if (attachments.length > FILE_LIMITS.attachments) {
    add('attachments', `附件最多 ${FILE_LIMITS.attachments} 个（选了 ${attachments.length} 个）。`);
  }
  if (total > FILE_LIMITS.totalBytes) {
    add(
      documents.length ? 'document' : 'attachments',
      `文件合计 ${formatSize(total)}，超过 ${formatSize(FILE_LIMITS.totalBytes)} 的上限。请压缩文档中的图片，或把图片另存为较小的 JPG 后重试。`,
    );
  }
  if (errors.length) throw new ValidationError(errors);

  const check = (posted: Posted, role: PendingFile['role'], allowed: readonly FileKind[], field: string) => {
    const name = cleanName(posted.filename) || (role === 'document' ? '文档.docx' : '附件');
    if (posted.content.length === 0) {
      add(field, `文件“${name}”是空文件，请重新选择。`);
      return undefined;
    }
    try {
      const kind = kindOf(name, posted.content, allowed, field);
      const file: PendingFile = {
        role,
        kind,
        name,
        content: posted.content,
        contentType: CONTENT_TYPES[kind],
        sha256: createHash('sha256').update(posted.content).digest('hex'),
      };
      return file;
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      for (const e of err.errors) add(e.field, e.message);
      return undefined;
    }
  };
  const document = documents[0] ? check(documents[0], 'document', ['docx'], 'document') : undefined;
  const extra = attachments.map((a) => check(a, 'attachment', ['docx', 'pdf', 'jpg', 'png'], 'attachments'));
  if (errors.length) throw new ValidationError(errors);

  const docx = document || extra.some((f) => f?.kind === 'docx') ? await docxModule() : undefined;
  const unreadable = (file: PendingFile, field: string, err: unknown) => {
    if (!(docx && err instanceof docx.UnreadableDocumentError)) throw err;
    add(field, `文件“${file.name}”${UNREADABLE[err.reason]}`);
  };
  let read: ReadUpload['document'];
  if (document && docx) {
    try {
      read = { name: document.name, ...(await docx.readDocx(document.content)) };
    } catch (err) {
      unreadable(document, 'document', err);
    }
  }
  for (const file of extra) {
    if (file?.kind !== 'docx' || !docx) continue;
    try {
      await docx.assertDocx(file.content);
    } catch (err) {
      unreadable(file, 'attachments', err);
    }
  }
  if (errors.length) throw new ValidationError(errors);
  return {
    ...(read ? { document: read } : {}),
    files: [...(document ? [document] : []), ...(extra as PendingFile[])],
  };
}

/** The fields a piece is validated from: a document's text is the body, its heading the title if none was typed. */
export function fieldsWithDocument(fields: Record<string, unknown>, upload: ReadUpload): Record<string, unknown> {
  const doc = upload.document;
  if (!doc) return fields;
  const typed = typeof fields.title === 'string' ? fields.title.trim() : '';
  return { ...fields, body: doc.text, title: typed || doc.title || '' };
}
