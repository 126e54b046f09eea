// POST /submissions — an informant submits a piece (form, with a Word document and attachments if any, or JSON).
import { settle } from '../shared/core/budget';
import { InvalidLinkError } from '../shared/core/errors';
import { UPLOAD_BODY_LIMIT, UPLOAD_TOO_LARGE } from '../shared/documents/files';
import { loadSubmitForm } from '../shared/intake/loadSubmitForm';
import { submitPiece } from '../shared/intake/submitPiece';
import { formValuesOf, submitFormPage } from '../shared/pieces/form';
import { formAgain, type HttpResponse } from '../shared/web/http';
import { messagePage } from '../shared/web/pages';
import { uploadHandler } from '../shared/web/upload';

export const handler = uploadHandler(
  async (request): Promise<HttpResponse> => {
    try {
      const result = await submitPiece({
        k: request.fields.k,
        fields: request.fields,
        idempotencyKey: request.headers['idempotency-key'],
      });
      // A browser lands on its form again, 报送成功 above it and ready for the next piece (the address is the personal
      // link it came from); a JSON client gets the receipt page's address.
      const k = typeof request.fields.k === 'string' ? request.fields.k : '';
      return {
        status: request.wantsJson ? 201 : 303,
        location: request.wantsJson
          ? await result.receiptPath()
          : `/submit?k=${encodeURIComponent(k)}&sent=${encodeURIComponent(result.receipt)}`,
        json: { id: result.id, receipt: result.receipt, status: result.status },
        html: messagePage('报送成功', `回执号 ${result.receipt}。`),
        headers: result.replayed ? { 'idempotent-replayed': 'true' } : undefined,
      };
    } catch (err) {
      // In a browser, whatever went wrong shows the form again with what was typed, so nothing is lost; only a link
      // that is not the informant's gets no form.
      if (request.wantsJson || err instanceof InvalidLinkError) throw err;
      const again = formAgain(err);
      // Who is sending, if the store answers; the form comes back in any case.
      const form = await settle(() => loadSubmitForm(request.fields.k)).catch(() => undefined);
      return {
        status: again.status,
        html: submitFormPage({
          k: typeof request.fields.k === 'string' ? request.fields.k : form?.k,
          informantName: form?.informant.name,
          unitName: form?.unitName,
          topics: form?.topics,
          tasks: form?.tasks,
          values: formValuesOf(request.fields),
          errors: again.errors,
          notice: again.notice,
        }),
      };
    }
  },
  UPLOAD_BODY_LIMIT,
  // One document and three attachments are allowed; more are read (empty file inputs count too), so that too many
  // can be said.
  16,
  UPLOAD_TOO_LARGE,
);
