// Use case: an editor closes a topic before its due day (`topic close ID`, the desk's 结束 button): one conditional
// update of the topic (closing twice is the first close), then it leaves the open list.
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { now } from '../core/clock';
import { config } from '../core/config';
import { NotFoundError } from '../core/errors';
import { db, type ItemKey, isConditionFailed, isOwnWrite, newWriteId, tableName } from '../store/db';
import { editOpenList } from './openList';
import { isTopicId, readTopic, type Topic, topicKey } from './topics';

/**
 * Closes a call's item (a topic, a task) with one conditional update: closing twice is the first close (after a
 * lost answer the same close fails the condition and the item reads closed). True when this call closed it.
 */
export async function markClosed(key: ItemKey, by: { name: string }): Promise<string | undefined> {
  const at = now().toISOString();
  const closeId = newWriteId();
  try {
    await db().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: key,
        UpdateExpression: 'SET closedAt = :at, closedBy = :by, closeId = :id',
        ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(closedAt)',
        ExpressionAttributeValues: { ':at': at, ':by': by.name, ':id': closeId },
      }),
    );
    return at;
  } catch (err) {
    if (!isConditionFailed(err)) throw err;
    // Our own close whose answer was lost (the SDK's retry then fails the condition) is still ours.
    return (await isOwnWrite(key, closeId, (i) => i.closeId)) ? at : undefined;
  }
}

export async function closeTopic(topicId: string, by: { name: string }): Promise<{ topic: Topic; closed: boolean }> {
  const county = config().countyId;
  const topic = isTopicId(topicId) ? await readTopic(county, topicId) : undefined;
  if (!topic) throw new NotFoundError(`没有编号为 ${topicId} 的点题。`);
  const at = topic.closedAt ? undefined : await markClosed(topicKey(county, topicId), by);
  await editOpenList(county, (list) =>
    list.some((t) => t.topicId === topicId) ? list.filter((t) => t.topicId !== topicId) : undefined,
  );
  if (at) return { topic: { ...topic, closedAt: at, closedBy: by.name }, closed: true };
  return { topic: (await readTopic(county, topicId)) ?? topic, closed: false };
}
