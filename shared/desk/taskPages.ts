// The desk's 调研 page: a quarter's 重点调研 tasks as a matrix (units × tasks: 未提交, 已提交, 已退回, 已采用, 未予采用,
// 逾期, with the day), its downloads, the tasks with their close buttons, and the form to assign one (editors). A
// leader sees the same without a form that acts.
import { formatShanghai } from '../core/clock';
import type { FieldError } from '../core/errors';
import { html, type SafeHtml } from '../core/html';
import { quarterDays, quarterLabel, shiftQuarter } from '../research/quarters';
import { STATE_LABELS, type TaskMatrix } from '../research/status';
import { LEAD_MAX } from '../research/taskInput';
import type { Task } from '../research/tasks';
import { TOPIC_LIMITS } from '../topics/topicInput';
import { audienceOf, isOpen } from '../topics/topics';
import { page } from '../web/pages';
import type { DeskUser } from './access';
import { deskPage } from './pages';
import { type Result, resultBlock } from './scorePages';

export interface TaskValues {
  quarter?: string;
  title?: string;
  description?: string;
  due?: string;
  lead?: string;
  units?: string[];
}

export function taskValuesOf(fields: Record<string, unknown>): TaskValues {
  const text = (v: unknown) => (typeof v === 'string' ? v : undefined);
  const units = Array.isArray(fields.units)
    ? fields.units.filter((u): u is string => typeof u === 'string')
    : typeof fields.units === 'string' && fields.units !== 'all'
      ? [fields.units]
      : [];
  const values: TaskValues = { units };
  for (const name of ['quarter', 'title', 'description', 'due', 'lead'] as const) {
    const v = text(fields[name]);
    if (v !== undefined) values[name] = v;
  }
  return values;
}

const state = (t: Task) =>
  t.closedAt ? `已结束（${t.closedBy ?? ''} ${formatShanghai(t.closedAt)}）` : isOpen(t) ? '进行中' : '已截止';

function taskForm(
  action: string,
  quarter: string,
  units: [string, string][] | undefined,
  values: TaskValues,
  errors: FieldError[],
): SafeHtml {
  const err = (field: string) =>
    errors.filter((e) => e.field === field).map((e) => html`<p class="error" id="${field}-error">${e.message}</p>`);
  const chosen = new Set(values.units ?? []);
  const q = values.quarter ?? quarter;
  const { first, last } = quarterDays(/^\d{4}Q[1-4]$/.test(q) ? q : quarter);
  return html`<h2>部署重点调研任务</h2>
${errors.length ? html`<div class="errors" role="alert"><p>请修改以下内容后重新提交：</p>${errors.map((e) => html`<p>${e.message}</p>`)}</div>` : ''}
<form method="post" action="${action}">
<label for="quarter">季度（如 2026Q4）</label><input type="text" id="quarter" name="quarter" value="${q}" pattern="\\d{4}Q[1-4]" required>${err('quarter')}
<label for="title">任务名称（不超过 ${TOPIC_LIMITS.titleMax} 字）</label><input type="text" id="title" name="title" maxlength="${TOPIC_LIMITS.titleMax}" value="${values.title ?? ''}" required>${err('title')}
<label for="description">说明（可选）</label><textarea id="description" name="description" maxlength="${TOPIC_LIMITS.descriptionMax}">${values.description ?? ''}</textarea>${err('description')}
<label for="due">截止日期（季度内，${first} 至 ${last}）</label><input type="date" id="due" name="due" value="${values.due ?? ''}" required>${err('due')}
<label for="lead">牵头人（可选，不超过 ${LEAD_MAX} 字）</label><input type="text" id="lead" name="lead" maxlength="${LEAD_MAX}" value="${values.lead ?? ''}">${err('lead')}
${
  units
    ? html`<fieldset><legend>承担单位（不选则为全部单位）</legend>${units.map(
        ([id, name]) =>
          html`<label><input type="checkbox" name="units" value="${id}"${chosen.has(id) ? html` checked` : ''}> ${name}</label>`,
      )}</fieldset>${err('units')}`
    : html`<p>承担单位：${chosen.size ? `已选 ${chosen.size} 个单位` : '全部单位'}</p>${[...chosen].map((id) => html`<input type="hidden" name="units" value="${id}">`)}`
}
<p class="hint">部署后，承担单位的信息员会收到邮件；截止日期前，这些单位报送调研文稿时可以选择本任务。同一季度、名称和截止日期重复提交只算一次。</p>
<button type="submit">部署任务</button></form>`;
}

