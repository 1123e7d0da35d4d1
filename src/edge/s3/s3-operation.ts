/** What every S3 operation receives and answers. */
import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import type { ObjectInfo, ObjectStore } from '../../ports/object-store/object-store.ts';
import type { S3Access, S3Caller } from './s3-auth.ts';
import { checksumAlgorithms, requireChecksum, requireContentMd5 } from './checksums.ts';
import { storeKeyOf } from './s3-keys.ts';
import { S3Error } from './s3-xml.ts';
import { isSafeKey } from '../../ports/object-store/object-store.ts';

export interface S3Services {
  objects: ObjectStore;
  access: S3Access;
}

export interface S3Request {
  caller: S3Caller;
  bucket: string;
  /** The object's key, decoded; '' for the bucket's own operations. */
  key: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  /** The decoded body (aws-chunked already undone); empty when none was sent. */
  body: Buffer;
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

/** Checks Content-MD5 and the `x-amz-checksum-*` headers sent; returns the checksum headers, to echo. */
export function requireBodyChecksums(headers: IncomingHttpHeaders, body: Buffer): Record<string, string> {
  requireContentMd5(header(headers, 'content-md5'), body);
  const checksums: Record<string, string> = {};
  for (const algorithm of checksumAlgorithms) {
    const expected = header(headers, `x-amz-checksum-${algorithm}`);
    if (expected === undefined) continue;
    requireChecksum(algorithm, expected, body);
    checksums[`x-amz-checksum-${algorithm}`] = expected;
  }
  return checksums;
}
