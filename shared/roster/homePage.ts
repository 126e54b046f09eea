// The front page: a few lines on what this is, and the "send me my link" form.
import type { FieldError } from '../core/errors';
import { html } from '../core/html';
import { page } from '../web/pages';

export const LINK_SENT_MESSAGE =
  '如果该邮箱已登记在名单中，您的链接（信息员的报送链接，编辑和领导的工作台登录链接）将在几分钟内发到该邮箱。没有收到？请检查垃圾邮件，或联系县委组织部信息科。';

export function homePage(
  state: { sent?: boolean; email?: unknown; errors?: FieldError[]; notice?: string } = {},
): string {
  const email = typeof state.email === 'string' ? state.email : '';
  return page(
    '首页',
    html`<h1>组工信息报送</h1>
<p>这是县委组织部的组工信息和调研文稿报送系统。各单位信息员通过本人的专用链接报送稿件，信息科审核后通过邮件反馈结果；每月通报各单位报送和采用情况。</p>
<p>无需注册或密码：信息员的报送链接、信息科编辑和领导的工作台登录链接都已通过邮件发给本人（登录链接 7 天内有效，过期后在这里重新获取）。找不到链接？在下面填写登记的邮箱，我们会重新发送。</p>
${state.sent ? html`<div class="who" role="status"><p>${LINK_SENT_MESSAGE}</p></div>` : ''}
${state.notice ? html`<div class="errors" role="alert"><p>${state.notice}</p></div>` : ''}
<form method="post" action="/link">
<label for="email">把我的链接发到我的邮箱</label>
<input type="email" id="email" name="email" value="${email}" autocomplete="email" required>
${(state.errors ?? []).map((e) => html`<p class="error">${e.message}</p>`)}
<button type="submit">发送链接</button>
</form>`,
  );
}
