// The answer link a call's routine emails carry (the 点题 email; the 重点调研任务 assignment and its reminder) in place
// of the personal key: it opens the submission form with that one topic or task chosen, submits only a piece
// answering it, in its informant's name, and ends with the call's due day (Asia/Shanghai) or a revoke of their links.
import { config } from '../core/config';
import { type AnswerCall, answerExpiry, answerToken } from '../links/links';

export async function answerUrl(personId: string, keyVersion: number, call: AnswerCall, due: string): Promise<string> {
  const token = await answerToken({ personId, keyVersion, ...call, exp: answerExpiry(due) });
  return `${config().publicUrl}/submit?a=${token}`;
}

/**
 * The line under an answer link's button: what the page it opens can do, until when, and where the personal link is
 * for anything else (the front page, which emails it to the address in the roster).
 */
export const answerNote = (call: AnswerCall): string =>
  `这个报送链接打开的页面已选好${'topicId' in call ? '本题，只能报送回应本题的稿件' : '本任务，只能报送本任务的调研文稿'}，截止日后失效。报送其他稿件，请用本人的报送链接（可在首页 ${config().publicUrl}/ 重新获取）。`;
