// The research tasks' emails: to the informants of their units the assignment (what to research, by when, and the
// answer link: the form with this task chosen, for a research paper on it until its due day, never the personal
// key), the reminder a week before the due day (the same answer link) and the overdue notice the day after it (the
// answer link has ended with the due day: no submission link); each with the read-only 我的报送 link. To the editors
// the units overdue, with a sign-in link that leads to the quarter's task page. Where emails carry no work text (`link`),
// a task is named by its quarter and due day, never by its title or description (the answer link's page, 我的报送 and
// the desk name it), and the editors' notice gives the number of units overdue, their names on the desk's page.
import { html, paragraphs } from '../core/html';
import { button, fullText, layout, linkNote } from '../mail/frame';
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
  const full = fullText();
  const line = full
    ? `县委组织部信息科部署${quarterLabel(t.quarter)}重点调研任务“${t.title}”，请于 ${dueText(t.due)} 前报送调研文稿。`
    : `县委组织部信息科部署了${quarterLabel(t.quarter)}的一项重点调研任务，请于 ${dueText(t.due)} 前报送调研文稿。`;
  const lead = t.lead ? `牵头人：${t.lead}。` : '';
  // The answer link's page names the task by its title (the description is on the desk's page only).
  const description = full ? t.description : linkNote('任务的题目');
  return {
    subject: full
      ? `重点调研任务：${t.title}（${dueText(t.due)}截止）`
      : `重点调研任务：${quarterLabel(t.quarter)}一项新任务（${dueText(t.due)}截止）`,
    html: layout(
      '重点调研任务',
      html`<p>${str(data, 'name')}同志：</p><p>${line}</p>${lead ? html`<p>${lead}</p>` : ''}${description ? html`<div style="background:#fafafa;border-left:3px solid #b71c1c;padding:4px 12px">${paragraphs(description)}</div>` : ''}${button(url, '报送调研文稿')}<p style="font-size:13px;color:#666">${answerNote({ taskId: t.taskId })}</p>${mine.html}`,
    ),
    text: `${str(data, 'name')}同志：\n\n${line}\n${lead ? `${lead}\n` : ''}\n${description ? `${description}\n\n` : ''}报送调研文稿：${url}\n${answerNote({ taskId: t.taskId })}\n${mine.text}`,
  };
}

/** What a reminder's item keeps of its task. */
export type NoticeTask = Pick<Task, 'taskId' | 'quarter' | 'title' | 'due' | 'lead'>;

/** A task as a notice names it: by its title (full), or as one of its quarter's tasks (link: the due day tells which). */
const taskName = (t: NoticeTask): string =>
  fullText() ? `${quarterLabel(t.quarter)}重点调研任务“${t.title}”` : `${quarterLabel(t.quarter)}的一项重点调研任务`;

async function unitNotice(data: EmailData, context: RenderContext, overdue: boolean): Promise<RenderedEmail> {
  const { keyVersion } = recipientOf(context);
  const t = (context.item as { task: NoticeTask }).task;
  const personId = str(data, 'personId');
  const full = fullText();
  // Overdue, the task is no longer open and its answer link has ended: the notice carries none.
  const [url, mine] = await Promise.all([
    overdue ? undefined : answerUrl(personId, keyVersion, { taskId: t.taskId }, t.due),
    mineLine(personId, keyVersion),
  ]);
  const line = overdue
    ? `${taskName(t)}已于 ${dueText(t.due)} 截止，本单位尚未报送调研文稿。请尽快报送，并告知信息科进展。`
    : `${taskName(t)}将于 ${dueText(t.due)} 截止，本单位尚未报送调研文稿。`;
  // Overdue, the task is named on 我的报送 (the link every notice ends with).
  const note = full ? '' : linkNote('任务的题目');
  const about = full ? `：${t.title}` : '';
  return {
    subject: overdue
      ? full
        ? `【逾期】重点调研任务：${t.title}`
        : `【逾期】重点调研任务（${dueText(t.due)}截止）`
      : `【提醒】重点调研任务${about}（${dueText(t.due)}截止）`,
    html: layout(
      overdue ? '重点调研任务逾期' : '重点调研任务提醒',
      html`<p>${str(data, 'name')}同志：</p><p>${line}</p>${note ? html`<p>${note}</p>` : ''}${url ? html`${button(url, '报送调研文稿')}<p style="font-size:13px;color:#666">${answerNote({ taskId: t.taskId })}</p>` : ''}${mine.html}`,
    ),
    text: `${str(data, 'name')}同志：\n\n${line}\n${note ? `${note}\n` : ''}\n${url ? `报送调研文稿：${url}\n${answerNote({ taskId: t.taskId })}\n` : ''}${mine.text}`,
  };
}

async function editorsNotice(data: EmailData, context: RenderContext): Promise<RenderedEmail> {
  const { keyVersion } = recipientOf(context);
  const t = (context.item as { task: NoticeTask }).task;
  const count = num(data, 'count');
  // The sign-in link leads to the quarter's task page: its matrix names the task and the units.
  const desk = await deskUrl(str(data, 'personId'), keyVersion, `/desk/tasks?quarter=${encodeURIComponent(t.quarter)}`);
  if (!fullText()) {
    const url = desk;
    const line = `${taskName(t)}已于 ${dueText(t.due)} 截止，${count} 个单位尚未报送。`;
    const note = linkNote('任务的题目和未报送单位的名单');
    return {
      subject: `重点调研任务逾期（${dueText(t.due)}截止，${count} 个单位未报送）`,
      html: layout(
        '重点调研任务逾期',
        html`<p>${str(data, 'name')}：</p><p>${line}</p><p>${note}</p>${button(url, '在工作台查看完成情况')}`,
      ),
      text: `${str(data, 'name')}：\n\n${line}\n${note}\n\n在工作台查看完成情况：${url}`,
    };
  }
  const line = `${taskName(t)}已于 ${dueText(t.due)} 截止，以下 ${count} 个单位尚未报送：${str(data, 'units')}。`;
  return {
    subject: `重点调研任务逾期：${t.title}（${count} 个单位未报送）`,
    html: layout(
      '重点调研任务逾期',
      html`<p>${str(data, 'name')}：</p><p>${line}</p>${button(desk, '在工作台查看完成情况')}`,
    ),
    text: `${str(data, 'name')}：\n\n${line}\n\n在工作台查看完成情况：${desk}`,
  };
}

export const researchTemplates = {
  task: taskEmail,
  taskReminder: (data, context) => unitNotice(data, context, false),
  taskOverdue: (data, context) => unitNotice(data, context, true),
  taskOverdueEditors: editorsNotice,
} satisfies EmailTemplates;
