// POST /desk/scores/rules — a rules file (JSON, multipart, at most 64 KB) with its effective day, stored as a
// new version; POST /desk/scores/award — the year's 信息奖 sent to editors and leaders (once a year).
import { awardSendView, RULES_MAX_BYTES, rulesUploadView } from '../shared/desk/scoresViews';
import { withDeskSession } from '../shared/desk/session';
import { uploadHandler } from '../shared/web/upload';

export const handler = uploadHandler(
  withDeskSession((access, request) => {
    return request.routeKey.endsWith('/award')
      ? awardSendView(access, request.fields)
      : rulesUploadView(access, request.fields);
  }),
  RULES_MAX_BYTES,
);
