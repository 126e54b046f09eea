// GET /submit?k=KEY — the submission form for the informant the personal key belongs to; GET /submit?a=TOKEN — the
// same form from a 点题 or 重点调研任务 email's answer link, its one topic or task chosen and no personal key on it.
// `&sent=RECEIPT` right after a submission, with 报送成功 and the piece above the empty form.

import { loadSubmitForm } from '../shared/intake/loadSubmitForm';
import { submitPage } from '../shared/intake/submitPage';
import { httpHandler } from '../shared/web/http';

export const handler = httpHandler(async (request) => {
  const access = { k: request.query.k, a: request.query.a };
  const form = await loadSubmitForm(access, request.query.sent);
  return {
    status: 200,
    html: submitPage(form, access),
    json: {
      informant: form.informant.name,
      unit: form.unitName,
      topics: form.topics,
      tasks: form.tasks,
      ...('answer' in form ? { answer: form.answer } : {}),
    },
  };
});
