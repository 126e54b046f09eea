// Use case: an editor closes a topic before its due day (`topic close ID`, the desk's 结束 button): one conditional
// update of the topic (closing twice is the first close), then it leaves the open list.
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { now } from '../core/clock';
import { config } from '../core/config';
import { NotFoundError } from '../core/errors';
import { db, isConditionFailed, tableName } from '../store/db';
import { editOpenList } from './openList';
import { isTopicId, readTopic, type Topic, topicKey } from './topics';

export async function closeTopic(topicId: string, by: { name: string }): Promise<{ topic: Topic; closed: boolean }> {
  const county = config().countyId;
  const topic = isTopicId(topicId) ? await readTopic(county, topicId) : undefined;
  if (!topic) throw new NotFoundError(`没有编号为 ${topicId} 的点题。`);
  let closed = false;
  if (!topic.closedAt) {
    const at = now().toISOString();
    try {
      // Idempotent by itself: the same close again after a lost answer fails the condition and reads it closed.
      await db().send(
        new UpdateCommand({
          TableName: tableName(),
          Key: topicKey(county, topicId),
          UpdateExpression: 'SET closedAt = :at, closedBy = :by',
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(closedAt)',
          ExpressionAttributeValues: { ':at': at, ':by': by.name },
        }),
      );
      closed = true;
      topic.closedAt = at;
      topic.closedBy = by.name;
    } catch (err) {
      if (!isConditionFailed(err)) throw err;
    }
  }
  await editOpenList(county, (list) =>
    list.some((t) => t.topicId === topicId) ? list.filter((t) => t.topicId !== topicId) : undefined,
  );
  return { topic: (closed ? topic : await readTopic(county, topicId)) ?? topic, closed };
}
