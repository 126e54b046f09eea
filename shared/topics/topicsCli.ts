// The operators' commands for topics (点题, `npm run admin -- topic …`), registered by scripts/admin.ts: issuing one
// (its email to the units' informants), listing them with their responses, and closing one.
import { type Command, str, table, unitIdsOf } from '../core/cli';
import { listRoster, reportingUnits } from '../roster/people';
import { OPERATOR } from '../roster/rosterEvents';
import { addTopic } from './addTopic';
import { closeTopic } from './closeTopic';
import { deliverTopic } from './deliverNow';
import { topicResponses } from './responses';
import { audienceOf, isOpen, listTopics } from './topics';

export const TOPIC_COMMANDS: Record<string, Command> = {
  'topic add': {
    summary: '发布点题：面向单位的信息员收到邮件，截止日期前报送表单列出本题',
    options: {
      title: { type: 'string', value: '标题', help: '点题标题（必填）' },
      description: { type: 'string', value: '说明', help: '说明（可选）' },
      due: { type: 'string', value: 'YYYY-MM-DD', help: '截止日期（必填，今天或以后）' },
      units: {
        type: 'string',
        value: 'ID,ID|all',
        help: '面向的单位：单位编号或名称，逗号分隔；all 为全部单位（默认）',
      },
    },
    details: ['同一标题和截止日期再发布一次不会重复（也不重发邮件）。单位编号见 roster list。'],
    run: async ({ values, county, sweep }) => {
      const roster = await listRoster(county);
      const units = unitIdsOf(roster, str(values.units));
      const result = await addTopic(
        { title: values.title, description: values.description, due: values.due, units },
        OPERATOR,
        { deliver: deliverTopic },
      );
      const t = result.topic;
      if (!result.added) {
        console.log(`点题“${t.title}”（${t.topicId}，${t.due} 截止）已经发布过，没有重复发布。`);
        return 0;
      }
      const r = await sweep();
      console.log(
        `已发布点题“${t.title}”（编号 ${t.topicId}，${t.due} 截止），面向${audienceOf(t, reportingUnits(roster).names)}。`,
      );
      console.log(`通知 ${result.recipients} 位信息员（发送 ${r.sent} 封，等待重试 ${r.pending} 封）。`);
      return 0;
    },
  },
  'topic list': {
    summary: '列出点题（征集中的在前）及回应稿件数',
    run: async ({ county }) => {
      const [topics, roster] = await Promise.all([listTopics(county), listRoster(county)]);
      const units = reportingUnits(roster);
      if (topics.length === 0) {
        console.log('还没有点题。');
        return 0;
      }
      const rows = await Promise.all(
        [...topics.filter((t) => isOpen(t)), ...topics.filter((t) => !isOpen(t))].map(async (t) => {
          const r = await topicResponses(county, t, units);
          const pieces = r.answered.reduce((n, u) => n + u.receipts.length, 0);
          const state = t.closedAt ? '已结束' : isOpen(t) ? '征集中' : '已截止';
          return [
            t.topicId,
            t.title,
            t.due,
            state,
            audienceOf(t, units.names),
            `${r.answered.length} 个单位 ${pieces} 篇`,
          ];
        }),
      );
      for (const line of table([['编号', '标题', '截止', '状态', '面向', '回应'], ...rows])) console.log(line);
      return 0;
    },
  },
  'topic close': {
    summary: '结束点题的征集：报送表单不再列出；已报送的稿件仍算作回应',
    args: ['ID'],
    run: async ({ args: [id = ''] }) => {
      const { topic, closed } = await closeTopic(id, OPERATOR);
      console.log(closed ? `点题“${topic.title}”已结束征集。` : `点题“${topic.title}”此前已经结束。`);
      return 0;
    },
  },
};
