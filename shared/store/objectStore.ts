// S3 adapter for the pieces' uploaded originals: one client per process, created on first use; local runs point it
// at s3rver. A file of its own beside a function's bundle (infra/baosongFunction.ts LAZY_MODULES), loaded through
// ./files.ts only by a request that stores or serves a file: the S3 client is as big as a whole function otherwise.
import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { boundToBudget } from '../core/budget';
import { config } from '../core/config';
import { log } from '../core/log';

let client: S3Client | undefined;

export function s3Client(): S3Client {
  if (!client) {
    const { s3Endpoint, region } = config();
    client = new S3Client({
      region,
      ...(s3Endpoint
        ? {
            endpoint: s3Endpoint,
            forcePathStyle: true,
            credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
          }
        : {}),
      maxAttempts: 3,
      // Integrity is checked by our own SHA-256, stored with the file and compared when it is served; the SDK's
      // optional checksums (which s3rver does not know) are left to the operations that require one.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      requestHandler: { connectionTimeout: 2000, requestTimeout: 10_000 },
    });
    boundToBudget(client);
  }
  return client;
}

export function bucket(): string {
  const name = config().filesBucket;
  if (!name) throw new Error('Missing environment variable FILES_BUCKET');
  return name;
}

export async function putObject(input: { key: string; body: Buffer; contentType: string; sha256: string }) {
  await s3Client().send(
    new PutObjectCommand({
      Bucket: bucket(),
      Key: input.key,
      Body: input.body,
      ContentType: input.contentType,
      ContentLength: input.body.length,
      Metadata: { sha256: input.sha256 },
    }),
  );
}

/** The object's bytes, or undefined when there is none under the key. */
export async function getObject(key: string): Promise<Buffer | undefined> {
  try {
    const out = await s3Client().send(new GetObjectCommand({ Bucket: bucket(), Key: key }));
    return Buffer.from((await out.Body?.transformToByteArray()) ?? []);
  } catch (err) {
    if (err instanceof Error && (err.name === 'NoSuchKey' || err.name === 'NotFound')) return undefined;
    // Without s3:ListBucket (never granted: files are found by their revision), S3 answers a missing key with
    // AccessDenied rather than NoSuchKey.
    if (err instanceof Error && err.name === 'AccessDenied') {
      log.warn('file not readable: missing, or not granted', { error: err.name });
      return undefined;
    }
    throw err;
  }
}

/** Deletes each key (one at a time: a submission has four files at most); deleting what is not there is success. */
export async function deleteObjects(keys: readonly string[]): Promise<void> {
  for (const key of keys) await s3Client().send(new DeleteObjectCommand({ Bucket: bucket(), Key: key }));
}
