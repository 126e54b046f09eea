// What the desk's 点题 routes answer: the topics (GET), one topic's responses (GET), issuing one (POST, editors; the
// informants' emails sent at once, what fails left to the sweeper) and closing one (POST). A bad field comes back on
// the page with what was typed, nothing written.
import { monthOf, now } from '../core/clock';
import { config } from '../core/config';
import { type FieldError, FORM_KEPT_NOTICE, NotFoundError, ValidationError } from '../core/errors';
import { monthsEvents } from '../reports/issueStats';
import { listRoster, reportingUnits } from '../roster/people';
import { addTopic } from '../topics/addTopic';
import { closeTopic } from '../topics/closeTopic';
import { deliverTopic } from '../topics/deliverNow';
import { answersIn, topicMonths, topicResponses } from '../topics/responses';
import { isTopicId, listTopics, readTopic, type Topic } from '../topics/topics';
import { failureOf, type HttpResponse } from '../web/http';
import { type DeskUser, deskEditor, deskUser, editorOrKept } from './access';
import type { Result } from './scorePages';
import type { DeskAccess } from './session';
import { keptTopicForm, type TopicValues, topicPage, topicsPage, topicValuesOf } from './topicPages';

/** How many pieces answer each topic: the month partitions of the open topics' lives (the list's own months). */
async function answerCounts(topics: Topic[]): Promise<Map<string, number>> {
  const county = config().countyId;
  const thisMonth = monthOf(now());
  // Only topics of the last year are counted on the list (older ones show their responses on their own page).
  const recent = topics.filter((t) => t.createdMonth >= `${Number(thisMonth.slice(0, 4)) - 1}${thisMonth.slice(4)}`);
  const months = [...new Set(recent.flatMap((t) => topicMonths(t)))].sort();
  const answers = answersIn((await monthsEvents(county, months)).flat());
  return new Map(
    recent.map((t) => [t.topicId, [...(answers.get(t.topicId)?.values() ?? [])].reduce((n, r) => n + r.size, 0)]),
  );
}

async function listPage(
  user: DeskUser,
  status: number,
  extra: { values?: TopicValues; errors?: FieldError[]; result?: Result } = {},
): Promise<HttpResponse> {
  const topics = await listTopics(config().countyId);
  const answers = await answerCounts(topics);
  return {
    status,
    html: topicsPage(user, { topics, answers, ...extra }),
    json: {
      topics: topics.map((t) => ({ ...t, answers: answers.get(t.topicId) ?? 0 })),
      ...(extra.errors ? { errors: extra.errors } : {}),
    },
  };
}

export async function topicsView(access: DeskAccess): Promise<HttpResponse> {
  return listPage(await deskUser(access), 200);
}

export async function topicView(access: DeskAccess, topicId: string, result?: Result): Promise<HttpResponse> {
  const user = await deskUser(access);
  return onePage(user, topicId, 200, result);
}

async function onePage(user: DeskUser, topicId: string, status: number, result?: Result): Promise<HttpResponse> {
  const county = config().countyId;
  const [topic, roster] = await Promise.all([
    isTopicId(topicId) ? readTopic(county, topicId) : undefined,
    listRoster(county),
  ]);
  if (!topic) throw new NotFoundError('没有这个点题。');
  const responses = await topicResponses(county, topic, reportingUnits(roster));
  return { status, html: topicPage(user, topic, responses, result), json: { topic, responses } };
}

export async function addTopicView(access: DeskAccess, fields: Record<string, unknown>): Promise<HttpResponse> {
  const values = topicValuesOf(fields);
  const user = await editorOrKept(access, (notice) => keptTopicForm(`/desk/topics`, values, notice));
  if (!('person' in user)) return user;
  try {
    const result = await addTopic(fields, { name: user.person.name }, { deliver: deliverTopic });
    const message = result.added
      ? `已发布点题“${result.topic.title}”（编号 ${result.topic.topicId}），${result.recipients} 位信息员将收到邮件。`
      : `点题“${result.topic.title}”（编号 ${result.topic.topicId}）已经发布过，没有重复发布。`;
    const page = await onePage(user, result.topic.topicId, result.added ? 201 : 200, { ok: true, message });
    return { ...page, json: { added: result.added, topic: result.topic, recipients: result.recipients } };
  } catch (err) {
    if (err instanceof ValidationError) return listPage(user, 400, { values, errors: err.errors });
    if (failureOf(err).status !== 503) throw err;
    // The store or SES stumbled: the form again with what was typed (nothing read: the store may still be down).
    const failure = failureOf(err);
    const result: Result = { ok: false, message: `${failure.message}${FORM_KEPT_NOTICE}` };
    return {
      status: 503,
      html: topicsPage(user, { topics: [], answers: new Map(), values, result }),
      json: { error: failure.code, message: failure.message },
    };
  }
}

export async function closeTopicView(access: DeskAccess, topicId: string): Promise<HttpResponse> {
  const user = await deskEditor(access);
  const { topic, closed } = await closeTopic(topicId, { name: user.person.name });
  const message = closed ? `点题“${topic.title}”已结束征集。` : `点题“${topic.title}”此前已经结束。`;
  const page = await onePage(user, topicId, 200, { ok: true, message });
  return { ...page, json: { closed, topic } };
}
