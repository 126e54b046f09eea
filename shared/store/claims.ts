// Idempotency claims: before creating something, a request claims its retry identity (an Idempotency-Key, or the
// same informant + title + body within minutes). The claim names the owner (a fresh id per request) and its intent:
// the item the owner is about to write, stamped with the owner's id, and the result that item stands for. So the
// claim always tells what became of its request, even when the owner died or its answer was lost:
// - resolved (the result recorded): a retry answers with that result;
// - the intended item exists with the owner's stamp: it was written, a retry answers with its result;
// - neither, and the owner is gone (older than a request can live): a retry takes the claim over;
// - a request that knows it wrote nothing releases its claim, so an immediate retry goes straight through.
import { setTimeout as sleep } from 'node:timers/promises';
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { budgetLeft } from '../core/budget';
import { now } from '../core/clock';
import { ConflictError, IdempotencyKeyReusedError } from '../core/errors';
import { db, type ItemKey, isConditionFailed, isOwnWrite, tableName } from './db';
import { keys } from './keys';
import { expiresAt } from './tableDefinition';

/** A pending claim older than this belongs to a request that no longer runs (a Lambda lives at most 10 s). */
const STALE_MS = 15_000;
/** How long a retry waits for a claim still in progress before saying so. */
const WAIT_MS = 5_000;
const POLL_MS = 100;

export interface Claim {
  county: string;
  digest: string;
  /** How long a finished claim keeps answering retries. */
  ttlMs: number;
  /** What the request carries: the same claim with another fingerprint is refused (an Idempotency-Key reused). */
  fingerprint?: string;
}

/** The item the owner is about to write (stamped `writeId = owner`) and the result it stands for. */
export interface Intent {
  key: ItemKey;
  result: string;
}

const claimKey = (claim: Claim): ItemKey => ({ pk: keys.claim(claim.county, claim.digest), sk: 'CLAIM' });

/**
 * Claims for `owner` with `intent`; returns the result of an earlier request instead when there is one. Throws
 * IdempotencyKeyReusedError for another fingerprint, ConflictError while an earlier request still runs.
 */
export async function acquire(claim: Claim, owner: string, intent: Intent): Promise<{ result?: string }> {
  const key = claimKey(claim);
  const t = now().getTime();
  try {
    await db().send(
      new PutCommand({
        TableName: tableName(),
        Item: {
          ...key,
          owner,
          at: t,
          intentPk: intent.key.pk,
          intentSk: intent.key.sk,
          intentResult: intent.result,
          ...(claim.fingerprint ? { fingerprint: claim.fingerprint } : {}),
          expiresAt: expiresAt(t + claim.ttlMs),
        },
        ConditionExpression: 'attribute_not_exists(pk) OR #at < :expired',
        ExpressionAttributeNames: { '#at': 'at' },
        ExpressionAttributeValues: { ':expired': t - claim.ttlMs },
      }),
    );
    return {};
  } catch (err) {
    if (!isConditionFailed(err)) throw err;
  }
  // Not longer than the request may wait: a busy answer beats a request cut off by its budget.
  const deadline = Date.now() + Math.min(WAIT_MS, budgetLeft() - 2 * POLL_MS);
  for (;;) {
    const out = await db().send(new GetCommand({ TableName: tableName(), Key: key, ConsistentRead: true }));
    const item = out.Item;
    if (!item) return acquire(claim, owner, intent); // released meanwhile
    if (item.owner === owner) return {}; // this request's own put, whose answer was lost
    if (claim.fingerprint && item.fingerprint && item.fingerprint !== claim.fingerprint) {
      throw new IdempotencyKeyReusedError();
    }
    if (item.result) return { result: String(item.result) };
    const intended = { pk: String(item.intentPk), sk: String(item.intentSk) };
    if (item.intentPk && (await isOwnWrite(intended, String(item.owner)))) {
      return { result: String(item.intentResult) };
    }
    if (Number(item.at) < now().getTime() - STALE_MS && (await takeOver(key, String(item.owner), owner, intent))) {
      return {};
    }
    if (Date.now() > deadline) {
      throw new ConflictError(
        '相同的内容正在提交中，请稍等几秒再提交一次：如已提交成功，会直接显示原来的结果，不会重复提交。',
      );
    }
    await sleep(POLL_MS);
  }
}

async function takeOver(key: ItemKey, previous: string, owner: string, intent: Intent): Promise<boolean> {
  try {
    await setIntent(key, previous, owner, intent);
    return true;
  } catch (err) {
    if (!isConditionFailed(err)) throw err;
    const out = await db().send(new GetCommand({ TableName: tableName(), Key: key, ConsistentRead: true }));
    return out.Item?.owner === owner;
  }
}

/** Makes `owner` the owner with `intent`, if `expected` owns the claim and it has no result yet. */
async function setIntent(key: ItemKey, expected: string, owner: string, intent: Intent): Promise<void> {
  await db().send(
    new UpdateCommand({
      TableName: tableName(),
      Key: key,
      UpdateExpression: 'SET #owner = :me, #at = :t, intentPk = :ipk, intentSk = :isk, intentResult = :ir',
      ConditionExpression: '#owner = :expected AND attribute_not_exists(#result)',
      ExpressionAttributeNames: { '#owner': 'owner', '#at': 'at', '#result': 'result' },
      ExpressionAttributeValues: {
        ':me': owner,
        ':expected': expected,
        ':t': now().getTime(),
        ':ipk': intent.key.pk,
        ':isk': intent.key.sk,
        ':ir': intent.result,
      },
    }),
  );
}

/** The owner moves on to another item (the number it meant to take was taken by someone else). */
export async function retarget(claim: Claim, owner: string, intent: Intent): Promise<void> {
  await setIntent(claimKey(claim), owner, owner, intent);
}

/** Records the result on a claim the caller owns, so retries get it. */
export async function resolve(claim: Claim, owner: string, result: string): Promise<void> {
  try {
    await db().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: claimKey(claim),
        UpdateExpression: 'SET #result = :r',
        ConditionExpression: '#owner = :me',
        ExpressionAttributeNames: { '#owner': 'owner', '#result': 'result' },
        ExpressionAttributeValues: { ':r': result, ':me': owner },
      }),
    );
  } catch (err) {
    if (!isConditionFailed(err)) throw err;
  }
}

/** Gives a claim up: the owner knows it wrote nothing, so a retry need not wait for it. */
export async function release(claim: Claim, owner: string): Promise<void> {
  try {
    await db().send(
      new DeleteCommand({
        TableName: tableName(),
        Key: claimKey(claim),
        ConditionExpression: '#owner = :me AND attribute_not_exists(#result)',
        ExpressionAttributeNames: { '#owner': 'owner', '#result': 'result' },
        ExpressionAttributeValues: { ':me': owner },
      }),
    );
  } catch (err) {
    if (!isConditionFailed(err)) throw err;
  }
}
