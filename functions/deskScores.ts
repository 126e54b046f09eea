// POST /desk/{token}/scores/rules — a rules file (JSON, multipart, at most 64 KB) with its effective day, stored as a
// new version; POST /desk/{token}/scores/award — the year's 信息奖 sent to editors and leaders (once a year).
import { awardSendView, RULES_MAX_BYTES, rulesUploadView } from '../shared/desk/scoresViews';
import { uploadHandler } from '../shared/web/upload';

export const handler = uploadHandler((request) => {
  const token = request.path.token ?? '';
  return request.routeKey.endsWith('/award')
    ? awardSendView(token, request.fields)
    : rulesUploadView(token, request.fields);
}, RULES_MAX_BYTES);
