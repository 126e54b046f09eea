// GET /submit?k=KEY — the submission form for the informant the personal key belongs to.
import { httpHandler } from '../shared/http';
import { loadSubmitForm } from '../shared/loadSubmitForm';
import { submitFormPage } from '../shared/submissionPages';

export const handler = httpHandler(async (request) => {
  const form = await loadSubmitForm(request.query.k);
  return {
    status: 200,
    html: submitFormPage({
      k: form.k,
      informantName: form.informant.name,
      unitName: form.unitName,
      topics: form.topics,
    }),
    json: { informant: form.informant.name, unit: form.unitName, topics: form.topics },
  };
});
