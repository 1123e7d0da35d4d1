/** PutObject: stores the body under the key, once the role allows it and its checksums hold. */
import { checksumAlgorithms, requireChecksum, requireContentMd5 } from './checksums.ts';
import {
  header,
  metadataOf,
  objectArn,
  storedKey,
  type S3Request,
  type S3Response,
  type S3Services,
} from './s3-operation.ts';

export async function putObject(services: S3Services, request: S3Request): Promise<S3Response> {
  const { caller, bucket, key, headers, body } = request;
  services.access.require(caller, 's3:PutObject', objectArn(bucket, key));
  const stored = storedKey(key);
  requireContentMd5(header(headers, 'content-md5'), body);
  const checksums: Record<string, string> = {};
  for (const algorithm of checksumAlgorithms) {
    const expected = header(headers, `x-amz-checksum-${algorithm}`);
    if (expected === undefined) continue;
    requireChecksum(algorithm, expected, body);
    checksums[`x-amz-checksum-${algorithm}`] = expected;
  }
  const info = await services.objects.put(stored, body, {
    contentType: header(headers, 'content-type') ?? 'binary/octet-stream',
    metadata: metadataOf(headers),
    contentLength: body.length,
  });
  return { status: 200, headers: { etag: info.etag, ...checksums } };
}
