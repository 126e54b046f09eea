// What each desk route answers: the desk user first (a forged, revoked, 停用 or informant's link is 403 before
// anything else is read), then the page's reads, then the page. GET and HEAD change nothing; every action is a POST
// from a button, and a leader's link is refused for every one of them.

import { settle } from '../core/budget';
import { now, shanghai } from '../core/clock';
import { config } from '../core/config';
import { FORM_KEPT_NOTICE, NotFoundError, StoreUnavailableError, ValidationError } from '../core/errors';
import { stopOn } from '../mail/deliveryEvents';
import { figures } from '../reports/figures';
import {
  AlreadyDecidedError,
  isSameDecisionAgain,
  RejectNotConfirmedError,
  SupersededError,
} from '../review/decidePiece';
import { alreadyDecidedJson, confirmationRequired, rejectConfirmPage } from '../review/pages';
import { importDetail, importRosterFile } from '../roster/importRosterFile';
import { listRoster, type Roster, reportingUnits } from '../roster/people';
import { resumeMail } from '../roster/resumeMail';
import { revokeLinks } from '../roster/revokeLinks';
import { logAction } from '../roster/rosterEvents';
import { setActive } from '../roster/setActive';
import { failureOf, type HttpResponse, isUploadedFile } from '../web/http';
import { type DeskUser, deskEditor, deskUser } from './access';
import { figuresFile } from './figuresSheet';
import { yearIssues } from './issues';
import {
  deskPiecePage,
  figuresPage,
  issuesPage,
  keptDecisionPage,
  type PiecePageInput,
  piecesPage,
  queuePage,
  rosterPage,
} from './pages';
import { askedMonth, filterOf, listPieces } from './pieceList';
import { type DeskPiece, decideFromDesk, deskPiece, issueSuggestion, pieceOf, pieceScore } from './pieceStory';
import { waitingPieces } from './queue';
import type { DeskAccess } from './session';

type Query = Record<string, string | undefined>;

export async function queueView(access: DeskAccess): Promise<HttpResponse> {
  const user = await deskUser(access);
  const waiting = await waitingPieces(user.roster.summary.units);
  return {
    status: 200,
    html: queuePage(user, waiting),
    json: {
      waiting: waiting.map((w) => ({ receipt: w.revision.receipt, revision: w.revision.revision, days: w.days })),
    },
  };
}

export async function piecesView(access: DeskAccess, query: Query): Promise<HttpResponse> {
  const user = await deskUser(access);
  const list = await listPieces(filterOf(query));
  return {
    status: 200,
    html: piecesPage(user, list, user.roster.summary.units),
    json: {
      total: list.total,
      pages: list.pages,
      rows: list.rows.map((r) => ({ receipt: r.receipt, title: r.title, status: r.status, unitId: r.unitId })),
    },
  };
}

export async function pieceView(access: DeskAccess, pieceId: string): Promise<HttpResponse> {
  const user = await deskUser(access);
  const piece = await deskPiece(user, pieceId);
  const form = user.canAct && piece.waiting ? await issueSuggestion() : undefined;
  return {
    status: 200,
    html: deskPiecePage(user, { ...piece, ...(form ? { form } : {}), ...adoptionPart(piece) }),
    json: { receipt: piece.latest.receipt, revision: piece.latest.revision, waiting: piece.waiting },
  };
}

const field = (v: unknown) => (typeof v === 'string' ? v : '');

/** An accepted piece's page part: its adoptions and points (and, for editors, the form to record one). */
export function adoptionPart(
  piece: DeskPiece,
  extra: Omit<NonNullable<PiecePageInput['adoption']>, 'adoptions' | 'countyPoints'> = {},
) {
  const score = pieceScore(piece);
  return score ? { adoption: { ...score, ...extra } } : {};
}

/** A failure the user did nothing for (the store, the time budget): 503, and what they typed is kept. */
const isTemporary = (err: unknown) => failureOf(err).status === 503;

