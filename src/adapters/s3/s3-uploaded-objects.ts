/**
 * Objects clients put into the bucket themselves (Amplify Storage's `uploadData` to
 * `private/<identity id>/uploads/…`), read and removed by the keys S3 holds them under. Those
 * keys carry identity ids and users' file names (`:`, spaces, any UTF-8), which the object-store
 * port's keys never do, so they are not read through S3ObjectStore.
 */
import { DeleteObjectCommand, GetObjectCommand, S3ServiceException, type S3Client } from '@aws-sdk/client-s3';
import type { Readable } from 'node:stream';
import { PlazaError } from '../../platform/errors.ts';
import type { ObjectInfo, ObjectStore } from '../../ports/object-store/object-store.ts';

/** S3's own limit on a key: 1,024 bytes of UTF-8. */
const maxKeyBytes = 1024;

function requireS3Key(key: string): string {
  const bytes = Buffer.byteLength(key, 'utf8');
  if (bytes === 0 || bytes > maxKeyBytes || key.startsWith('/'))
    throw new PlazaError('BadInput', `Not an S3 object key: ${JSON.stringify(key)}`);
  return key;
}

export function s3UploadedObjects(options: {
  client: S3Client;
  bucket: string;
}): Pick<ObjectStore, 'get' | 'delete'> {
  const { client, bucket } = options;
  return {
    async get(key) {
      try {
        const output = await client.send(new GetObjectCommand({ Bucket: bucket, Key: requireS3Key(key) }));
        const info: ObjectInfo = {
          key,
          size: output.ContentLength ?? 0,
          etag: output.ETag ?? '',
          lastModified: output.LastModified ?? new Date(0),
          contentType: output.ContentType ?? 'application/octet-stream',
          metadata: output.Metadata ?? {},
        };
        return { info, body: output.Body as Readable };
      } catch (error) {
        if (error instanceof S3ServiceException && error.$metadata.httpStatusCode === 404) return undefined;
        throw error;
      }
    },
    async delete(key) {
      await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: requireS3Key(key) }));
    },
  };
}
