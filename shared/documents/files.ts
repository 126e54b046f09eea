// The files a piece carries (原件 and 附件): what may be uploaded, how big, how a file's bytes say what it is (never
// its name), and how a stored file is named and keyed in the bucket. Pure: no I/O.
import { ValidationError } from '../core/errors';

/** What a file is, by its bytes. */
export type FileKind = 'docx' | 'pdf' | 'jpg' | 'png';

export const FILE_KIND_LABELS: Record<FileKind, string> = {
  docx: 'Word 文档',
  pdf: 'PDF',
  jpg: 'JPG 图片',
  png: 'PNG 图片',
};

export const CONTENT_TYPES: Record<FileKind, string> = {
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  pdf: 'application/pdf',
  jpg: 'image/jpeg',
  png: 'image/png',
};

/** The name endings each kind may have (a name is checked against the bytes, not trusted). */
const EXTENSIONS: Record<FileKind, readonly string[]> = {
  docx: ['docx'],
  pdf: ['pdf'],
  jpg: ['jpg', 'jpeg'],
  png: ['png'],
};

/**
 * What one submission may carry. Files travel in the request itself, base64-encoded, and a Lambda takes at most 6 MB
 * of request: 4 MB of files together leaves room for that encoding and the typed text.
 */
export const FILE_LIMITS = {
  totalBytes: 4 * 1024 * 1024,
  attachments: 3,
  nameMax: 120,
} as const;

/**
 * A request of the upload routes is refused unread above this: what Lambda can take at all once API Gateway has
 * base64-encoded it (6 MB of event, 4/3 of the body, and room for the headers). Between the files' limit and this,
 * the form comes back with its message; above it, on AWS, Lambda refuses the request before any code of ours runs.
 */
export const UPLOAD_BODY_LIMIT = Math.floor(4.4 * 1024 * 1024);

/** What a request over UPLOAD_BODY_LIMIT is told (its files cannot be read, so the form cannot come back). */
export const UPLOAD_TOO_LARGE =
  '提交的文件过大：文档和附件合计不能超过 4 MB。请压缩文档中的图片，或把图片另存为较小的 JPG，再返回上一页重新选择文件（浏览器一般会保留已填写的文字）。';

/** A file as stored beside a revision (on its event): enough to list, check and serve it. */
export interface FileRef {
  /** 1-based, in the order of the revision's files: the document first, then the attachments. */
  n: number;
  role: 'document' | 'attachment';
  kind: FileKind;
  /** The name it was uploaded under (shown and used for the download). */
  name: string;
  size: number;
  sha256: string;
  /** Its key in the files bucket. */
  key: string;
}

/** What the first bytes say. `ole` is the old Office container: a .doc, or a .docx saved with a password. */
export type Sniffed = FileKind | 'zip' | 'ole' | 'ole-encrypted' | 'unknown';

const startsWith = (bytes: Buffer, magic: number[]) => magic.every((b, i) => bytes[i] === b);

export function sniff(bytes: Buffer): Sniffed {
  if (startsWith(bytes, [0x50, 0x4b, 0x03, 0x04])) return 'zip';
  if (startsWith(bytes, [0x25, 0x50, 0x44, 0x46, 0x2d])) return 'pdf';
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'jpg';
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png';
  if (startsWith(bytes, [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])) {
    // A password-protected .docx is an OLE container whose streams are named EncryptionInfo and EncryptedPackage
    // (names are UTF-16LE in the container's directory).
    return bytes.includes(Buffer.from('EncryptedPackage', 'utf16le')) ? 'ole-encrypted' : 'ole';
  }
  return 'unknown';
}

export const extensionOf = (name: string): string => (/\.([^.]+)$/.exec(name)?.[1] ?? '').toLowerCase();

/** An uploaded name as it can be shown and saved: no path, no control characters, not too long. */
export function cleanName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  // Control characters and the bidirectional overrides (which can make "exe.docx" read as something else) go.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is removed
  const clean = base.replace(/[\u0000-\u001f\u007f"\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, '').trim();
  if ([...clean].length <= FILE_LIMITS.nameMax) return clean;
  const ext = extensionOf(clean);
  return `${[...clean].slice(0, FILE_LIMITS.nameMax - ext.length - 1).join('')}.${ext}`;
}

/**
 * The kind a file is, or a ValidationError on `field` saying in Chinese what is wrong with it: its bytes must be one
 * of `allowed` and agree with its name (a PDF named .docx is refused as not what it says).
 */
export function kindOf(name: string, bytes: Buffer, allowed: readonly FileKind[], field: string): FileKind {
  const refuse = (message: string): never => {
    throw new ValidationError([{ field, message: `文件“${name}”${message}` }]);
  };
  const ext = extensionOf(name);
  const sniffed = sniff(bytes);
  const accepted = allowed.map((k) => FILE_KIND_LABELS[k]).join('、');
  if (ext === 'doc' || (sniffed === 'ole' && (ext === 'docx' || ext === 'wps'))) {
    return refuse('是旧版 Word 格式（.doc），无法读取。请在 Word 或 WPS 中“另存为”.docx 或 PDF 后再上传。');
  }
  if (sniffed === 'ole') {
    return refuse('是旧版 Office 文件（如 .xls、.ppt），无法读取。请另存为 PDF 后再上传。');
  }
  if (sniffed === 'ole-encrypted') return refuse('设有打开密码，无法读取。请在 Word 中取消密码后再上传。');
  const claimed = (Object.keys(EXTENSIONS) as FileKind[]).find((k) => EXTENSIONS[k].includes(ext));
  if (!claimed || !allowed.includes(claimed)) return refuse(`的格式不能上传，这里只接受 ${accepted}。`);
  const actual: Sniffed = sniffed === 'zip' ? 'docx' : sniffed;
  if (actual !== claimed) {
    return refuse(`的内容不是 ${FILE_KIND_LABELS[claimed]}（文件名与内容不符，可能已损坏或被改了扩展名）。`);
  }
  return claimed;
}

/** 1.2 MB, 350 KB: sizes as people read them. */
export function formatSize(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  return `${Math.max(1, Math.round(bytes / 1024))} KB`;
}

/**
 * A stored file's key: by county, piece and revision, then the upload that wrote it (two requests that held the same
 * receipt number never share a key) and its place.
 */
export function fileKey(
  county: string,
  pieceId: string,
  revision: number,
  uploadId: string,
  n: number,
  kind: FileKind,
) {
  return `counties/${county}/pieces/${pieceId}/r${revision}/${uploadId}/${n}.${kind}`;
}

/** The path segment a download link names a file by: revision and place, `2-1`. */
export const fileSlug = (revision: number, n: number) => `${revision}-${n}`;

export function parseFileSlug(slug: string): { revision: number; n: number } | undefined {
  const m = /^([1-9]\d{0,2})-([1-9])$/.exec(slug);
  return m ? { revision: Number(m[1]), n: Number(m[2]) } : undefined;
}
