// Use case: 恢复发送 — an editor lifts the stop that a bounce or a complaint put on a person's address, when the
// address is right after all (a mailbox set up again, a complaint made by mistake). A wrong address is corrected in
// the roster file instead: the corrected address is another person, never stopped. One REMOVE, so pressing twice, or
// again after a lost answer, is the same; an editor's stop leaves the roster summary too (review requests read it).
// If SES still suppresses the address, the next email bounces again and the stop comes back with it.
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { config } from '../core/config';
import { NotFoundError } from '../core/errors';
import { db, isConditionFailed, tableName } from '../store/db';
import { type Person, personKey, refreshSummary } from './people';

export async function resumeMail(personId: string): Promise<Person> {
  const county = config().countyId;
  let person: Person;
  try {
    const out = await db().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: personKey(county, personId),
        UpdateExpression: 'REMOVE mailStop',
        ConditionExpression: 'attribute_exists(pk)',
        ReturnValues: 'ALL_NEW',
      }),
    );
    person = out.Attributes as Person;
  } catch (err) {
    if (isConditionFailed(err)) throw new NotFoundError('名单中没有这个人员。');
    throw err;
  }
  if (person.role === 'editor') await refreshSummary(county);
  return person;
}
