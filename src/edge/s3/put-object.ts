/** PutObject: stores the body under the key, once the role allows it and its checksums hold. */
import {
  header,
  metadataOf,
  checkedBody,
  requiredLength,
  objectArn,
  storedKey,
  uploadStep,
  type S3Request,
  type S3Response,
  type S3Services,
} from './s3-operation.ts';

export async function putObject(services: S3Services, request: S3Request): Promise<S3Response> {
  const { caller, bucket, key, headers } = request;
  services.access.require(caller, 's3:PutObject', objectArn(bucket, key));
  const stored = storedKey(key);
  await uploadStep(services, (uploads) => uploads.admit(caller, key));
  const { body, checksums } = checkedBody(request);
  const info = await services.objects.put(stored, body, {
    contentType: header(headers, 'content-type') ?? 'binary/octet-stream',
    metadata: metadataOf(headers),
    contentLength: requiredLength(request),
  });
  await uploadStep(services, (uploads) => uploads.stored(caller, key, stored));
  return { status: 200, headers: { etag: info.etag, ...checksums } };
}
