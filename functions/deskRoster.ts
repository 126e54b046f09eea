// POST /desk/roster — upload a roster file (.xlsx, or CSV in UTF-8 or GBK; multipart/form-data, at most
// 1 MB): every bad row reported by line and nothing written, or the whole roster imported.
import { UPLOAD_MAX_BYTES, uploadView } from '../shared/desk/deskViews';
import { withDeskSession } from '../shared/desk/session';
import { uploadHandler } from '../shared/web/upload';

export const handler = uploadHandler(
  withDeskSession((access, request) => uploadView(access, request.fields)),
  UPLOAD_MAX_BYTES,
);
