// POST /link — "send me my link": the same answer whatever the address, so the roster cannot be enumerated.
import { ValidationError } from '../shared/core/errors';
import { homePage, LINK_SENT_MESSAGE } from '../shared/roster/homePage';
import { requestLink } from '../shared/roster/requestLink';
import { httpHandler } from '../shared/web/http';

export const handler = httpHandler(async (request) => {
  try {
    await requestLink(request.fields.email);
  } catch (err) {
    if (request.wantsJson || !(err instanceof ValidationError)) throw err;
    return { status: 400, html: homePage({ email: request.fields.email, errors: err.errors }) };
  }
  return { status: 200, html: homePage({ sent: true }), json: { message: LINK_SENT_MESSAGE } };
});