/** POST on a piece: the decision, with the same one-decision rule as the review link's. */
export async function decideView(
  access: DeskAccess,
  pieceId: string,
  fields: Record<string, unknown>,
  wantsJson: boolean,
) {
  const values = { decision: field(fields.decision), issue: field(fields.issue), comment: field(fields.comment) };
  const action = `/desk/pieces/${encodeURIComponent(pieceId)}`;
  // Whatever cannot be shown with the piece (the store down before even the link could be checked) keeps what was
  // typed on a page of its own, with the same button again.
  const kept = (err: unknown): HttpResponse => ({
    status: 503,
    html: keptDecisionPage(action, `${failureOf(err).message}${FORM_KEPT_NOTICE}`, {
      ...values,
      revision: field(fields.revision),
      confirm: field(fields.confirm),
    }),
  });
  let user: DeskUser;
  try {
    user = await deskEditor(access);
  } catch (err) {
    if (!wantsJson && isTemporary(err)) return kept(err);
    throw err;
  }
  const again = async (
    answer: { status: number; errors?: { field: string; message: string }[]; notice?: string },
    cause?: unknown,
  ): Promise<HttpResponse> => {
    const shown = await settle(async () => {
      const piece = await deskPiece(user, pieceId);
      const form = piece.waiting ? { ...(await issueSuggestion()), values, ...answer } : undefined;
      return { status: answer.status, html: deskPiecePage(user, { ...piece, ...(form ? { form } : {}) }) };
    }).catch((err) => {
      if (!isTemporary(err)) throw err;
      return undefined;
    });
    return shown ?? kept(cause ?? new StoreUnavailableError());
  };
  if (fields.back !== undefined && !wantsJson) return again({ status: 200 });
  try {
    const { decision, events } = await decideFromDesk(user, pieceId, fields);
    const piece = pieceOf(user, events);
    return {
      status: 200,
      html: deskPiecePage(user, { ...piece, result: { done: true, decision }, ...adoptionPart(piece) }),
      json: { receipt: decision.receipt, revision: decision.revision, decision: decision.type },
    };
  } catch (err) {
    if (err instanceof AlreadyDecidedError) {
      const piece = await deskPiece(user, pieceId);
      // The same editor's same decision again (a refresh, a second tab): done. Anything else was not recorded.
      const mine = !wantsJson && isSameDecisionAgain(err, user.person.personId, values.decision);
      return {
        status: mine ? 200 : 409,
        html: deskPiecePage(user, { ...piece, result: { done: mine, decision: err.decision }, ...adoptionPart(piece) }),
        json: alreadyDecidedJson(err),
      };
    }
    if (err instanceof RejectNotConfirmedError) {
      if (wantsJson) return confirmationRequired(err);
      const piece = await deskPiece(user, pieceId);
      return {
        status: 200,
        html: rejectConfirmPage({ revision: piece.latest }, action, values, {
          revision: String(piece.latest.revision),
        }),
      };
    }
    if (err instanceof SupersededError && !wantsJson) {
      const notice = `信息员已提交第 ${err.latest} 稿，您的处理没有记录。下面是新稿，请阅后重新处理。`;
      return again({ status: 409, notice });
    }
    if (wantsJson || err instanceof NotFoundError) throw err;
    const failure = failureOf(err);
    if (err instanceof ValidationError) return again({ status: 400, errors: err.errors });
    if (failure.status >= 500 && failure.status !== 503) throw err;
    return again({ status: failure.status, notice: `${failure.message}${FORM_KEPT_NOTICE}` }, err);
  }
}

export async function issuesView(access: DeskAccess, query: Query): Promise<HttpResponse> {
  const user = await deskUser(access);
  const year = query.year ? Number(query.year) : shanghai(now()).year;
  if (!Number.isInteger(year) || year < 2000 || year > shanghai(now()).year + 1) {
    throw new ValidationError([{ field: 'year', message: '年份不正确，例如 2026。' }]);
  }
  const issues = await yearIssues(year, user.roster.summary.units);
  return {
    status: 200,
    html: issuesPage(user, issues),
    json: {
      year,
      nextIssueNo: issues.nextIssueNo,
      issues: issues.issues.map((i) => ({ issueNo: i.issueNo, receipts: i.pieces.map((p) => p.receipt) })),
    },
  };
}

export async function rosterView(access: DeskAccess): Promise<HttpResponse> {
  const user = await deskUser(access);
  const roster = await listRoster(config().countyId);
  return {
    status: 200,
    html: rosterPage(user, { roster }),
    json: {
      units: roster.units.length,
      people: roster.people.length,
      // 退信 or 投诉 on their address: no email goes to them until the roster corrects it (or 恢复发送).
      mailStopped: roster.people.filter((p) => stopOn(p.mailStop, p.email)).map((p) => p.personId),
    },
  };
}

/** The most a roster upload may be: a roster of a few hundred people is tens of KB in either format. */
export const UPLOAD_MAX_BYTES = 1024 * 1024;

