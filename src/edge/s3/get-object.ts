/** GetObject (whole, or one Range with 206) and HeadObject. */
import type { ByteRange } from '../../ports/object-store/object-store.ts';
import {
  header,
  objectArn,
  objectHeaders,
  storedKey,
  type S3Request,
  type S3Response,
  type S3Services,
} from './s3-operation.ts';
import { S3Error } from './s3-xml.ts';

export async function headObject(services: S3Services, request: S3Request): Promise<S3Response> {
  const { caller, bucket, key } = request;
  services.access.require(caller, 's3:GetObject', objectArn(bucket, key));
  const info = await services.objects.head(storedKey(key));
  if (!info) throw noSuchKey(key);
  return { status: 200, headers: { ...objectHeaders(info), 'content-length': String(info.size) } };
}

export async function getObject(services: S3Services, request: S3Request): Promise<S3Response> {
  const { caller, bucket, key, headers } = request;
  services.access.require(caller, 's3:GetObject', objectArn(bucket, key));
  const stored = storedKey(key);
  const requested = header(headers, 'range');
  let range: ByteRange | undefined;
  if (requested !== undefined) {
    const info = await services.objects.head(stored);
    if (!info) throw noSuchKey(key);
    range = rangeOf(requested, info.size);
  }
  const found = await services.objects.get(stored, range);
  if (!found) throw noSuchKey(key);
  const { info, body } = found;
  if (!range)
    return { status: 200, headers: { ...objectHeaders(info), 'content-length': String(info.size) }, body };
  return {
    status: 206,
    headers: {
      ...objectHeaders(info),
      'content-length': String(range.end - range.start + 1),
      'content-range': `bytes ${range.start}-${range.end}/${info.size}`,
    },
    body,
  };
}

/**
 * One `bytes=` range within the object (HTTP's forms: `a-b`, `a-`, `-n`); undefined for a header
 * S3 ignores (another unit, several ranges); InvalidRange when none of the object is in it.
 */
export function rangeOf(value: string, size: number): ByteRange | undefined {
  const match = /^bytes=(\d*)-(\d*)$/.exec(value.trim());
  if (!match || (match[1] === '' && match[2] === '')) return undefined;
  const [, first = '', last = ''] = match;
  const start = first === '' ? Math.max(0, size - Number(last)) : Number(first);
  const end = first === '' || last === '' ? size - 1 : Math.min(Number(last), size - 1);
  if (first !== '' && last !== '' && Number(last) < start) return undefined;
  if (start >= size || end < start || (first === '' && Number(last) === 0))
    throw new S3Error('InvalidRange', 'The requested range is not satisfiable', {
      ActualObjectSize: String(size),
      RangeRequested: value,
    });
  return { start, end };
}

export function noSuchKey(key: string): S3Error {
  return new S3Error('NoSuchKey', 'The specified key does not exist.', { Key: key });
}
