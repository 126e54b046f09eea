// DynamoDB adapter: one document client per process, created on first use; local runs point it at dynalite.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { config } from '../core/config';

let client: DynamoDBDocumentClient | undefined;

export function db(): DynamoDBDocumentClient {
  if (!client) {
    const { ddbEndpoint, region } = config();
    const base = new DynamoDBClient({
      region,
      ...(ddbEndpoint
        ? { endpoint: ddbEndpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }
        : {}),
      maxAttempts: 3,
      // A request must answer within Lambda's timeout even when the table is unreachable.
      requestHandler: { connectionTimeout: 2000, requestTimeout: 5000 },
    });
    client = DynamoDBDocumentClient.from(base, { marshallOptions: { removeUndefinedValues: true } });
  }
  return client;
}

export function tableName(): string {
  return config().tableName;
}

export function isConditionFailed(err: unknown): boolean {
  return err instanceof Error && err.name === 'ConditionalCheckFailedException';
}

/** Writes an item only if its key is free (an event's sequence number, a day's reminder): of two writers, one wins. */
export async function putIfAbsent(item: Record<string, unknown>): Promise<boolean> {
  try {
    await db().send(
      new PutCommand({ TableName: tableName(), Item: item, ConditionExpression: 'attribute_not_exists(pk)' }),
    );
    return true;
  } catch (err) {
    if (isConditionFailed(err)) return false;
    throw err;
  }
}

/** Read capacity a Query consumed, for the benchmark that checks reports read by month, not by history. */
export interface ReadUsage {
  readUnits: number;
}

/** Every item a Query finds, page after page (the table name is filled in). */
export async function queryAll(
  input: Omit<QueryCommandInput, 'TableName' | 'ExclusiveStartKey'>,
  usage?: ReadUsage,
): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await db().send(
      new QueryCommand({
        ...input,
        TableName: tableName(),
        ExclusiveStartKey: start,
        ...(usage ? { ReturnConsumedCapacity: 'TOTAL' as const } : {}),
      }),
    );
    if (usage) usage.readUnits += page.ConsumedCapacity?.CapacityUnits ?? 0;
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}