/** POST a roster file: every bad row reported by line and nothing written, or the whole roster imported. */
export async function uploadView(access: DeskAccess, fields: Record<string, unknown>): Promise<HttpResponse> {
  const user = await deskEditor(access);
  const file = fields.file;
  const county = config().countyId;
  if (!isUploadedFile(file) || file.content.length === 0) {
    const message = isUploadedFile(file)
      ? '上传的文件是空的，请选择名单文件。'
      : '请选择要上传的名单文件（.xlsx 或 CSV）。';
    return {
      status: 400,
      html: rosterPage(user, { roster: await listRoster(county), result: { ok: false, message } }),
      json: { errors: [{ field: 'file', message }] },
    };
  }
  // The welcome emails go out with the sweeper's next pass (within a minute): this function sends no email itself.
  const result = await importRosterFile(file.content).catch((err) => {
    if (!isTemporary(err)) throw err;
    // Part of the roster may be in: the same file again finishes it (an import adds or updates, never twice).
    throw new StoreUnavailableError(
      { cause: err },
      '名单可能只导入了一部分：请稍后重新上传同一个文件，已导入的人员不会重复。',
    );
  });
  const roster = await rosterAfter(county);
  if (!result.ok) {
    const message = `名单有 ${result.errors.length} 处错误，未导入任何内容。请改正后重新上传：`;
    return {
      status: 400,
      html: rosterPage(user, { roster, result: { ok: false, message, errors: result.errors.map((e) => e.message) } }),
      json: { errors: result.errors },
    };
  }
  const s = result.summary;
  await logAction({ type: 'import', by: actorOf(user), detail: importDetail(s) });
  const message = `导入完成：单位 ${s.units} 个；新增 ${s.added} 人，更新 ${s.updated} 人，未变 ${s.unchanged} 人；向新信息员发送报送链接 ${s.welcomed} 封，向新编辑、领导发送工作台登录链接 ${s.deskLinks} 封。`;
  return { status: 200, html: rosterPage(user, { roster, result: { ok: true, message } }), json: result.summary };
}

const PERSON_ACTIONS = ['revoke', 'deactivate', 'activate', 'resume'] as const;

/** The roster to show under an action's result: done is done, even when the page's own read then fails. */
async function rosterAfter(county: string): Promise<Roster | undefined> {
  return settle(() => listRoster(county)).catch((err) => {
    if (!isTemporary(err)) throw err;
    return undefined;
  });
}

/** POST on a person: 作废链接, 停用, 启用, or 恢复发送 (lifts a 退信 or 投诉 stop on their address). */
export async function personActionView(access: DeskAccess, personId: string, fields: Record<string, unknown>) {
  const user = await deskEditor(access);
  const action = field(fields.action) as (typeof PERSON_ACTIONS)[number];
  if (!PERSON_ACTIONS.includes(action)) {
    throw new ValidationError([{ field: 'action', message: '操作无法识别：应为作废链接、停用、启用或恢复发送。' }]);
  }
  const county = config().countyId;
  const target = (await listRoster(county)).people.find((p) => p.personId === personId);
  if (!target) throw new NotFoundError('名单中没有这个人员。');
  let message: string;
  if (action === 'revoke') {
    // The version the page showed: pressed again after an answer that was lost, it revokes nothing twice.
    const seen = Number(field(fields.v)) || undefined;
    const { keyVersion, emailed } = await revokeLinks(target.email, undefined, seen, actorOf(user));
    message = `已作废 ${target.name} 的全部旧链接（现为第 ${keyVersion} 版）${emailed ? '，新链接将在一分钟内发到其邮箱' : ''}。`;
  } else if (action === 'resume') {
    await resumeMail(personId);
    await logAction({ type: 'resume', by: actorOf(user), personId });
    message = `已恢复向 ${target.name}（${target.email}）发送邮件。如此地址仍在 SES 的禁止发送名单中，下一封邮件会再次退信。`;
  } else {
    await setActive({ personId }, action === 'activate');
    await logAction({ type: action, by: actorOf(user), personId });
    message =
      action === 'activate'
        ? `已启用 ${target.name}：链接恢复有效。`
        : `已停用 ${target.name}：链接失效，不再收到邮件；已报送的稿件保留。`;
  }
  const roster = await rosterAfter(county);
  return {
    status: 200,
    html: rosterPage(user, { roster, result: { ok: true, message } }),
    json: { ok: true, message },
  };
}

/** The person acting at the desk, as the 操作记录 names them. */
const actorOf = (user: DeskUser) => ({ personId: user.person.personId, name: user.person.name });

/** The month a figures page or download asks for (default this month); a wrong one is a clear 400. */
function figuresMonth(query: Query): string {
  const { month, error } = askedMonth(query.month);
  if (error) throw new ValidationError([error]);
  return month;
}

const monthFigures = async (month: string) =>
  figures(config().countyId, month, reportingUnits(await listRoster(config().countyId)));

export async function figuresView(access: DeskAccess, query: Query): Promise<HttpResponse> {
  const user = await deskUser(access);
  const f = await monthFigures(figuresMonth(query));
  return { status: 200, html: figuresPage(user, f), json: f };
}

/** 数据 to download: `format=xlsx` (the default) or `csv`. */
export async function figuresDownload(access: DeskAccess, query: Query): Promise<HttpResponse> {
  await deskUser(access);
  const month = figuresMonth(query);
  return { status: 200, file: await figuresFile(await monthFigures(month), downloadFormat(query)) };
}

/** The format a download asks for: `xlsx` (the default) or `csv`; anything else is a clear 400. */
export function downloadFormat(query: Query): 'xlsx' | 'csv' {
  const format = query.format ?? 'xlsx';
  if (format !== 'xlsx' && format !== 'csv') {
    throw new ValidationError([{ field: 'format', message: '下载格式只能是 xlsx 或 csv。' }]);
  }
  return format;
}
