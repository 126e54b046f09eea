// Serving a stored file: found by the revision and place a link names, read from the bucket, and checked against
// the SHA-256 taken when it was uploaded, so what is downloaded is byte for byte what was sent.
import { createHash } from 'node:crypto';
import { NotFoundError } from '../core/errors';
import { log } from '../core/log';
import { getFile } from '../store/files';
import type { DownloadFile } from '../web/http';
import { CONTENT_TYPES, type FileRef, parseFileSlug } from './files';

/**
 * The file `slug` (`2-1`) names among a piece's events (the revision that carries files of that number), as a
 * download; NotFoundError when there is none.
 */
export async function downloadFile(
  events: readonly { revision: number; files?: FileRef[] }[],
  slug: string,
): Promise<DownloadFile> {
  const at = parseFileSlug(slug);
  const file = at
    ? events.find((e) => e.revision === at.revision && e.files)?.files?.find((f) => f.n === at.n)
    : undefined;
  if (!file) throw new NotFoundError('未找到这个文件。');
  return readStoredFile(file);
}

async function readStoredFile(file: FileRef): Promise<DownloadFile> {
  const body = await getFile(file.key);
  if (!body) throw new NotFoundError('这个文件暂时无法找到，请联系县委组织部信息科。');
  if (createHash('sha256').update(body).digest('hex') !== file.sha256) {
    log.error('stored file differs from the upload', { kind: file.kind, size: file.size });
    throw new Error('stored file differs from the upload');
  }
  return { body, contentType: CONTENT_TYPES[file.kind], filename: file.name };
}
