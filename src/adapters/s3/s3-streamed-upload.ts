/**
 * Objects of unknown length on S3: a multipart upload, one part per `partBytes` (S3 takes no
 * part under 5 MiB but the last), so at most one part is held in memory. An object smaller
 * than one part goes up with a single PutObject. A failed upload is aborted, so S3 keeps
 * neither an object nor its parts.
 */
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  PutObjectCommand,
  UploadPartCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { requireKey } from '../../ports/object-store/object-store.ts';
import type { StreamedUpload } from '../../ports/object-store/streamed-upload.ts';

const minimumPartBytes = 5 * 1024 * 1024;

export function s3StreamedUpload(options: {
  client: Pick<S3Client, 'send'>;
  bucket: string;
  partBytes?: number;
}): StreamedUpload {
  const { client, bucket: Bucket } = options;
  const partBytes = Math.max(options.partBytes ?? 8 * 1024 * 1024, minimumPartBytes);
  return {
    async upload(key, chunks, { contentType }) {
      const Key = requireKey(key);
      let pending: Buffer[] = [];
      let pendingBytes = 0;
      let size = 0;
      let uploadId: string | undefined;
      const parts: { PartNumber: number; ETag: string }[] = [];
      const sendPart = async () => {
        uploadId ??= (
          await client.send(new CreateMultipartUploadCommand({ Bucket, Key, ContentType: contentType }))
        ).UploadId;
        const PartNumber = parts.length + 1;
        const { ETag } = await client.send(
          new UploadPartCommand({
            Bucket,
            Key,
            UploadId: uploadId,
            PartNumber,
            Body: Buffer.concat(pending),
          }),
        );
        parts.push({ PartNumber, ETag: ETag ?? '' });
        pending = [];
        pendingBytes = 0;
      };
      try {
        for await (const chunk of chunks) {
          const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
          pending.push(bytes);
          pendingBytes += bytes.length;
          size += bytes.length;
          if (pendingBytes >= partBytes) await sendPart();
        }
        if (!uploadId) {
          await client.send(
            new PutObjectCommand({ Bucket, Key, Body: Buffer.concat(pending), ContentType: contentType }),
          );
          return { key, size };
        }
        if (pendingBytes > 0) await sendPart();
        await client.send(
          new CompleteMultipartUploadCommand({
            Bucket,
            Key,
            UploadId: uploadId,
            MultipartUpload: { Parts: parts },
          }),
        );
        return { key, size };
      } catch (error) {
        if (uploadId) {
          // The error that stopped the upload is the one to report; the bucket's lifecycle rule
          // removes the parts of an abort that failed too.
          await client
            .send(new AbortMultipartUploadCommand({ Bucket, Key, UploadId: uploadId }))
            .catch(() => undefined);
        }
        throw error;
      }
    },
  };
}
