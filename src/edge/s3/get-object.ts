/** GetObject (whole, or one Range with 206) and HeadObject. */
import type { IncomingHttpHeaders } from 'node:http';
import type { ByteRange, ObjectInfo } from '../../ports/object-store/object-store.ts';
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
  if (!preconditionsHold(request.headers, info)) return notModified(info);
  return { status: 200, headers: { ...objectHeaders(info), 'content-length': String(info.size) } };
}

export async function getObject(services: S3Services, request: S3Request): Promise<S3Response> {
  const { caller, bucket, key, headers } = request;
  services.access.require(caller, 's3:GetObject', objectArn(bucket, key));
  const stored = storedKey(key);
  const requested = header(headers, 'range');
  let range: ByteRange | undefined;
  if (requested !== undefined || conditional(headers)) {
    const info = await services.objects.head(stored);
    if (!info) throw noSuchKey(key);
    if (!preconditionsHold(headers, info)) return notModified(info);
    if (requested !== undefined) range = rangeOf(requested, info.size);
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

const conditions = ['if-match', 'if-none-match', 'if-modified-since', 'if-unmodified-since'];

function conditional(headers: IncomingHttpHeaders): boolean {
  return conditions.some((name) => headers[name] !== undefined);
}

/**
 * HTTP's conditional request, as S3 evaluates it: a failed If-Match or If-Unmodified-Since is
 * PreconditionFailed (If-Match wins over If-Unmodified-Since); false when the client's copy is
 * current (If-None-Match, else If-Modified-Since), for a 304.
 */
function preconditionsHold(headers: IncomingHttpHeaders, info: ObjectInfo): boolean {
  const ifMatch = header(headers, 'if-match');
  const ifUnmodifiedSince = Date.parse(header(headers, 'if-unmodified-since') ?? '');
  const seconds = Math.floor(info.lastModified.getTime() / 1000) * 1000;
  const matches = (list: string) =>
    list.split(',').some((tag) => tag.trim() === '*' || tag.trim() === info.etag);
  if (ifMatch !== undefined ? !matches(ifMatch) : seconds > ifUnmodifiedSince)
    throw new S3Error('PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', {
      Condition: ifMatch !== undefined ? 'If-Match' : 'If-Unmodified-Since',
    });
  const ifNoneMatch = header(headers, 'if-none-match');
  if (ifNoneMatch !== undefined) return !matches(ifNoneMatch);
  return !(seconds <= Date.parse(header(headers, 'if-modified-since') ?? ''));
}

function notModified(info: ObjectInfo): S3Response {
  return { status: 304, headers: { etag: info.etag, 'last-modified': info.lastModified.toUTCString() } };
}

export function noSuchKey(key: string): S3Error {
  return new S3Error('NoSuchKey', 'The specified key does not exist.', { Key: key });
}
