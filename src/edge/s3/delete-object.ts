/** DeleteObject: idempotent, as S3's (204 whether or not the key was there). */
import { objectArn, storedKey, type S3Request, type S3Response, type S3Services } from './s3-operation.ts';

export async function deleteObject(services: S3Services, request: S3Request): Promise<S3Response> {
  const { caller, bucket, key } = request;
  services.access.require(caller, 's3:DeleteObject', objectArn(bucket, key));
  await services.objects.delete(storedKey(key));
  return { status: 204, headers: {} };
}
