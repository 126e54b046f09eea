// The desk's 点题 pages: the topics (open first), the form to issue one (editors), and one topic's responses by unit
// with the units that have not answered yet. A leader sees the same without a form that acts.
import { formatShanghai } from '../core/clock';
import type { FieldError } from '../core/errors';
import { html, type SafeHtml } from '../core/html';
import { dueText } from '../topics/emails';
import type { TopicResponses } from '../topics/responses';
import { TOPIC_LIMITS } from '../topics/topicInput';
import { audienceOf, isOpen, type Topic } from '../topics/topics';
import { page } from '../web/pages';
import type { DeskUser } from './access';
import { deskPage } from './pages';
import { type Result, resultBlock } from './scorePages';

export interface TopicValues {
  title?: string;
  description?: string;
  due?: string;
  units?: string[];
  all?: boolean;
}

export function topicValuesOf(fields: Record<string, unknown>): TopicValues {
  const text = (v: unknown) => (typeof v === 'string' ? v : undefined);
  const units = Array.isArray(fields.units)
    ? fields.units.filter((u): u is string => typeof u === 'string')
    : typeof fields.units === 'string' && fields.units !== 'all'
      ? [fields.units]
      : [];
  return {
    ...(text(fields.title) !== undefined ? { title: text(fields.title) } : {}),
    ...(text(fields.description) !== undefined ? { description: text(fields.description) } : {}),
    ...(text(fields.due) !== undefined ? { due: text(fields.due) } : {}),
    units,
    all: units.length === 0,
  };
}

const topicPath = (user: DeskUser, topicId: string) => `${user.base}/topics/${encodeURIComponent(topicId)}`;

const state = (t: Topic) =>
  t.closedAt ? `已结束（${t.closedBy ?? ''} ${formatShanghai(t.closedAt)}）` : isOpen(t) ? '征集中' : '已截止';

/**
 * The form to issue a topic. `units`: the roster's units to choose from; without them (the roster could not be
 * read) the units already chosen ride along unseen, so pressing again sends what was typed.
 */
function topicForm(
  action: string,
  units: [string, string][] | undefined,
  values: TopicValues,
  errors: FieldError[],
): SafeHtml {
  const err = (field: string) =>
    errors.filter((e) => e.field === field).map((e) => html`<p class="error" id="${field}-error">${e.message}</p>`);
  const chosen = new Set(values.units ?? []);
  return html`<h2>发布点题</h2>
${errors.length ? html`<div class="errors" role="alert"><p>请修改以下内容后重新提交：</p>${errors.map((e) => html`<p>${e.message}</p>`)}</div>` : ''}
<form method="post" action="${action}">
<label for="title">标题（不超过 ${TOPIC_LIMITS.titleMax} 字）</label><input type="text" id="title" name="title" maxlength="${TOPIC_LIMITS.titleMax}" value="${values.title ?? ''}" required>${err('title')}
<label for="description">说明（可选）</label><textarea id="description" name="description" maxlength="${TOPIC_LIMITS.descriptionMax}">${values.description ?? ''}</textarea>${err('description')}
<label for="due">截止日期</label><input type="date" id="due" name="due" value="${values.due ?? ''}" required>${err('due')}
${
  units
    ? html`<fieldset><legend>面向单位（不选则面向全部单位）</legend>${units.map(
        ([id, name]) =>
          html`<label><input type="checkbox" name="units" value="${id}"${chosen.has(id) ? html` checked` : ''}> ${name}</label>`,
      )}</fieldset>${err('units')}`
    : html`<p>面向单位：${chosen.size ? `已选 ${chosen.size} 个单位` : '全部单位'}</p>${[...chosen].map((id) => html`<input type="hidden" name="units" value="${id}">`)}`
}
<p class="hint">发布后，面向单位的信息员会收到邮件；截止日期前，报送表单的“点题”一栏会列出本题。同一标题和截止日期重复提交只算一次。</p>
<button type="submit">发布点题</button></form>`;
}

const unitsOf = (user: DeskUser): [string, string][] =>
  Object.entries(user.roster.summary.units).sort(([, a], [, b]) => a.localeCompare(b, 'zh'));

