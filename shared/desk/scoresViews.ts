// What the desk's 积分 routes answer: the ranking page (GET: by unit, informant or piece, a year or one month, the
// 信息奖 and the rules in force), its download (.xlsx or CSV), a rules file uploaded as a new version, and the award
// sent (POST, editors only; once a year).
import { settle } from '../core/budget';
import { isMonth, now, shanghai } from '../core/clock';
import { type FieldError, ValidationError } from '../core/errors';
import { html } from '../core/html';
import { AwardTooEarlyError, checkYear, computeAward, sendAward, sentAward } from '../scores/award';
import { RANK_BY_LABELS, type RankBy, ranking, readScores } from '../scores/rankings';
import { scoresFile } from '../scores/scoresSheet';
import { rulesInForce, setRules } from '../scores/setRules';
import { failureOf, type HttpResponse, isUploadedFile } from '../web/http';
import { type DeskUser, deskEditor, deskUser } from './access';
import { downloadFormat } from './deskViews';
import { deskPage } from './pages';
import { type Result, resultBlock, scoresPage } from './scorePages';
import type { DeskAccess } from './session';

type Query = Record<string, string | undefined>;

interface Asked {
  year: number;
  month?: string;
  by: RankBy;
}

function askedOf(query: Query): Asked {
  const errors: FieldError[] = [];
  const month = query.month || undefined;
  const yearText = query.year ?? (month ? month.slice(0, 4) : String(shanghai(now()).year));
  let year = shanghai(now()).year;
  try {
    year = checkYear(yearText);
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
    errors.push(...err.errors);
  }
  if (month && (!isMonth(month) || month.slice(0, 4) !== String(year))) {
    errors.push({ field: 'month', message: '月份不正确：请写成 年-月，例如 2026-10，并与年份一致。' });
  }
  const by = (query.by || 'unit') as RankBy;
  if (!Object.hasOwn(RANK_BY_LABELS, by))
    errors.push({ field: 'by', message: '排名对象只能是单位、信息员或稿件（unit / informant / piece）。' });
  if (errors.length) throw new ValidationError(errors);
  return { year, ...(month ? { month } : {}), by };
}

async function page(user: DeskUser, asked: Asked, status: number, result?: Result): Promise<HttpResponse> {
  // The year's adoptions are read once for the year's ranking and its award (a month's ranking reads its own month).
  const year = await readScores(asked.year);
  const [r, rules, award, sent] = await Promise.all([
    ranking(asked, asked.month ? undefined : year),
    rulesInForce(),
    computeAward(asked.year, undefined, year),
    sentAward(asked.year),
  ]);
  return {
    status,
    html: scoresPage(user, {
      ranking: r,
      current: rules.current,
      versions: rules.versions,
      award,
      ...(sent ? { sent } : {}),
      ...(result ? { result } : {}),
    }),
    json: {
      ...(result ? { result } : {}),
      ranking: r,
      rulesVersion: rules.current.version,
      awardSent: sent !== undefined,
    },
  };
}

export async function scoresView(access: DeskAccess, query: Query): Promise<HttpResponse> {
  const user = await deskUser(access);
  return page(user, askedOf(query), 200);
}

export async function scoresDownload(access: DeskAccess, query: Query): Promise<HttpResponse> {
  await deskUser(access);
  const asked = askedOf(query);
  const format = downloadFormat(query);
  return { status: 200, file: await scoresFile(await ranking(asked), format) };
}

/** After an action: the page with its result; the result alone if the page cannot be read just now. */
async function after(user: DeskUser, year: number, status: number, result: Result): Promise<HttpResponse> {
  const shown = await settle(() => page(user, { year, by: 'unit' }, status, result)).catch((err) => {
    if (failureOf(err).status !== 503) throw err;
    return undefined;
  });
  return (
    shown ?? {
      status,
      html: deskPage(
        user,
        'scores',
        '积分',
        html`${resultBlock(result)}<p><a href="${user.base}/scores">刷新积分页</a></p>`,
      ),
      json: { result },
    }
  );
}

export const RULES_MAX_BYTES = 64 * 1024;

/** POST a rules file with its effective day: a new version, or every problem named and nothing stored. */
export async function rulesUploadView(access: DeskAccess, fields: Record<string, unknown>): Promise<HttpResponse> {
  const user = await deskEditor(access);
  const year = shanghai(now()).year;
  const file = fields.file;
  if (!isUploadedFile(file) || file.content.length === 0) {
    return after(user, year, 400, { ok: false, message: '请选择规则文件（JSON）。' });
  }
  try {
    const { version, added } = await setRules(file.content, fields.from, { name: user.person.name });
    const message = added
      ? `已登记第 ${version.version} 版积分规则，${version.effectiveFrom} 起生效。已登记的采用保留原积分；需要按新规则重新计分时，请管理员运行 rules rescore。`
      : `这份规则与第 ${version.version} 版相同，没有新增版本。`;
    return after(user, year, 200, { ok: true, message });
  } catch (err) {
    if (err instanceof ValidationError) {
      return after(user, year, 400, {
        ok: false,
        message: '规则文件有错误，未登记：',
        errors: err.errors.map((e) => e.message),
      });
    }
    const failure = failureOf(err);
    if (failure.status >= 500 && failure.status !== 503) throw err;
    return after(user, year, failure.status, { ok: false, message: failure.message });
  }
}

/** POST 发送信息奖: the year's award frozen and emailed to every editor and leader, once. */
export async function awardSendView(access: DeskAccess, fields: Record<string, unknown>): Promise<HttpResponse> {
  const user = await deskEditor(access);
  const year = checkYear(fields.year);
  const outcome = await sendAward(year, { name: user.person.name }).catch((err) => {
    if (err instanceof AwardTooEarlyError) return err;
    throw err;
  });
  if (outcome instanceof AwardTooEarlyError) return after(user, year, 409, { ok: false, message: outcome.message });
  const { sent, now: first } = outcome;
  const message = first
    ? `已发送 ${year} 年度信息奖：${sent.recipients} 位编辑和领导将在一分钟内收到邮件。`
    : `${year} 年度信息奖已由 ${sent.sentBy} 发送过，没有重复发送。`;
  return after(user, year, 200, { ok: true, message });
}
