// POST /submissions — an informant submits a piece (form or JSON).
import { isStoreUnavailable, StoreUnavailableError, ValidationError } from '../shared/core/errors';
import { loadSubmitForm } from '../shared/intake/loadSubmitForm';
import { submitPiece } from '../shared/intake/submitPiece';
import { formValuesOf, submitFormPage } from '../shared/pieces/form';
import { errorResponse, type HttpResponse, httpHandler } from '../shared/web/http';
import { messagePage } from '../shared/web/pages';

export const handler = httpHandler(async (request): Promise<HttpResponse> => {
  try {
    const result = await submitPiece({
      k: request.fields.k,
      fields: request.fields,
      idempotencyKey: request.headers['idempotency-key'],
    });
    const receiptPath = `/submissions/${result.id}?k=${encodeURIComponent(result.k)}`;
    return {
      status: request.wantsJson ? 201 : 303,
      location: receiptPath,
      json: { id: result.id, receipt: result.receipt, status: result.status },
      html: messagePage('已提交', `回执号 ${result.receipt}，正在打开回执页面。`),
      headers: result.replayed ? { 'idempotent-replayed': 'true' } : undefined,
    };
  } catch (err) {
    // In a browser, a fixable error shows the form again with what was typed, so nothing is lost.
    const kept = err instanceof ValidationError || err instanceof StoreUnavailableError || isStoreUnavailable(err);
    if (request.wantsJson || !kept) throw err;
    const form = await loadSubmitForm(request.fields.k).catch(() => undefined);
    if (!form) throw err;
    const status = errorResponse(err, false).statusCode ?? 400;
    return {
      status,
      html: submitFormPage({
        k: form.k,
        informantName: form.informant.name,
        unitName: form.unitName,
        topics: form.topics,
        values: formValuesOf(request.fields),
        errors: err instanceof ValidationError ? err.errors : [],
        notice: err instanceof ValidationError ? undefined : new StoreUnavailableError().message,
      }),
    };
  }
});
