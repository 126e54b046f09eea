// Keeping a revision's files: no object without its revision. Before the first byte goes to the bucket, one small
// item records what is about to be stored and for which event (`U#<uploadId>`), in the outbox, due a while later.
// 1. Record the upload (conditional put, its own write recognised), then put the objects.
// 2. The caller writes the event naming the files; then the record is settled: `kept`.
// 3. If the event surely was not written, the objects are deleted and the record settled `dropped`. If the objects
//    could not all be stored, they are deleted and the record left due; if nobody can tell — the process died, the
//    answer was lost — too: the sweeper settles it later, the event names the files (kept) or it does not (deleted).
import { randomUUID } from 'node:crypto';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { settle } from '../core/budget';
import { now } from '../core/clock';
import { StoreUnavailableError } from '../core/errors';
import { errorFields, log } from '../core/log';
import type { OutboxJob } from '../mail/outbox';
import { db, type ItemKey, isConditionFailed, putIfAbsent, tableName } from '../store/db';
import { deleteFiles, putFile } from '../store/files';
import { keys } from '../store/keys';
import { expiresAt } from '../store/tableDefinition';
import { type FileRef, fileKey } from './files';
import type { PendingFile } from './uploads';

/** How long an upload waits for its event before the sweeper looks: far beyond any request. */
export const UPLOAD_SETTLE_MS = 15 * 60_000;
/** The settled record is kept a while, for the question "what happened to my file". */
const RECORD_DAYS = 30;

/** The files of one request, stored or on their way, and the record that answers for them. */
export interface StagedFiles {
  record: ItemKey;
  refs: FileRef[];
}

/** Nothing of the files could be kept (the bucket unreachable): nothing was saved, the text is still in the form. */
export class FilesNotSavedError extends StoreUnavailableError {
  constructor(options?: { cause?: unknown }) {
    super(options, '附件暂时无法保存，稿件未提交。请稍后重试（需要重新选择文件）。');
  }
}

const iso = (ms: number) => new Date(ms).toISOString();

/** Steps 1: records the upload for `event`, then stores every file; on failure deletes what it stored and throws. */
export async function storeFiles(
  county: string,
  files: readonly PendingFile[],
  target: { pieceId: string; revision: number; event: ItemKey },
): Promise<StagedFiles> {
  const uploadId = randomUUID();
  const refs: FileRef[] = files.map((f, i) => ({
    n: i + 1,
    role: f.role,
    kind: f.kind,
    name: f.name,
    size: f.content.length,
    sha256: f.sha256,
    key: fileKey(county, target.pieceId, target.revision, uploadId, i + 1, f.kind),
  }));
  const t = now().getTime();
  const record = { pk: keys.uploads(county), sk: `U#${uploadId}` };
  await putIfAbsent({
    ...record,
    county,
    event: target.event,
    objectKeys: refs.map((r) => r.key),
    at: iso(t),
    outbox: keys.outbox(county),
    outboxAt: iso(t + UPLOAD_SETTLE_MS),
    outboxJob: 'upload',
    expiresAt: expiresAt(t + RECORD_DAYS * 86_400_000),
  });
  const staged = { record, refs };
  // Every put is waited for, failed or not: a delete must not overtake a put still on its way (it would find
  // nothing to delete, and the put would then leave its object behind).
  const puts = await Promise.allSettled(
    files.map((f, i) => putFile({ key: refs[i]!.key, body: f.content, contentType: f.contentType, sha256: f.sha256 })),
  );
  const failed = puts.find((p): p is PromiseRejectedResult => p.status === 'rejected');
  if (failed) {
    // Deleted now; the record stays due all the same: a put that timed out may still land after this delete, and
    // the sweeper deletes again (and settles the record) once the upload's time is long past.
    await settle(() => deleteFiles(refs.map((r) => r.key))).catch((e) =>
      log.warn('upload left to the sweeper', errorFields(e)),
    );
    throw new FilesNotSavedError({ cause: failed.reason });
  }
  return staged;
}

/** The event moved to another key before it was written (a receipt number taken again): the record follows it. */
export async function retargetFiles(staged: StagedFiles, event: ItemKey): Promise<void> {
  await db().send(
    new UpdateCommand({
      TableName: tableName(),
      Key: staged.record,
      UpdateExpression: 'SET #e = :e',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeNames: { '#e': 'event' },
      ExpressionAttributeValues: { ':e': event },
    }),
  );
}

async function settleRecord(record: ItemKey, outcome: 'kept' | 'dropped', leaseId?: string): Promise<void> {
  try {
    await db().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: record,
        UpdateExpression: 'SET settled = :s, settledAt = :at REMOVE #o, #oa, outboxJob, leaseId',
        // The sweeper settles only what it holds; a request, what it stored itself.
        ConditionExpression: leaseId ? 'leaseId = :lease' : 'attribute_exists(pk)',
        ExpressionAttributeNames: { '#o': 'outbox', '#oa': 'outboxAt' },
        ExpressionAttributeValues: {
          ':s': outcome,
          ':at': now().toISOString(),
          ...(leaseId ? { ':lease': leaseId } : {}),
        },
      }),
    );
  } catch (err) {
    if (!isConditionFailed(err)) throw err;
    // Settled already (this very write, its answer lost), or the lease passed on: either way not ours to do now.
  }
}

/** Step 2: the event naming the files is written; the record is done with. A failure is left to the sweeper. */
export async function keepFiles(staged: StagedFiles): Promise<void> {
  await settleRecord(staged.record, 'kept');
}

/** Step 3: the event surely was not written: its files go. */
export async function dropFiles(staged: StagedFiles): Promise<void> {
  await deleteFiles(staged.refs.map((r) => r.key));
  await settleRecord(staged.record, 'dropped');
}

/** The sweeper's job for a record still due: kept if its event names its files, else the files are deleted. */
export const settleUpload: OutboxJob = async (item, leaseId) => {
  const objectKeys = (item.objectKeys as string[] | undefined) ?? [];
  const target = item.event as ItemKey | undefined;
  const event = target
    ? (await db().send(new GetCommand({ TableName: tableName(), Key: target, ConsistentRead: true }))).Item
    : undefined;
  const named = new Set(((event?.files as FileRef[] | undefined) ?? []).map((f) => f.key));
  const kept = objectKeys.length > 0 && objectKeys.every((k) => named.has(k));
  if (!kept) {
    await deleteFiles(objectKeys);
    log.warn('uploaded files removed: their revision was never written', { files: objectKeys.length });
  }
  await settleRecord({ pk: item.pk, sk: item.sk }, kept ? 'kept' : 'dropped', leaseId);
  return { sent: 0, failed: 0, pending: 0 };
};
