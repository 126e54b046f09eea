// POST /desk/adoptions — a periodical's table of contents (.xlsx, or CSV in UTF-8 or GBK; multipart, at
// most 1 MB): every bad line reported and nothing recorded, or each adoption recorded once (re-uploading adds none).
import { IMPORT_MAX_BYTES, importAdoptionsView } from '../shared/desk/adoptionViews';
import { withDeskSession } from '../shared/desk/session';
import { uploadHandler } from '../shared/web/upload';

export const handler = uploadHandler(
  withDeskSession((access, request) => importAdoptionsView(access, request.fields)),
  IMPORT_MAX_BYTES,
);
