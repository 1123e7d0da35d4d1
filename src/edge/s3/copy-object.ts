/**
 * CopyObject (PUT with `x-amz-copy-source: <bucket>/<key>`): reading the source and writing the
 * destination must both be allowed; metadata is copied unless `x-amz-metadata-directive: REPLACE`.
 */
import { noSuchKey } from './get-object.ts';
import {
  header,
  metadataOf,
  objectArn,
  storedKey,
  uploadStep,
  type S3Request,
  type S3Response,
  type S3Services,
} from './s3-operation.ts';
import { S3Error, xmlDocument, xmlFields } from './s3-xml.ts';

export async function copyObject(
  services: S3Services,
  request: S3Request,
  copySource: string,
): Promise<S3Response> {
  const { caller, bucket, key, headers } = request;
  const source = sourceOf(copySource);
  if (source.bucket !== bucket) throw new S3Error('NoSuchBucket', 'The specified bucket does not exist');
  services.access.require(caller, 's3:GetObject', objectArn(bucket, source.key));
  services.access.require(caller, 's3:PutObject', objectArn(bucket, key));
  await uploadStep(services, (uploads) => uploads.admit(caller, key));
  const found = await services.objects.get(storedKey(source.key));
  if (!found) throw noSuchKey(source.key);
  const replace = header(headers, 'x-amz-metadata-directive') === 'REPLACE';
  if (!replace && source.key === key)
    throw new S3Error(
      'InvalidRequest',
      'This copy request is illegal because it is trying to copy an object to itself without changing the metadata.',
    );
  const info = await services.objects.put(storedKey(key), found.body, {
    contentType: replace
      ? (header(headers, 'content-type') ?? 'binary/octet-stream')
      : found.info.contentType,
    metadata: replace ? metadataOf(headers) : found.info.metadata,
    contentLength: found.info.size,
  });
  await uploadStep(services, (uploads) => uploads.stored(caller, key, storedKey(key)));
  return {
    status: 200,
    headers: { 'content-type': 'application/xml' },
    body: xmlDocument(
      'CopyObjectResult',
      xmlFields([
        ['LastModified', info.lastModified.toISOString()],
        ['ETag', info.etag],
      ]),
    ),
  };
}

/** `bucket/key` or `/bucket/key`, URL-encoded as the SDK sends it; a version is not supported. */
function sourceOf(copySource: string): { bucket: string; key: string } {
  const [path = '', query] = copySource.split('?');
  if (query !== undefined)
    throw new S3Error('InvalidArgument', 'Copying a version of an object is not supported');
  let decoded: string;
  try {
    decoded = decodeURIComponent(path.replace(/^\//, ''));
  } catch {
    throw new S3Error('InvalidArgument', 'Invalid copy source encoding');
  }
  const slash = decoded.indexOf('/');
  if (slash < 1 || slash === decoded.length - 1)
    throw new S3Error(
      'InvalidArgument',
      'Copy Source must mention the source bucket and key: sourcebucket/sourcekey',
    );
  return { bucket: decoded.slice(0, slash), key: decoded.slice(slash + 1) };
}
