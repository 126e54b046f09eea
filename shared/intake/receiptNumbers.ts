// Receipt numbers (回执号, `2026-0042`): gapless per county-year, taken in O(1) however many submit at once. One
// counter item per year holds `last` (the highest number handed out), `free` (numbers handed back, taken first),
// `verified` (every number up to it has its piece) and `suspects` (numbers seen without a piece, and since when).
// - A submission takes a free number with a conditional DELETE, or else a new one with an atomic ADD: no lost
//   conditional puts, two calls at any concurrency.
// - A number handed out whose piece never comes (the request died between the two writes, or the answer to the ADD
//   was lost and the SDK's retry added again) is a hole: the sweeper finds it above `verified`, waits a grace period
//   (longer than any request lives), and puts it into `free`, where the next submission takes it. So a hole is seen
//   for about one sweep interval, and after a crash a later piece may get a lower number than an earlier one.
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { now } from '../core/clock';
import { db, getItems, type ItemKey, isConditionFailed, tableName } from '../store/db';
import { keys } from '../store/keys';

/** What a receipt number (a piece's id) looks like: `2026-0042`; anything else names no piece. */
export const isPieceId = (id: unknown): id is string => typeof id === 'string' && /^\d{4}-\d{4,6}$/.test(id);

export function receiptOf(year: number, n: number): string {
  return `${year}-${String(n).padStart(4, '0')}`;
}

/** A number without its piece is given back only after this: far longer than a request (10 s at most) lives. */
export const HOLE_GRACE_MS = 60_000;

interface Counter {
  last: number;
  free: number[];
  verified: number;
  suspects: Record<string, number>;
}

/** The year's counter item: read with whatever else a submission reads first (its `free` numbers). */
export const counterKey = (county: string, year: number): ItemKey => ({
  pk: keys.receiptCounter(county, year),
  sk: 'COUNTER',
});

function counterOf(item: Record<string, unknown> | undefined): Counter {
  const i = item ?? {};
  return {
    last: Number(i.last ?? 0),
    free: [...((i.free as Set<number> | undefined) ?? [])].map(Number).sort((a, b) => a - b),
    verified: Number(i.verified ?? 0),
    suspects: (i.suspects as Record<string, number> | undefined) ?? {},
  };
}

async function readCounter(county: string, year: number): Promise<Counter> {
  const out = await db().send(
    new GetCommand({ TableName: tableName(), Key: counterKey(county, year), ConsistentRead: true }),
  );
  return counterOf(out.Item);
}

/** The numbers handed back and waiting for a submission, from the counter item as read (empty almost always). */
export function freeIn(counter: Record<string, unknown> | undefined): number[] {
  return counterOf(counter).free;
}

/** The numbers handed back and waiting for a submission, read now. */
export async function freeNumbers(county: string, year: number): Promise<number[]> {
  return (await readCounter(county, year)).free;
}

/** A number for a new piece: a free one if there is any, else the next one. */
export async function takeNumber(county: string, year: number, free: number[]): Promise<number> {
  for (const n of free) {
    try {
      await db().send(
        new UpdateCommand({
          TableName: tableName(),
          Key: counterKey(county, year),
          UpdateExpression: 'DELETE #free :n',
          ConditionExpression: 'contains(#free, :one)',
          ExpressionAttributeNames: { '#free': 'free' },
          ExpressionAttributeValues: { ':n': new Set([n]), ':one': n },
        }),
      );
      return n;
    } catch (err) {
      // Taken by someone else (or by this call, its answer lost: then it is a hole the sweeper gives back).
      if (!isConditionFailed(err)) throw err;
    }
  }
  const out = await db().send(
    new UpdateCommand({
      TableName: tableName(),
      Key: counterKey(county, year),
      UpdateExpression: 'ADD #last :one',
      ExpressionAttributeNames: { '#last': 'last' },
      ExpressionAttributeValues: { ':one': 1 },
      ReturnValues: 'UPDATED_NEW',
    }),
  );
  return Number(out.Attributes?.last);
}

/** Hands a number back at once (a submission that took it and then made nothing with it). */
export async function giveBack(county: string, year: number, n: number): Promise<void> {
  await db().send(
    new UpdateCommand({
      TableName: tableName(),
      Key: counterKey(county, year),
      UpdateExpression: 'ADD #free :n',
      ExpressionAttributeNames: { '#free': 'free' },
      ExpressionAttributeValues: { ':n': new Set([n]) },
    }),
  );
}

export interface Repair {
  /** Numbers given back this sweep. */
  freed: number[];
  verified: number;
}

/**
 * The sweeper's part (every minute on AWS): checks the numbers above `verified` for their pieces, gives back the
 * ones still missing after the grace period, and moves `verified` up to the first one it cannot vouch for yet.
 */
export async function repairReceiptNumbers(county: string, year: number): Promise<Repair> {
  const counter = await readCounter(county, year);
  const t = now().getTime();
  const pending = Array.from({ length: counter.last - counter.verified }, (_, i) => counter.verified + 1 + i);
  if (pending.length === 0) return { freed: [], verified: counter.verified };
  const present = await piecesPresent(county, year, pending);
  const free = new Set(counter.free);
  const freed: number[] = [];
  const suspects: Record<string, number> = {};
  let verified = counter.verified;
  let contiguous = true;
  for (const n of pending) {
    if (present.has(n)) {
      if (contiguous) verified = n;
      continue;
    }
    contiguous = false;
    if (free.has(n)) continue;
    const since = counter.suspects[String(n)] ?? t;
    if (t - since >= HOLE_GRACE_MS) freed.push(n);
    else suspects[String(n)] = since;
  }
  await db()
    .send(
      new UpdateCommand({
        TableName: tableName(),
        Key: counterKey(county, year),
        UpdateExpression: `SET #verified = :v, #suspects = :s${freed.length ? ' ADD #free :f' : ''}`,
        // Another sweep may have moved on meanwhile: only ever forward.
        ConditionExpression: 'attribute_not_exists(#verified) OR #verified <= :v',
        ExpressionAttributeNames: {
          '#verified': 'verified',
          '#suspects': 'suspects',
          ...(freed.length ? { '#free': 'free' } : {}),
        },
        ExpressionAttributeValues: {
          ':v': verified,
          ':s': suspects,
          ...(freed.length ? { ':f': new Set(freed) } : {}),
        },
      }),
    )
    .catch((err) => {
      if (!isConditionFailed(err)) throw err;
    });
  return { freed, verified };
}

/** Which of these numbers have their piece (the `submitted` event), read in batches. */
async function piecesPresent(county: string, year: number, numbers: number[]): Promise<Set<number>> {
  const found = await getItems(
    numbers.map((n) => ({ pk: keys.piece(county, receiptOf(year, n)), sk: keys.eventSk(1) })),
    { consistent: true, attributes: ['receipt'] },
  );
  return new Set([...found.values()].map((item) => Number(String(item.receipt).slice(5))));
}