/** The form alone with what was typed, when the desk link could not even be read (the store down). */
export function keptTaskForm(action: string, quarter: string, values: TaskValues, notice: string): string {
  return page(
    '部署重点调研任务',
    html`<div class="errors" role="alert"><p>${notice}</p></div>${taskForm(action, quarter, undefined, values, [])}`,
  );
}

function matrixTable(m: TaskMatrix): SafeHtml {
  if (!m.tasks.length) return html`<p class="muted">这个季度还没有部署重点调研任务。</p>`;
  return html`<div class="scroll" tabindex="0" role="region" aria-label="调研任务完成情况"><table class="grid"><thead><tr><th>单位</th>${m.tasks.map(
    (t) => html`<th scope="col">${t.title}<br><span class="muted">${t.due} 截止</span></th>`,
  )}</tr></thead><tbody>${m.units.map(
    (u) =>
      html`<tr><th scope="row">${u.name}</th>${m.tasks.map((t) => {
        const cell = m.cells[t.taskId]?.[u.unitId];
        if (!cell) return html`<td class="muted">—</td>`;
        return html`<td><span class="st-${cell.state}">${STATE_LABELS[cell.state]}</span>${cell.on ? html` ${cell.on}` : ''}${cell.receipts.length ? html`<br><span class="muted">${cell.receipts.join('、')}</span>` : ''}${cell.adoptions ? html`<br>上级采用 ${cell.adoptions}` : ''}</td>`;
      })}</tr>`,
  )}</tbody></table></div>`;
}

const taskPath = (user: DeskUser, taskId: string) => `${user.base}/tasks/${encodeURIComponent(taskId)}`;

export function tasksPage(
  user: DeskUser,
  input: { matrix: TaskMatrix; values?: TaskValues; errors?: FieldError[]; result?: Result },
): string {
  const m = input.matrix;
  const units: [string, string][] = Object.entries(user.roster.summary.units).sort(([, a], [, b]) =>
    a.localeCompare(b, 'zh'),
  );
  const names = user.roster.summary.units;
  return deskPage(
    user,
    'tasks',
    `${quarterLabel(m.quarter)}重点调研`,
    html`${resultBlock(input.result)}
<form class="filters noprint" method="get" action="${user.base}/tasks"><div><label for="q">季度</label><input type="text" id="q" name="quarter" value="${m.quarter}" pattern="\\d{4}Q[1-4]"></div><div><button type="submit">查看</button></div></form>
<p class="links noprint"><a href="${user.base}/tasks?quarter=${shiftQuarter(m.quarter, -1)}">上一季度</a><a href="${user.base}/tasks?quarter=${shiftQuarter(m.quarter, 1)}">下一季度</a><a href="${user.base}/tasks/download?quarter=${m.quarter}&amp;format=xlsx">下载 Excel</a><a href="${user.base}/tasks/download?quarter=${m.quarter}&amp;format=csv">下载 CSV</a></p>
<h2>完成情况</h2>${matrixTable(m)}
<h2>任务（${m.tasks.length}）</h2>${
      m.tasks.length
        ? html`<div class="scroll" tabindex="0" role="region" aria-label="调研任务"><table class="grid"><thead><tr><th>编号</th><th>任务名称</th><th>截止</th><th>牵头人</th><th>承担单位</th><th>状态</th><th>部署</th>${user.canAct ? html`<th>操作</th>` : ''}</tr></thead><tbody>${m.tasks.map(
            (t) =>
              html`<tr><td>${t.taskId}</td><td class="title">${t.title}${t.description ? html`<br><span class="muted">${t.description}</span>` : ''}</td><td>${t.due}</td><td>${t.lead || '—'}</td><td>${audienceOf(t, names)}</td><td>${state(t)}</td><td>${t.createdBy} ${formatShanghai(t.createdAt)}</td>${
                user.canAct
                  ? html`<td>${t.closedAt ? '' : html`<form class="inline" method="post" action="${taskPath(user, t.taskId)}/close"><button type="submit" class="secondary">结束任务</button></form>`}</td>`
                  : ''
              }</tr>`,
          )}</tbody></table></div>`
        : html`<p class="muted">暂无。</p>`
    }
${user.canAct ? taskForm(`${user.base}/tasks`, m.quarter, units, input.values ?? {}, input.errors ?? []) : ''}`,
  );
}
