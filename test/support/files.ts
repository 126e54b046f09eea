// The files bucket as the tests look into it: every object a county has (a listing, which the application itself
// never makes: it finds files by their revision).
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { config } from '../../shared/core/config';
import { bucket, s3Client } from '../../shared/store/objectStore';

/** Every object key the county has in the files bucket. */
export async function countyObjects(): Promise<string[]> {
  const found: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3Client().send(
      new ListObjectsV2Command({
        Bucket: bucket(),
        Prefix: `counties/${config().countyId}/`,
        ContinuationToken: token,
      }),
    );
    found.push(...(page.Contents ?? []).map((o) => o.Key ?? ''));
    token = page.NextContinuationToken;
  } while (token);
  return found;
}