/** The form alone with what was typed, when the desk link could not even be read (the store down). */
export function keptTopicForm(action: string, values: TopicValues, notice: string): string {
  return page(
    '发布点题',
    html`<div class="errors" role="alert"><p>${notice}</p></div>${topicForm(action, undefined, values, [])}`,
  );
}

export function topicsPage(
  user: DeskUser,
  input: {
    topics: Topic[];
    answers: Map<string, number>;
    values?: TopicValues;
    errors?: FieldError[];
    result?: Result;
  },
): string {
  const units = user.roster.summary.units;
  const open = input.topics.filter((t) => isOpen(t));
  const past = input.topics.filter((t) => !isOpen(t));
  const table = (label: string, rows: Topic[]) =>
    html`<div class="scroll" tabindex="0" role="region" aria-label="${label}"><table class="grid"><thead><tr><th>编号</th><th>标题</th><th>截止</th><th>面向</th><th class="n">回应稿件</th><th>状态</th><th>发布</th></tr></thead><tbody>${rows.map(
      (t) =>
        html`<tr><td>${t.topicId}</td><td class="title"><a href="${topicPath(user, t.topicId)}">${t.title}</a></td><td>${t.due}</td><td>${audienceOf(t, units)}</td><td class="n">${input.answers.get(t.topicId) ?? 0}</td><td>${state(t)}</td><td>${t.createdBy} ${formatShanghai(t.createdAt)}</td></tr>`,
    )}</tbody></table></div>`;
  return deskPage(
    user,
    'topics',
    '点题',
    html`${resultBlock(input.result)}
<h2>征集中（${open.length}）</h2>${open.length ? table('征集中的点题', open) : html`<p class="muted">目前没有征集中的点题。</p>`}
${user.canAct ? topicForm(`${user.base}/topics`, unitsOf(user), input.values ?? {}, input.errors ?? []) : ''}
<h2>已结束（${past.length}）</h2>${past.length ? table('已结束的点题', past) : html`<p class="muted">暂无。</p>`}`,
  );
}

export function topicPage(user: DeskUser, topic: Topic, responses: TopicResponses, result?: Result): string {
  const pieces = responses.answered.reduce((n, u) => n + u.receipts.length, 0);
  return deskPage(
    user,
    'topics',
    `点题：${topic.title}`,
    html`${resultBlock(result)}
<table><tr><th>编号</th><td>${topic.topicId}</td></tr><tr><th>截止日期</th><td>${dueText(topic.due)}</td></tr>
<tr><th>面向</th><td>${audienceOf(topic, user.roster.summary.units)}</td></tr><tr><th>状态</th><td>${state(topic)}</td></tr>
<tr><th>发布</th><td>${topic.createdBy} ${formatShanghai(topic.createdAt)}</td></tr></table>
${topic.description ? html`<div class="hint">${topic.description}</div>` : ''}
<h2>回应情况：${responses.answered.length} 个单位，${pieces} 篇稿件</h2>
${
  responses.answered.length
    ? html`<div class="scroll" tabindex="0" role="region" aria-label="回应单位"><table class="grid"><thead><tr><th>单位</th><th class="n">稿件</th><th>回执号</th></tr></thead><tbody>${responses.answered.map(
        (u) =>
          html`<tr><td>${u.name}</td><td class="n">${u.receipts.length}</td><td>${u.receipts.map((r, i) => html`${i ? '、' : ''}<a href="${user.base}/pieces/${encodeURIComponent(r)}">${r}</a>`)}</td></tr>`,
      )}</tbody></table></div>`
    : html`<p class="muted">还没有单位回应。</p>`
}
<h2>尚未回应的单位（${responses.unanswered.length}）</h2>
<p>${responses.unanswered.length ? responses.unanswered.map((u) => u.name).join('、') : '无'}</p>
${
  user.canAct && !topic.closedAt && isOpen(topic)
    ? html`<form method="post" action="${topicPath(user, topic.topicId)}/close"><p class="hint">结束后，报送表单不再列出本题；已报送的稿件仍算作回应。</p><button type="submit" class="secondary">结束征集</button></form>`
    : ''
}
<p class="links"><a href="${user.base}/topics">返回点题列表</a></p>`,
  );
}
