// Use case: the web view of a sent 通报 — the link's month, its frozen run (one consistent read): every reader sees
// what the email said. A month not sent (yet) is 404.
import { NotFoundError } from '../core/errors';
import { bulletinClaims } from '../links/links';
import type { HttpResponse } from '../web/http';
import { bulletinRun } from './sendBulletin';
import { bulletinViewPage } from './webView';

export async function bulletinView(token: string): Promise<HttpResponse> {
  const { month } = await bulletinClaims(token);
  const run = await bulletinRun(month);
  if (!run) throw new NotFoundError('这个月的通报还没有发送。');
  return { status: 200, html: bulletinViewPage(run.content), json: run.content };
}
