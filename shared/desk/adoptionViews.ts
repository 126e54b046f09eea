// What the desk's adoption routes answer: 登记采用 and 撤销 on a piece (POST, editors only), the year's 采用 page
// (GET) and the upload of a table of contents (POST, multipart). A bad field comes back on the page with what was
// typed; a store that is down keeps it too; a duplicate is answered with the record already there.

import { deliverAdoption } from '../adoption/deliverNow';
import { importAdoptions } from '../adoption/importAdoptions';
import { adoptionPage, adoptionValuesOf, resultText } from '../adoption/pages';
import { recordAdoption } from '../adoption/recordAdoption';
import { AlreadyWithdrawnError, withdrawAdoption } from '../adoption/withdrawAdoption';
import { settle } from '../core/budget';
import { ConflictError, FORM_KEPT_NOTICE, NotFoundError, StoreUnavailableError, ValidationError } from '../core/errors';
import { html } from '../core/html';
import { failureOf, type HttpResponse, isUploadedFile } from '../web/http';
import { type DeskUser, deskEditor, deskUser } from './access';
import { adoptionPart } from './deskViews';
import { deskPage, deskPiecePage, type PiecePageInput } from './pages';
import { deskPiece } from './pieceStory';
import { adoptionsPage, type Result } from './scorePages';
import type { DeskAccess } from './session';
import { adoptionFilterOf, yearAdoptions } from './yearAdoptions';

type Query = Record<string, string | undefined>;
type AdoptionExtra = Omit<NonNullable<PiecePageInput['adoption']>, 'adoptions' | 'countyPoints'>;

const isTemporary = (err: unknown) => failureOf(err).status === 503;
const recorder = (user: DeskUser) => ({ personId: user.person.personId, name: user.person.name });

/** The piece page again, with the adoption part saying what happened (the piece read afresh). */
async function piecePage(user: DeskUser, pieceId: string, status: number, extra: AdoptionExtra): Promise<HttpResponse> {
  const piece = await deskPiece(user, pieceId);
  const part = adoptionPart(piece, extra);
  // A piece never accepted has no adoption part: what was refused is said above it.
  const notice = part.adoption ? {} : { notice: extra.notice ?? extra.errors?.map((e) => e.message).join('') ?? '' };
  return { status, html: deskPiecePage(user, { ...piece, ...part, ...notice }) };
}

/** A failure the editor did nothing for, or a refusal: the page again, what was typed kept. */
async function refused(
  user: DeskUser,
  pieceId: string,
  err: unknown,
  values: AdoptionExtra['values'],
): Promise<HttpResponse> {
  const failure = failureOf(err);
  // The form's own fields are marked on the form; anything else (a withdrawal's reason) is said above it.
  const extra: AdoptionExtra =
    err instanceof ValidationError && values
      ? { errors: err.errors }
      : err instanceof ValidationError
        ? { notice: err.message }
        : { notice: failure.status === 503 ? `${failure.message}${FORM_KEPT_NOTICE}` : failure.message };
  const status = err instanceof ValidationError ? 400 : failure.status;
  const shown = await settle(() => piecePage(user, pieceId, status, { ...extra, ...(values ? { values } : {}) })).catch(
    (e) => {
      if (!isTemporary(e)) throw e;
      return undefined;
    },
  );
  if (shown) return shown;
  if (values) return keptForm(`${user.base}/pieces/${encodeURIComponent(pieceId)}/adoptions`, values, err);
  throw new StoreUnavailableError({ cause: err });
}

/**
 * The 登记采用 form alone with what was typed, when neither the desk link nor the piece could be read (the store
 * down): the same button again, nothing of the piece shown.
 */
function keptForm(action: string, values: AdoptionExtra['values'], err: unknown): HttpResponse {
  const notice = `${failureOf(err).message}${FORM_KEPT_NOTICE}`;
  return { status: 503, html: adoptionPage({ action, adoptions: [], ...(values ? { values } : {}), notice }) };
}

export async function recordOnDeskView(
  access: DeskAccess,
  pieceId: string,
  fields: Record<string, unknown>,
  wantsJson: boolean,
) {
  const values = adoptionValuesOf(fields);
  let user: DeskUser;
  try {
    user = await deskEditor(access);
  } catch (err) {
    if (wantsJson || !isTemporary(err)) throw err;
    return keptForm(`/desk/pieces/${encodeURIComponent(pieceId)}/adoptions`, values, err);
  }
  try {
    const result = await recordAdoption(pieceId, fields, recorder(user), { source: 'desk', deliver: deliverAdoption });
    const json = { added: result.added, adoptionId: result.record.adoptionId, points: result.record.points };
    const shown = await settle(() => piecePage(user, pieceId, 200, { result })).catch(() => undefined);
    return shown ? { ...shown, json } : doneOnly(user, pieceId, resultText(result), json);
  } catch (err) {
    if (wantsJson || err instanceof NotFoundError) throw err;
    const failure = failureOf(err);
    if (failure.status >= 500 && failure.status !== 503) throw err;
    return refused(user, pieceId, err, values);
  }
}

