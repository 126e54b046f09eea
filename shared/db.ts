// DynamoDB adapter: one document client per process, created on first use; local runs point it at dynalite.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { config } from './config';

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
