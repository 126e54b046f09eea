// The one table definition: the CDK stack and local creation (dynalite) both build from it.
import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';

export const KEY = { partition: 'pk', sort: 'sk' } as const;

/** Events carry a month key so reports Query one county-month partition instead of all history. */
export const MONTH_INDEX = {
  name: 'byMonth',
  partition: 'gsi1pk',
  sort: 'gsi1sk',
  /** What a bulletin needs of an event, and nothing more (INCLUDE projection keeps the index small). */
  include: [
    'type',
    'pieceId',
    'receipt',
    'revision',
    'unitId',
    'informantId',
    'kind',
    'issueNo',
    'points',
    // adoptions (采用) and their corrections: what scores and rankings need
    'level',
    'adoptionId',
    'adoptedOn',
    'instruction',
    'topicId',
    'taskId',
    'at',
    // decisions: when the revision came in (the 通报's days to a decision)
    'revisionAt',
  ],
} as const;

/**
 * Items that are only useful for a while (retry claims, throttle markers, link requests) carry their end as epoch
 * seconds here; DynamoDB's TTL deletes them some time after (days, at worst), so reads check the time themselves.
 */
export const TTL_ATTRIBUTE = 'expiresAt';

/** The TTL value for an item useful until `untilMs`. */
export const expiresAt = (untilMs: number): number => Math.ceil(untilMs / 1000);

/** Sparse index of items with unsent email: only items carrying `outbox` appear in it. */
export const OUTBOX_INDEX = { name: 'outbox', partition: 'outbox', sort: 'outboxAt' } as const;

/** Sparse index of revisions waiting for a decision, oldest first: what the reminder job reads. */
export const AWAITING_INDEX = { name: 'awaiting', partition: 'awaiting', sort: 'awaitingSince' } as const;

export function createTableInput(tableName: string): CreateTableCommandInput {
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: KEY.partition, AttributeType: 'S' },
      { AttributeName: KEY.sort, AttributeType: 'S' },
      { AttributeName: MONTH_INDEX.partition, AttributeType: 'S' },
      { AttributeName: MONTH_INDEX.sort, AttributeType: 'S' },
      { AttributeName: OUTBOX_INDEX.partition, AttributeType: 'S' },
      { AttributeName: OUTBOX_INDEX.sort, AttributeType: 'S' },
      { AttributeName: AWAITING_INDEX.partition, AttributeType: 'S' },
      { AttributeName: AWAITING_INDEX.sort, AttributeType: 'S' },
    ],
    KeySchema: [
      { AttributeName: KEY.partition, KeyType: 'HASH' },
      { AttributeName: KEY.sort, KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: [
      {
        IndexName: MONTH_INDEX.name,
        KeySchema: [
          { AttributeName: MONTH_INDEX.partition, KeyType: 'HASH' },
          { AttributeName: MONTH_INDEX.sort, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: [...MONTH_INDEX.include] },
      },
      {
        IndexName: OUTBOX_INDEX.name,
        KeySchema: [
          { AttributeName: OUTBOX_INDEX.partition, KeyType: 'HASH' },
          { AttributeName: OUTBOX_INDEX.sort, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'KEYS_ONLY' },
      },
      {
        IndexName: AWAITING_INDEX.name,
        KeySchema: [
          { AttributeName: AWAITING_INDEX.partition, KeyType: 'HASH' },
          { AttributeName: AWAITING_INDEX.sort, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'KEYS_ONLY' },
      },
    ],
  };
}
