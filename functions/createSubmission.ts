// POST /submissions — an informant submits a piece (form, with a Word document and attachments if any, or JSON), with
// the personal key (`k`) or an email's answer link (`?a=TOKEN`, or `a` in the body): that one topic or task only.
import { settle } from '../shared/core/budget';
import { ExpiredLinkError, InvalidLinkError } from '../shared/core/errors';
import { UPLOAD_BODY_LIMIT, UPLOAD_TOO_LARGE } from '../shared/documents/files';
import { isAnswer } from '../shared/intake/answerLink';
import { loadSubmitForm } from '../shared/intake/loadSubmitForm';
import { EXPIRED_KEPT_NOTICE, submitPage } from '../shared/intake/submitPage';
import { submitPiece } from '../shared/intake/submitPiece';
import { formValuesOf } from '../shared/pieces/form';
import { formAgain, type HttpResponse } from '../shared/web/http';
import { messagePage } from '../shared/web/pages';
import { uploadHandler } from '../shared/web/upload';

export const handler = uploadHandler(
  async (request): Promise<HttpResponse> => {
    const access = { k: request.fields.k, a: request.query.a ?? request.fields.a };
    try {
      const result = await submitPiece({
        ...access,
        fields: request.fields,
        idempotencyKey: request.headers['idempotency-key'],
      });
      // A browser lands on its form again, 报送成功 above it and ready for the next piece (the address is the link
      // it came from: the personal key, or the answer link, which never leads to the key); a JSON client gets the
      // receipt page's address.
      const sent = `sent=${encodeURIComponent(result.receipt)}`;
      const form = isAnswer(access)
        ? `/submit?a=${encodeURIComponent(String(access.a))}&${sent}`
        : `/submit?k=${encodeURIComponent(typeof access.k === 'string' ? access.k : '')}&${sent}`;
      return {
        status: request.wantsJson ? 201 : 303,
        location: request.wantsJson ? await result.receiptPath() : form,
        json: { id: result.id, receipt: result.receipt, status: result.status },
        html: messagePage('报送成功', `回执号 ${result.receipt}。`),
        headers: result.replayed ? { 'idempotent-replayed': 'true' } : undefined,
      };
    } catch (err) {
      // In a browser, whatever went wrong shows the form again with what was typed, so nothing is lost; only a link
      // that is not the informant's gets no form.
      if (request.wantsJson || err instanceof InvalidLinkError) throw err;
      const again = formAgain(err);
      // An answer link past its call's due day: the text stays to be copied, and the page says where to send it.
      const notice = err instanceof ExpiredLinkError ? `${err.message}${EXPIRED_KEPT_NOTICE}` : again.notice;
      // Who is sending, if the store answers (and the link still does); the form comes back in any case.
      const form = await settle(() => loadSubmitForm(access)).catch(() => undefined);
      return {
        status: again.status,
        html: submitPage(form, access, {
          values: formValuesOf(request.fields),
          errors: again.errors,
          ...(notice ? { notice } : {}),
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
