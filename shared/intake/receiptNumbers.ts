// Receipt numbers (回执号, `2026-0042`): gapless per county-year. The event write claims a number; this counter item
// is only a hint of where to start looking.
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { db, isConditionFailed, tableName } from '../store/db';
import { keys } from '../store/keys';

/** The last receipt number handed out this year: a hint only, the event write is what claims a number. */
export async function lastReceiptHint(county: string, year: number): Promise<number> {
  const out = await db().send(
    new GetCommand({
      TableName: tableName(),
      Key: { pk: keys.receiptCounter(county, year), sk: 'COUNTER' },
      ConsistentRead: true,
    }),
  );
  return Number(out.Item?.last ?? 0);
}

export async function raiseReceiptHint(county: string, year: number, n: number): Promise<void> {
  try {
    await db().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: { pk: keys.receiptCounter(county, year), sk: 'COUNTER' },
        UpdateExpression: 'SET #last = :n',
        ConditionExpression: 'attribute_not_exists(#last) OR #last < :n',
        ExpressionAttributeNames: { '#last': 'last' },
        ExpressionAttributeValues: { ':n': n },
      }),
    );
  } catch (err) {
    if (!isConditionFailed(err)) throw err; // someone already raised it further
  }
}

export function receiptOf(year: number, n: number): string {
  return `${year}-${String(n).padStart(4, '0')}`;
}
