// POST /desk/{token}/roster — upload a roster file (.xlsx, or CSV in UTF-8 or GBK; multipart/form-data, at most
// 1 MB): every bad row reported by line and nothing written, or the whole roster imported.
// POST /desk/{token}/roster/people/{personId} — 作废链接, 停用 or 启用 one person (the `action` field).
import { personActionView, UPLOAD_MAX_BYTES, uploadView } from '../shared/desk/deskViews';
import { uploadHandler } from '../shared/web/upload';

export const handler = uploadHandler((request) => {
  const token = request.path.token ?? '';
  if (request.path.personId !== undefined) return personActionView(token, request.path.personId, request.fields);
  return uploadView(token, request.fields);
}, UPLOAD_MAX_BYTES);
