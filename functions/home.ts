// GET / — what this is, and the form that emails an informant their personal link.

import { homePage } from '../shared/homePage';
import { httpHandler } from '../shared/http';

export const handler = httpHandler(async () => ({
  status: 200,
  html: homePage(),
  json: { name: 'baosong', links: { requestLink: 'POST /link' } },
}));
