// The research tasks' emails: to the informants of their units the assignment (what to research, by when, and the
// answer link: the form with this task chosen, for a research paper on it until its due day, never the personal
// key), the reminder a week before the due day (the same answer link) and the overdue notice the day after it (the
// answer link has ended with the due day: no submission link); each with the read-only 我的报送 link. To the editors
// the units overdue, with their desk link (until desk sign-in links come).
import { html, paragraphs } from '../core/html';
import { button, layout } from '../mail/frame';
import {
  type EmailData,
  type EmailTemplates,
  num,
  type RenderContext,
  type RenderedEmail,
  recipientOf,
  str,
} from '../mail/templates';
import { deskUrl, mineLine } from '../roster/personalLinks';
import { answerNote, answerUrl } from '../topics/answerLink';
import { dueText } from '../topics/emails';
import { quarterLabel } from './quarters';
import type { Task } from './tasks';

async function taskEmail(data: EmailData, context: RenderContext): Promise<RenderedEmail> {
  const { keyVersion } = recipientOf(context);
  const t = context.item as unknown as Task;
  const personId = str(data, 'personId');
  const [url, mine] = await Promise.all([
    answerUrl(personId, keyVersion, { taskId: t.taskId }, t.due),
    mineLine(personId, keyVersion),
  ]);
  const line = `县委组织部信息科部署${quarterLabel(t.quarter)}重点调研任务“${t.title}”，请于 ${dueText(t.due)} 前报送调研文稿。`;
  const lead = t.lead ? `牵头人：${t.lead}。` : '';
  return {
    subject: `重点调研任务：${t.title}（${dueText(t.due)}截止）`,
    html: layout(
      '重点调研任务',
      html`<p>${str(data, 'name')}同志：</p><p>${line}</p>${lead ? html`<p>${lead}</p>` : ''}${t.description ? html`<div style="background:#fafafa;border-left:3px solid #b71c1c;padding:4px 12px">${paragraphs(t.description)}</div>` : ''}${button(url, '报送调研文稿')}<p style="font-size:13px;color:#666">${answerNote({ taskId: t.taskId })}</p>${mine.html}`,
    ),
    text: `${str(data, 'name')}同志：\n\n${line}\n${lead ? `${lead}\n` : ''}\n${t.description ? `${t.description}\n\n` : ''}报送调研文稿：${url}\n${answerNote({ taskId: t.taskId })}\n${mine.text}`,
  };
}

/** What a reminder's item keeps of its task. */
export type NoticeTask = Pick<Task, 'taskId' | 'quarter' | 'title' | 'due' | 'lead'>;

async function unitNotice(data: EmailData, context: RenderContext, overdue: boolean): Promise<RenderedEmail> {
  const { keyVersion } = recipientOf(context);
  const t = (context.item as { task: NoticeTask }).task;
  const personId = str(data, 'personId');
  // Overdue, the task is no longer open and its answer link has ended: the notice carries none.
  const [url, mine] = await Promise.all([
    overdue ? undefined : answerUrl(personId, keyVersion, { taskId: t.taskId }, t.due),
    mineLine(personId, keyVersion),
  ]);
  const line = overdue
    ? `${quarterLabel(t.quarter)}重点调研任务“${t.title}”已于 ${dueText(t.due)} 截止，本单位尚未报送调研文稿。请尽快报送，并告知信息科进展。`
    : `${quarterLabel(t.quarter)}重点调研任务“${t.title}”将于 ${dueText(t.due)} 截止，本单位尚未报送调研文稿。`;
  return {
    subject: overdue ? `【逾期】重点调研任务：${t.title}` : `【提醒】重点调研任务：${t.title}（${dueText(t.due)}截止）`,
    html: layout(
      overdue ? '重点调研任务逾期' : '重点调研任务提醒',
      html`<p>${str(data, 'name')}同志：</p><p>${line}</p>${url ? html`${button(url, '报送调研文稿')}<p style="font-size:13px;color:#666">${answerNote({ taskId: t.taskId })}</p>` : ''}${mine.html}`,
    ),
    text: `${str(data, 'name')}同志：\n\n${line}\n\n${url ? `报送调研文稿：${url}\n${answerNote({ taskId: t.taskId })}\n` : ''}${mine.text}`,
  };
}

async function editorsNotice(data: EmailData, context: RenderContext): Promise<RenderedEmail> {
  const { keyVersion } = recipientOf(context);
  const t = (context.item as { task: NoticeTask }).task;
  const units = str(data, 'units');
  const url = await deskUrl(str(data, 'personId'), keyVersion);
  const line = `${quarterLabel(t.quarter)}重点调研任务“${t.title}”已于 ${dueText(t.due)} 截止，以下 ${num(data, 'count')} 个单位尚未报送：${units}。`;
  return {
    subject: `重点调研任务逾期：${t.title}（${num(data, 'count')} 个单位未报送）`,
    html: layout(
      '重点调研任务逾期',
      html`<p>${str(data, 'name')}：</p><p>${line}</p>${button(url, '在工作台查看完成情况')}`,
    ),
    text: `${str(data, 'name')}：\n\n${line}\n\n在工作台查看完成情况：${url}`,
  };
}

export const researchTemplates = {
  task: taskEmail,
  taskReminder: (data, context) => unitNotice(data, context, false),
  taskOverdue: (data, context) => unitNotice(data, context, true),
  taskOverdueEditors: editorsNotice,
} satisfies EmailTemplates;
