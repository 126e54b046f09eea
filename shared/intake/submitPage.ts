// The submission form as a page, opened either way: with the personal key (every open topic and task of the unit,
// links to 我的报送 and back to the form by that key), or with an answer link (its one topic or task chosen, a word
// on what the link can do, 我的报送 by its read-only link; the form posts to the answer link, and nothing on the page
// carries the personal key).
import type { FieldError } from '../core/errors';
import { html } from '../core/html';
import { type FormValues, submitFormPage } from '../pieces/form';
import { CALL_LABELS, type FormAccess, isAnswer, PERSONAL_LINK_HINT } from './answerLink';
import type { SubmitFormData } from './loadSubmitForm';

export interface SubmitPageExtra {
  values?: FormValues;
  errors?: FieldError[];
  notice?: string;
}

/** Shown after the message of an answer link past its due day: what was typed is still on the page. */
export const EXPIRED_KEPT_NOTICE = '您填写的内容仍保留在本页，请先复制保存，再用本人的报送链接报送。';

/** Where a submission made with an answer link posts: the link itself, so the form carries no field of its own. */
export const answerAction = (a: string): string => `/submissions?a=${encodeURIComponent(a)}`;

/**
 * The form page; `form` is what loadSubmitForm read (undefined when the form is shown again and the store could
 * not be read: the fields come back, who is sending does not).
 */
export function submitPage(form: SubmitFormData | undefined, access: FormAccess, extra: SubmitPageExtra = {}): string {
  const common = {
    informantName: form?.informant.name,
    unitName: form?.unitName,
    topics: form?.topics,
    tasks: form?.tasks,
    ...(form?.sent ? { sent: form.sent } : {}),
    ...(extra.errors ? { errors: extra.errors } : {}),
    ...(extra.notice ? { notice: extra.notice } : {}),
  };
  if (!isAnswer(access)) {
    return submitFormPage({
      ...common,
      k: typeof access.k === 'string' ? access.k : form && 'k' in form ? form.k : undefined,
      ...(extra.values ? { values: extra.values } : {}),
    });
  }
  const a = typeof access.a === 'string' ? access.a : '';
  const answer = form && 'answer' in form ? form : undefined;
  const scope = answer?.answer;
  const chosen: FormValues | undefined = scope
    ? scope.call === 'topic'
      ? { topic: scope.id }
      : { kind: 'research', task: scope.id }
    : undefined;
  const values = extra.values ?? chosen;
  return submitFormPage({
    ...common,
    action: answerAction(a),
    heading: scope
      ? scope.call === 'topic'
        ? `回应点题：${scope.title}`
        : `报送重点调研文稿：${scope.title}`
      : '报送稿件',
    ...(values ? { values } : {}),
    ...(scope && answer
      ? {
          feedback: html`<div class="who"><p>本页由${CALL_LABELS[scope.call]}“${scope.title}”的通知邮件打开，只能报送${scope.call === 'topic' ? '回应这一点题的稿件' : '这一任务的调研文稿'}，${scope.due} 截止后失效。</p>
<p>${PERSONAL_LINK_HINT}</p>
<p class="links"><a href="${answer.minePath}">我的报送</a>（只能查看：今年报送的稿件、审核结果和修改意见）</p></div>`,
        }
      : {}),
  });
}
