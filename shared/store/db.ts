// DynamoDB adapter: one document client per process, created on first use; local runs point it at dynalite. Every
// call carries the request's abort signal (shared/core/budget.ts).
import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { boundToBudget, settle } from '../core/budget';
import { config } from '../core/config';
import { OutcomeUnknownError } from '../core/errors';

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
    client = boundToBudget(DynamoDBDocumentClient.from(base, { marshallOptions: { removeUndefinedValues: true } }));
  }
  return client;
}

export function tableName(): string {
  return config().tableName;
}

export function isConditionFailed(err: unknown): boolean {
  return err instanceof Error && err.name === 'ConditionalCheckFailedException';
}

export interface ItemKey {
  pk: string;
  sk: string;
}

/** A fresh stamp for one conditional write: stored on the item, it lets the writer recognise its own write. */
export const newWriteId = (): string => randomUUID();

/**
 * After a failed condition: is the item there because of this very write? A write that committed but whose answer
 * was lost is retried by the SDK and then fails its own condition; its stamp (`attribute`, `writeId` unless told)
 * on the item says it was ours. A consistent read, so a write that just committed is seen.
 */
export async function isOwnWrite(
  key: ItemKey,
  writeId: string,
  stamp: (item: Record<string, unknown>) => unknown = (item) => item.writeId,
): Promise<boolean> {
  const out = await db().send(new GetCommand({ TableName: tableName(), Key: key, ConsistentRead: true }));
  return out.Item !== undefined && stamp(out.Item) === writeId;
}

/** Errors after which the store surely did not write: it refused the call (throttling, a malformed request). */
function isDefiniteRefusal(err: unknown): boolean {
  return (
    err instanceof Error &&
    [
      'ProvisionedThroughputExceededException',
      'ThrottlingException',
      'RequestLimitExceeded',
      'ValidationException',
      'ResourceNotFoundException',
    ].includes(err.name)
  );
}

/**
 * Writes an item only if its key is free (an event's sequence number, a day's reminder): of two writers, one wins.
 * True when this call wrote it, also when its answer was lost and the SDK's retry then found the item in place.
 * When the call failed in a way that may have written (a dropped connection, the time up), it looks: its own
 * write is success, no write is the original error, and no way to tell is OutcomeUnknownError.
 */
export function putIfAbsent(item: Record<string, unknown> & ItemKey, writeId = newWriteId()): Promise<boolean> {
  return putIf(item, { expression: 'attribute_not_exists(pk)' }, writeId);
}

export interface PutCondition {
  expression: string;
  names?: Record<string, string>;
  values?: Record<string, unknown>;
}

/** putIfAbsent with a condition of the caller's (e.g. "absent, or older than the window"), the same own-write rule. */
export async function putIf(
  item: Record<string, unknown> & ItemKey,
  condition: PutCondition,
  writeId = newWriteId(),
): Promise<boolean> {
  const key = { pk: item.pk, sk: item.sk };
  try {
    await db().send(
      new PutCommand({
        TableName: tableName(),
        Item: { ...item, writeId },
        ConditionExpression: condition.expression,
        ExpressionAttributeNames: condition.names,
        ExpressionAttributeValues: condition.values,
      }),
    );
    return true;
  } catch (err) {
    if (!isConditionFailed(err) && isDefiniteRefusal(err)) throw err;
    let own: boolean;
    try {
      own = await settle(() => isOwnWrite(key, writeId));
    } catch {
      throw new OutcomeUnknownError({ cause: err });
    }
    if (own) return true;
    if (isConditionFailed(err)) return false;
    throw err;
  }
}

/** A key as one string, for the maps `getItems` answers with. */
export const keyId = (key: ItemKey): string => `${key.pk}\u0000${key.sk}`;

export type Items = Map<string, Record<string, unknown>>;

/** What one BatchGetItem call may ask for. */
const BATCH_KEYS = 100;

/**
 * Several items by key, read together: one BatchGetItem per hundred keys (issued at once), keys the store left
 * unprocessed asked again. Missing items are absent from the map (look them up with `keyId`).
 */
export async function getItems(
  itemKeys: ItemKey[],
  options: { consistent?: boolean; attributes?: string[] } = {},
): Promise<Items> {
  const unique = [...new Map(itemKeys.map((k) => [keyId(k), { pk: k.pk, sk: k.sk }])).values()];
  const found: Items = new Map();
  const projection = options.attributes
    ? {
        ProjectionExpression: ['pk', 'sk', ...options.attributes].map((_, i) => `#a${i}`).join(', '),
        ExpressionAttributeNames: Object.fromEntries(
          ['pk', 'sk', ...options.attributes].map((name, i) => [`#a${i}`, name]),
        ),
      }
    : {};
  const chunks: ItemKey[][] = [];
  for (let i = 0; i < unique.length; i += BATCH_KEYS) chunks.push(unique.slice(i, i + BATCH_KEYS));
  await Promise.all(
    chunks.map(async (chunk) => {
      let left = chunk;
      for (let round = 0; left.length > 0; round++) {
        if (round > 0) await new Promise((r) => setTimeout(r, Math.min(1000, 25 * 2 ** round)));
        const out = await db().send(
          new BatchGetCommand({
            RequestItems: {
              [tableName()]: { Keys: left, ...(options.consistent ? { ConsistentRead: true } : {}), ...projection },
            },
          }),
        );
        for (const item of out.Responses?.[tableName()] ?? []) found.set(keyId(item as ItemKey), item);
        left = (out.UnprocessedKeys?.[tableName()]?.Keys ?? []) as ItemKey[];
      }
    }),
  );
  return found;
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
