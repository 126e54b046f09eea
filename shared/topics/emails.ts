// The topic's email to each informant of its units: what to write about, by when, the answer link (the form with
// this topic chosen, good for answering it until its due day: never the personal key, since emails get forwarded)
// and the read-only 我的报送 link. Where emails carry no work text (`link`), the topic is announced without its title
// and description: the answer link's page names it.
import { formatShanghaiDate } from '../core/clock';
import { html, paragraphs } from '../core/html';
import { button, fullText, layout, linkNote } from '../mail/frame';
import {
  type EmailData,
  type EmailTemplates,
  type RenderContext,
  type RenderedEmail,
  recipientOf,
  str,
} from '../mail/templates';
import { mineLine } from '../roster/personalLinks';
import { answerNote, answerUrl } from './answerLink';
import type { Topic } from './topics';

/** `2026年12月15日` from a day written `2026-12-15` (noon: the same calendar day in any time zone's reading). */
export const dueText = (due: string): string => formatShanghaiDate(`${due}T04:00:00Z`);

async function topicEmail(data: EmailData, context: RenderContext): Promise<RenderedEmail> {
  const { keyVersion } = recipientOf(context);
  const t = context.item as unknown as Topic;
  const personId = str(data, 'personId');
  const call = { topicId: t.topicId };
  const [url, mine] = await Promise.all([answerUrl(personId, keyVersion, call, t.due), mineLine(personId, keyVersion)]);
  const full = fullText();
  const line = full
    ? `县委组织部信息科发布点题“${t.title}”，请于 ${dueText(t.due)} 前围绕这一主题报送信息或调研文稿。`
    : `县委组织部信息科发布了一项新的点题，请于 ${dueText(t.due)} 前围绕点题报送信息或调研文稿。`;
  // The answer link's page names the topic by its title (the description is on the desk's topic page only).
  const description = full ? t.description : linkNote('点题的题目');
  const note = answerNote(call);
  return {
    subject: full ? `点题：${t.title}（${dueText(t.due)}截止）` : `点题：一项新的点题（${dueText(t.due)}截止）`,
    html: layout(
      '点题通知',
      html`<p>${str(data, 'name')}同志：</p><p>${line}</p>${description ? html`<div style="background:#fafafa;border-left:3px solid #b71c1c;padding:4px 12px">${paragraphs(description)}</div>` : ''}${button(url, '回应点题，报送稿件')}<p style="font-size:13px;color:#666">${note}</p>${mine.html}`,
    ),
    text: `${str(data, 'name')}同志：\n\n${line}\n\n${description ? `${description}\n\n` : ''}回应点题，报送稿件：${url}\n${note}\n${mine.text}`,
  };
}

export const topicTemplates = { topic: topicEmail } satisfies EmailTemplates;
