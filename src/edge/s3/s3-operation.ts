/** What every S3 operation receives and answers. */
import type { IncomingHttpHeaders } from 'node:http';
import { Readable } from 'node:stream';
import type { ObjectInfo, ObjectStore } from '../../ports/object-store/object-store.ts';
import type { S3Access, S3Caller } from './s3-auth.ts';
import {
  checksumAlgorithms,
  expectedChecksum,
  expectedContentMd5,
  verifyingDigests,
  type ExpectedDigest,
} from './checksums.ts';
import { storeKeyOf } from './s3-keys.ts';
import { S3Error } from './s3-xml.ts';
import { isSafeKey } from '../../ports/object-store/object-store.ts';
import { isPlazaError } from '../../platform/errors.ts';

export interface S3Services {
  objects: ObjectStore;
  access: S3Access;
  /** Objects that are more than bytes in the bucket (uploads for the media pipeline). */
  uploads?: S3Uploads;
}

/**
 * What happens around an object put under a key (PutObject, CopyObject, a completed multipart
 * upload): `admit` may refuse it before any byte is accepted, `stored` hands it on once stored.
 * Their PlazaErrors are answered in S3's names, with the domain's message.
 */
export interface S3Uploads {
  admit(caller: S3Caller, key: string): Promise<void>;
  stored(caller: S3Caller, key: string, storedKey: string): Promise<void>;
}

/** Runs one of the upload hooks (if any), its refusals as S3Errors. */
export async function uploadStep(
  services: S3Services,
  step: (uploads: S3Uploads) => Promise<void>,
): Promise<void> {
  if (!services.uploads) return;
  try {
    await step(services.uploads);
  } catch (error) {
    if (!isPlazaError(error) || error.status >= 500) throw error;
    if (error.code === 'Forbidden') throw new S3Error('AccessDenied', error.message);
    if (error.code === 'PayloadTooLarge') throw new S3Error('EntityTooLarge', error.message);
    throw new S3Error('InvalidArgument', error.message);
  }
}

export interface S3Request {
  caller: S3Caller;
  bucket: string;
  /** The object's key, decoded; '' for the bucket's own operations. */
  key: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  /**
   * The body: read whole (its hash was signed, or an operation's XML), or, for an object's bytes
   * under an unsigned payload, streaming in, aws-chunked already undone.
   */
  body: Buffer | Readable;
}

export interface S3Response {
  status: number;
  headers: Record<string, string>;
  body?: string | Readable;
}

export function objectArn(bucket: string, key: string): string {
  return `arn:aws:s3:::${bucket}/${key}`;
}

/** The stored key of an S3 key, or InvalidArgument when the store cannot hold it (`a//b`, `../`). */
export function storedKey(key: string): string {
  const stored = storeKeyOf(key);
  if (!isSafeKey(stored))
    throw new S3Error(
      'InvalidArgument',
      `Object keys cannot be empty, contain empty segments or '.'/'..' segments: ${key}`,
    );
  return stored;
}

/** The headers S3 describes an object with (GetObject, HeadObject). */
export function objectHeaders(info: ObjectInfo): Record<string, string> {
  const headers: Record<string, string> = {
    'content-type': info.contentType,
    etag: info.etag,
    'last-modified': info.lastModified.toUTCString(),
    'accept-ranges': 'bytes',
  };
  for (const [name, value] of Object.entries(info.metadata)) headers[`x-amz-meta-${name}`] = value;
  return headers;
}

/** User metadata from `x-amz-meta-*` headers, names lower-case. */
export function metadataOf(headers: IncomingHttpHeaders): Record<string, string> {
  const metadata: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers))
    if (name.startsWith('x-amz-meta-') && typeof value === 'string') metadata[name.slice(11)] = value;
  return metadata;
}

export function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

/**
 * The body, checked as it streams against the Content-MD5 and `x-amz-checksum-*` headers sent;
 * and those checksum headers, which S3 echoes.
 */
export function checkedBody(request: S3Request): { body: Readable; checksums: Record<string, string> } {
  const digests: ExpectedDigest[] = [];
  const md5 = header(request.headers, 'content-md5');
  if (md5 !== undefined) digests.push(expectedContentMd5(md5));
  const checksums: Record<string, string> = {};
  for (const algorithm of checksumAlgorithms) {
    const expected = header(request.headers, `x-amz-checksum-${algorithm}`);
    if (expected === undefined) continue;
    digests.push(expectedChecksum(algorithm, expected));
    checksums[`x-amz-checksum-${algorithm}`] = expected;
  }
  const body = Buffer.isBuffer(request.body) ? Readable.from([request.body]) : request.body;
  return { body: verifyingDigests(body, digests), checksums };
}

/** S3's largest single PUT (5 GiB); larger objects go up in parts. */
const maxSinglePutBytes = 5 * 1024 ** 3;

/** The object's length, known before its bytes are read: S3 requires one for a PUT (MissingContentLength). */
export function requiredLength(request: S3Request): number {
  if (Buffer.isBuffer(request.body)) return request.body.length;
  const declared =
    header(request.headers, 'x-amz-decoded-content-length') ?? header(request.headers, 'content-length');
  if (declared === undefined || !/^\d+$/.test(declared))
    throw new S3Error('MissingContentLength', 'You must provide the Content-Length HTTP header.');
  if (Number(declared) > maxSinglePutBytes)
    throw new S3Error('EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size.', {
      MaxSizeAllowed: String(maxSinglePutBytes),
    });
  return Number(declared);
}
