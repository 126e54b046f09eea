// The roster's emails: each brings a person their personal submission link — on joining the roster (welcome), on
// asking for it ("send me my link") and after a revoke (the old link no longer works).

import { DroppedEmailError } from '../core/errors';
import { html } from '../core/html';
import { button, layout } from '../mail/frame';
import {
  type EmailData,
  type EmailTemplates,
  type RenderContext,
  type RenderedEmail,
  recipientOf,
  str,
} from '../mail/templates';
import { submitUrl } from './personalLinks';

type LinkTemplate = 'welcome' | 'link' | 'newLink';

const SUBJECTS: Record<LinkTemplate, string> = {
  welcome: '欢迎使用组工信息报送系统：您的个人报送链接',
  link: '您的个人报送链接',
  newLink: '您的报送链接已更新（旧链接已失效）',
};

function intro(template: LinkTemplate, data: EmailData): string {
  return {
    welcome: `您已被登记为${str(data, 'unitName')}的信息员。今后报送组工信息和调研文稿，只需打开下面的个人链接填写即可，无需注册或密码。`,
    link: '您申请重新获取报送链接。请使用下面的个人链接报送组工信息和调研文稿。',
    newLink: '您的个人报送链接已重新生成，此前的链接已经失效。请改用下面的新链接。',
  }[template];
}

async function linkEmail(template: LinkTemplate, data: EmailData, context: RenderContext): Promise<RenderedEmail> {
  const recipient = recipientOf(context);
  const url = await submitUrl(str(data, 'personId'), recipient.keyVersion);
  const subject = SUBJECTS[template];
  const text = intro(template, data);
  const name = recipient.name;
  return {
    subject,
    html: layout(
      subject,
      html`<p>${name}同志：</p><p>${text}</p>${button(url, '打开报送页面')}
<p>这是您本人的专用链接，请妥善保管、不要转发。如怀疑链接泄露，请联系县委组织部信息科重新生成。</p>`,
    ),
    text: `${name}同志：\n\n${text}\n\n报送链接：${url}\n\n这是您本人的专用链接，请妥善保管、不要转发。如怀疑链接泄露，请联系县委组织部信息科重新生成。\n`,
  };
}

/**
 * "Send me my link" carries only the address typed (and the person id it would be): the roster is read when the
 * sweeper sends it, and anyone who is not an informant there gets nothing (the email is dropped, not sent).
 */
function requestedLinkEmail(data: EmailData, context: RenderContext): Promise<RenderedEmail> {
  if (context.recipient?.role !== 'informant') throw new DroppedEmailError('the address asked for is not an informant');
  return linkEmail('link', data, context);
}

export const rosterTemplates = {
  welcome: (data: EmailData, context: RenderContext) => linkEmail('welcome', data, context),
  link: requestedLinkEmail,
  newLink: (data: EmailData, context: RenderContext) => linkEmail('newLink', data, context),
} satisfies EmailTemplates;

export type RosterTemplate = keyof typeof rosterTemplates;
