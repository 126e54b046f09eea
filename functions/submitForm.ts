// GET /submit?k=KEY — the submission form for the informant the personal key belongs to; `&sent=RECEIPT` right after
// a submission, with 报送成功 and the piece above the empty form.

import { loadSubmitForm } from '../shared/intake/loadSubmitForm';
import { submitFormPage } from '../shared/pieces/form';
import { httpHandler } from '../shared/web/http';

export const handler = httpHandler(async (request) => {
  const form = await loadSubmitForm(request.query.k, request.query.sent);
  return {
    status: 200,
    html: submitFormPage({
      k: form.k,
      informantName: form.informant.name,
      unitName: form.unitName,
      topics: form.topics,
      tasks: form.tasks,
      sent: form.sent,
    }),
    json: { informant: form.informant.name, unit: form.unitName, topics: form.topics, tasks: form.tasks },
  };
});
