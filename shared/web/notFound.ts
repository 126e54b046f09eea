// The answer to a path no route knows: 404, in Chinese for a browser, structured for a JSON client. Changes nothing.
import { html } from '../core/html';
import { httpHandler } from './http';
import { messagePage } from './pages';

const MESSAGE = '未找到该页面。';
const HINT =
  '如果您是从邮件中的链接打开的，链接可能被邮件程序截断了：请回到邮件，点击其中的按钮，或把完整的链接复制到浏览器。';

export const notFoundHandler = httpHandler(async () => ({
  status: 404,
  html: messagePage(
    '未找到该页面',
    MESSAGE,
    html`<p>${HINT}</p><p><a href="/">返回首页</a>（可在首页重新获取您的个人报送链接）</p>`,
  ),
  json: { error: 'not_found', message: `${MESSAGE}${HINT}` },
}));
