// GET / — what this is, and the form that emails an informant their personal link.

import { homePage } from '../shared/roster/homePage';
import { httpHandler } from '../shared/web/http';

export const handler = httpHandler(async () => ({
  status: 200,
  html: homePage(),
  json: { name: 'baosong', links: { requestLink: 'POST /link' } },
}));
