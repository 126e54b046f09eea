// Idempotency claims: before creating a piece, a request claims its retry identity (Idempotency-Key, or the same
// informant + title + body within minutes). The winner creates the piece and records its receipt on the claim; a
// retry finds the claim and answers with that receipt. A claim left pending by a process that died is taken over.

import { setTimeout as sleep } from 'node:timers/promises';
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { now } from '../core/clock';
import { ConflictError } from '../core/errors';
import { db, isConditionFailed, tableName } from './db';
import { keys } from './keys';

/** A pending claim older than this belongs to a dead process (a request lives at most 10 s). */
const STALE_MS = 30_000;
const WAIT_MS = 5_000;
const POLL_MS = 100;

export interface Claim {
  county: string;
  digest: string;
  /** How long a finished claim keeps answering retries. */
  ttlMs: number;
}

/** Claims for the caller (`owner`); returns the receipt of an earlier result instead when there is one. */
export async function acquire(claim: Claim, owner: string): Promise<{ receipt?: string }> {
  const key = { pk: keys.claim(claim.county, claim.digest), sk: 'CLAIM' };
  const t = now().getTime();
  try {
    await db().send(
      new PutCommand({
        TableName: tableName(),
        Item: { ...key, owner, at: t },
        ConditionExpression: 'attribute_not_exists(pk) OR #at < :expired',
        ExpressionAttributeNames: { '#at': 'at' },
        ExpressionAttributeValues: { ':expired': t - claim.ttlMs },
      }),
    );
    return {};
  } catch (err) {
    if (!isConditionFailed(err)) throw err;
  }
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const out = await db().send(new GetCommand({ TableName: tableName(), Key: key, ConsistentRead: true }));
    const item = out.Item;
    if (item?.receipt) return { receipt: String(item.receipt) };
    if (item && Number(item.at) < now().getTime() - STALE_MS && (await takeOver(key, String(item.owner), owner))) {
      return {};
    }
    if (Date.now() > deadline) {
      throw new ConflictError('相同内容的稿件正在提交中，请稍后查看邮箱中的回执，不必重复提交。');
    }
    await sleep(POLL_MS);
  }
}

async function takeOver(key: { pk: string; sk: string }, previous: string, owner: string): Promise<boolean> {
  try {
    await db().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: key,
        UpdateExpression: 'SET #owner = :me, #at = :t',
        ConditionExpression: '#owner = :previous AND attribute_not_exists(receipt)',
        ExpressionAttributeNames: { '#owner': 'owner', '#at': 'at' },
        ExpressionAttributeValues: { ':me': owner, ':t': now().getTime(), ':previous': previous },
      }),
    );
    return true;
  } catch (err) {
    if (isConditionFailed(err)) return false;
    throw err;
  }
}

/** Records the result on a claim the caller owns, so retries get it. */
export async function resolve(claim: Claim, owner: string, receipt: string): Promise<void> {
  try {
    await db().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: { pk: keys.claim(claim.county, claim.digest), sk: 'CLAIM' },
        UpdateExpression: 'SET receipt = :r',
        ConditionExpression: '#owner = :me',
        ExpressionAttributeNames: { '#owner': 'owner' },
        ExpressionAttributeValues: { ':r': receipt, ':me': owner },
      }),
    );
  } catch (err) {
    if (!isConditionFailed(err)) throw err;
  }
}