export async function withdrawOnDeskView(
  access: DeskAccess,
  pieceId: string,
  adoptionId: string,
  fields: Record<string, unknown>,
  wantsJson: boolean,
): Promise<HttpResponse> {
  const user = await deskEditor(access);
  const fromList = fields.from === 'adoptions';
  let message: string;
  let status = 200;
  try {
    const { record } = await withdrawAdoption(pieceId, adoptionId, fields.reason, recorder(user));
    message = `已撤销 ${record.receipt} 的采用：${record.outlet}第 ${record.issue} 期。其积分不再计入。`;
  } catch (err) {
    // The same editor pressing again after an answer that was lost: done, not a conflict.
    if (err instanceof AlreadyWithdrawnError && err.withdrawal.by.personId === user.person.personId) {
      message = err.message;
    } else {
      if (wantsJson || err instanceof NotFoundError) throw err;
      const failure = failureOf(err);
      if (failure.status >= 500 && failure.status !== 503) throw err;
      if (!fromList) return refused(user, pieceId, err, undefined);
      status = err instanceof ValidationError ? 400 : failure.status;
      message = err instanceof ValidationError ? err.errors.map((e) => e.message).join('') : failure.message;
      if (!(err instanceof ValidationError || err instanceof ConflictError)) message += '请稍后再试。';
      return listAgain(user, {}, status, { ok: false, message });
    }
  }
  if (fromList) return { ...(await listAgain(user, {}, 200, { ok: true, message })), json: { ok: true, message } };
  const shown = await settle(() => piecePage(user, pieceId, status, { done: message })).catch(() => undefined);
  return shown ? { ...shown, json: { ok: true, message } } : doneOnly(user, pieceId, message, { ok: true, message });
}

/** Done, said on a page of its own when the piece cannot be read again just now (the store failing after the write). */
function doneOnly(user: DeskUser, pieceId: string, message: string, json: unknown): HttpResponse {
  return {
    status: 200,
    html: deskPage(
      user,
      'queue',
      '已完成',
      html`<div class="done" role="status"><p>${message}</p></div><p class="links"><a href="${user.base}/pieces/${encodeURIComponent(pieceId)}">返回这篇稿件</a></p>`,
    ),
    json,
  };
}

/** The 采用 page under an action's result; done is done even when the page's own read then fails. */
async function listAgain(user: DeskUser, query: Query, status: number, result: Result): Promise<HttpResponse> {
  const filter = adoptionFilterOf(query);
  const rows = await settle(() => yearAdoptions(filter)).catch((err) => {
    if (!isTemporary(err)) throw err;
    return [];
  });
  return {
    status,
    html: adoptionsPage(user, { filter, rows, units: user.roster.summary.units, result }),
    json: result,
  };
}

export async function adoptionsView(access: DeskAccess, query: Query): Promise<HttpResponse> {
  const user = await deskUser(access);
  const filter = adoptionFilterOf(query);
  const rows = await yearAdoptions(filter);
  return {
    status: 200,
    html: adoptionsPage(user, { filter, rows, units: user.roster.summary.units }),
    json: {
      year: filter.year,
      rows: rows.map((r) => ({
        receipt: r.record.receipt,
        adoptionId: r.record.adoptionId,
        level: r.record.level,
        points: r.points,
        withdrawn: r.withdrawal !== undefined,
      })),
    },
  };
}

export const IMPORT_MAX_BYTES = 1024 * 1024;

/** POST a table of contents: every bad line reported and nothing recorded, or every line recorded once. */
export async function importAdoptionsView(access: DeskAccess, fields: Record<string, unknown>): Promise<HttpResponse> {
  const user = await deskEditor(access);
  const file = fields.file;
  if (!isUploadedFile(file) || file.content.length === 0) {
    const message = isUploadedFile(file)
      ? '上传的文件是空的，请选择采用目录文件。'
      : '请选择要上传的采用目录（.xlsx 或 CSV）。';
    return {
      ...(await listAgain(user, {}, 400, { ok: false, message })),
      json: { errors: [{ field: 'file', message }] },
    };
  }
  // The informants' emails go out with the sweeper's next pass: this function sends no email itself.
  const result = await importAdoptions(file.content, recorder(user), { source: 'import' }).catch((err) => {
    if (!isTemporary(err)) throw err;
    throw new StoreUnavailableError(
      { cause: err },
      '采用目录可能只登记了一部分：请稍后重新上传同一个文件，已登记的不会重复。',
    );
  });
  if (!result.ok) {
    const message = `采用目录有 ${result.errors.length} 处错误，未登记任何内容。请改正后重新上传：`;
    return {
      ...(await listAgain(user, {}, 400, { ok: false, message, errors: result.errors.map((e) => e.message) })),
      json: { errors: result.errors },
    };
  }
  const message = `登记完成：共 ${result.lines} 行，新登记 ${result.added} 条，已登记过 ${result.duplicates} 条（未重复登记）。信息员将在一分钟内收到邮件。`;
  return { ...(await listAgain(user, {}, 200, { ok: true, message })), json: result };
}
