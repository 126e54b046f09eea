// The roster's emails: each brings a person their personal link — an informant's submission link, an editor's or a
// leader's desk link — on joining the roster (welcome), on asking for it ("send me my link") and after a revoke (the
// old link no longer works).

import { DroppedEmailError } from '../core/errors';
import { html } from '../core/html';
import { SIGNIN_LINK_DAYS } from '../links/links';
import { button, layout } from '../mail/frame';
import {
  type EmailData,
  type EmailTemplates,
  type RenderContext,
  type RenderedEmail,
  recipientOf,
  str,
} from '../mail/templates';
import { deskUrl, mineLine, submitUrl } from './personalLinks';

type LinkTemplate = 'welcome' | 'link' | 'newLink';
type DeskTemplate = 'deskWelcome' | 'deskLink' | 'deskNewLink';

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

const KEEP_SAFE = '这是您本人的专用链接，请妥善保管、不要转发。如怀疑链接泄露，请联系县委组织部信息科重新生成。';

async function linkEmail(template: LinkTemplate, data: EmailData, context: RenderContext): Promise<RenderedEmail> {
  const recipient = recipientOf(context);
  const personId = str(data, 'personId');
  const url = await submitUrl(personId, recipient.keyVersion);
  const mine = await mineLine(personId, recipient.keyVersion);
  const subject = SUBJECTS[template];
  const text = intro(template, data);
  const name = recipient.name;
  return {
    subject,
    html: layout(
      subject,
      html`<p>${name}同志：</p><p>${text}</p>${button(url, '打开报送页面')}<p>${KEEP_SAFE}</p>${mine.html}`,
    ),
    text: `${name}同志：\n\n${text}\n\n报送链接：${url}\n\n${KEEP_SAFE}\n${mine.text}`,
  };
}

const DESK_SUBJECTS: Record<DeskTemplate, string> = {
  deskWelcome: '信息科工作台：您的登录链接',
  deskLink: '您的信息科工作台登录链接',
  deskNewLink: '您的工作台登录链接已更新（旧链接已失效）',
};

const SIGNIN_NOTE = `打开链接后点击“进入工作台”即可登录。此登录链接 ${SIGNIN_LINK_DAYS} 天内有效，可以重复使用；过期后打开它，可以一键获取新的链接，也可以在首页重新获取。`;

/** An editor's or a leader's sign-in link: the same frame as an informant's link, the desk instead of the form. */
async function deskEmail(template: DeskTemplate, context: RenderContext, personId: string): Promise<RenderedEmail> {
  const recipient = recipientOf(context);
  if (recipient.role !== 'editor' && recipient.role !== 'leader') {
    throw new DroppedEmailError('a desk link only for an editor or a leader');
  }
  const url = await deskUrl(personId, recipient.keyVersion);
  const subject = DESK_SUBJECTS[template];
  const what =
    recipient.role === 'editor'
      ? '在工作台上可以查看待审稿件并直接审核、按月查看全部稿件、查看本年度《组工专报》、管理名单（上传 Excel 名单、停用人员）、下载各单位报送数据。'
      : '在工作台上可以查看各单位报送和采用数据、全部稿件和本年度《组工专报》（只能查看，不能操作）。';
  const text = {
    deskWelcome: `您已被登记为组工信息报送系统的${recipient.role === 'editor' ? '编辑（信息科）' : '领导'}。${what}`,
    deskLink: `您申请重新获取工作台登录链接。${what}`,
    deskNewLink: `您的工作台登录链接已重新生成，此前的链接和已登录的工作台都已失效。请改用下面的新链接。${what}`,
  }[template];
  return {
    subject,
    html: layout(
      subject,
      html`<p>${recipient.name}同志：</p><p>${text}</p>${button(url, '登录信息科工作台')}<p>${SIGNIN_NOTE}</p><p>${KEEP_SAFE}</p>`,
    ),
    text: `${recipient.name}同志：\n\n${text}\n\n工作台登录链接：${url}\n${SIGNIN_NOTE}\n\n${KEEP_SAFE}\n`,
  };
}

/**
 * "Send me my link" carries only the address typed (and the person id it would be): the roster is read when the
 * sweeper sends it, and anyone who is not an informant there gets nothing (the email is dropped, not sent).
 */
function requestedLinkEmail(data: EmailData, context: RenderContext): Promise<RenderedEmail> {
  const role = context.recipient?.role;
  if (role === 'editor' || role === 'leader') return deskEmail('deskLink', context, str(data, 'personId'));
  if (role !== 'informant') throw new DroppedEmailError('the address asked for is not in the roster');
  return linkEmail('link', data, context);
}

export const rosterTemplates = {
  welcome: (data: EmailData, context: RenderContext) => linkEmail('welcome', data, context),
  link: requestedLinkEmail,
  newLink: (data: EmailData, context: RenderContext) => linkEmail('newLink', data, context),
  deskWelcome: (data: EmailData, context: RenderContext) => deskEmail('deskWelcome', context, str(data, 'personId')),
  deskNewLink: (data: EmailData, context: RenderContext) => deskEmail('deskNewLink', context, str(data, 'personId')),
} satisfies EmailTemplates;

export type RosterTemplate = keyof typeof rosterTemplates;
