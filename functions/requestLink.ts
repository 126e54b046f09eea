// POST /link — "send me my link": the same answer whatever the address, so the roster cannot be enumerated.
import { homePage, LINK_SENT_MESSAGE } from '../shared/roster/homePage';
import { requestLink } from '../shared/roster/requestLink';
import { formAgain, httpHandler } from '../shared/web/http';

export const handler = httpHandler(async (request) => {
  try {
    await requestLink(request.fields.email);
  } catch (err) {
    if (request.wantsJson) throw err;
    // The form again with the address as typed: beside the field when it is wrong, above it when we failed.
    const again = formAgain(err);
    return {
      status: again.status,
      html: homePage({ email: request.fields.email, errors: again.errors, notice: again.notice }),
    };
  }
  return { status: 200, html: homePage({ sent: true }), json: { message: LINK_SENT_MESSAGE } };
});
