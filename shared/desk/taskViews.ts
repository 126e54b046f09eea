// What the desk's 调研 routes answer: a quarter's tasks and matrix (GET), its download (GET), assigning a task (POST,
// editors; the informants' emails sent at once, what fails left to the sweeper) and closing one (POST). A bad field
// comes back on the page with what was typed, nothing written.
import { type FieldError, FORM_KEPT_NOTICE, ValidationError } from '../core/errors';
import { addTask } from '../research/addTask';
import { closeTask } from '../research/closeTask';
import { deliverTask } from '../research/deliverNow';
import { matrixFileName, matrixSheet } from '../research/matrixSheet';
import { isQuarter, quarterLabel, thisQuarter } from '../research/quarters';
import { taskMatrix } from '../research/status';
import { sheetFile } from '../sheets/write';
import { failureOf, type HttpResponse } from '../web/http';
import { type DeskUser, deskEditor, deskUser, editorOrKept } from './access';
import { downloadFormat } from './deskViews';
import type { Result } from './scorePages';
import type { DeskAccess } from './session';
import { keptTaskForm, type TaskValues, tasksPage, taskValuesOf } from './taskPages';

type Query = Record<string, string | undefined>;

function askedQuarter(raw: unknown): string {
  const quarter = typeof raw === 'string' && raw.trim() !== '' ? raw.trim().toUpperCase() : thisQuarter();
  if (!isQuarter(quarter)) {
    throw new ValidationError([{ field: 'quarter', message: '季度格式应为 2026Q4（年份加 Q1—Q4）。' }]);
  }
  return quarter;
}

async function quarterPage(
  user: DeskUser,
  quarter: string,
  status: number,
  extra: { values?: TaskValues; errors?: FieldError[]; result?: Result } = {},
): Promise<HttpResponse> {
  const matrix = await taskMatrix(quarter);
  return {
    status,
    html: tasksPage(user, { matrix, ...extra }),
    json: { ...matrix, ...(extra.errors ? { errors: extra.errors } : {}) },
  };
}

export async function tasksView(access: DeskAccess, query: Query): Promise<HttpResponse> {
  const user = await deskUser(access);
  return quarterPage(user, askedQuarter(query.quarter), 200);
}

export async function tasksDownload(access: DeskAccess, query: Query): Promise<HttpResponse> {
  await deskUser(access);
  const format = downloadFormat(query);
  const matrix = await taskMatrix(askedQuarter(query.quarter));
  return { status: 200, file: await sheetFile(matrixSheet(matrix), matrixFileName(matrix), format) };
}

export async function addTaskView(access: DeskAccess, fields: Record<string, unknown>): Promise<HttpResponse> {
  const values = taskValuesOf(fields);
  const quarter = isQuarter(String(values.quarter ?? '').toUpperCase())
    ? String(values.quarter).toUpperCase()
    : thisQuarter();
  const user = await editorOrKept(access, (notice) => keptTaskForm(`/desk/tasks`, quarter, values, notice));
  if (!('person' in user)) return user;
  try {
    const result = await addTask(fields, { name: user.person.name }, { deliver: deliverTask });
    const message = result.added
      ? `已部署${quarterLabel(result.task.quarter)}重点调研任务“${result.task.title}”（编号 ${result.task.taskId}），${result.recipients} 位信息员将收到邮件。`
      : `调研任务“${result.task.title}”（编号 ${result.task.taskId}）已经部署过，没有重复部署。`;
    const page = await quarterPage(user, result.task.quarter, result.added ? 201 : 200, {
      result: { ok: true, message },
    });
    return { ...page, json: { added: result.added, task: result.task, recipients: result.recipients } };
  } catch (err) {
    if (err instanceof ValidationError) return quarterPage(user, quarter, 400, { values, errors: err.errors });
    if (failureOf(err).status !== 503) throw err;
    // The store or SES stumbled: the form again with what was typed (nothing read: the store may still be down).
    const failure = failureOf(err);
    return {
      status: 503,
      html: keptTaskForm(`/desk/tasks`, quarter, values, `${failure.message}${FORM_KEPT_NOTICE}`),
      json: { error: failure.code, message: failure.message },
    };
  }
}

export async function closeTaskView(access: DeskAccess, taskId: string): Promise<HttpResponse> {
  const user = await deskEditor(access);
  const { task, closed } = await closeTask(taskId, { name: user.person.name });
  const message = closed ? `调研任务“${task.title}”已结束。` : `调研任务“${task.title}”此前已经结束。`;
  const page = await quarterPage(user, task.quarter, 200, { result: { ok: true, message } });
  return { ...page, json: { closed, task } };
}
