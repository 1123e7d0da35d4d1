/**
 * ListObjectsV2: keys under a prefix in order, folded at the delimiter into CommonPrefixes, a page
 * of at most max-keys (1000) entries, continued by an opaque token (the stored key it stops after).
 */
import type { ObjectInfo } from '../../ports/object-store/object-store.ts';
import { afterPrefix, s3KeyOf, storeKeyOf } from './s3-keys.ts';
import type { S3Request, S3Response, S3Services } from './s3-operation.ts';
import { S3Error, xmlDocument, xmlFields } from './s3-xml.ts';

interface Page {
  contents: { key: string; info: ObjectInfo }[];
  commonPrefixes: string[];
  /** The stored key the next page starts after, when there is one. */
  next: string | undefined;
}

export async function listObjectsV2(services: S3Services, request: S3Request): Promise<S3Response> {
  const { caller, bucket, query } = request;
  const prefix = query.get('prefix') ?? '';
  const delimiter = query.get('delimiter') ?? '';
  const token = query.get('continuation-token') ?? undefined;
  const startAfter = query.get('start-after') ?? undefined;
  const maxKeysText = query.get('max-keys') ?? '1000';
  if (!/^\d+$/.test(maxKeysText))
    throw new S3Error('InvalidArgument', 'Provided max-keys not an integer or within integer range');
  const maxKeys = Math.min(Number(maxKeysText), 1000);
  services.access.require(caller, 's3:ListBucket', `arn:aws:s3:::${bucket}`, { 's3:prefix': prefix });
  const after =
    token !== undefined ? tokenCursor(token) : startAfter !== undefined ? storeKeyOf(startAfter) : undefined;
  const page = await listPage(services, { prefix, delimiter, maxKeys, after });
  const encodingType = query.get('encoding-type') ?? undefined;
  if (encodingType !== undefined && encodingType !== 'url')
    throw new S3Error('InvalidArgument', 'Invalid Encoding Method specified in Request');
  // `encoding-type=url` (the AWS CLI's default): keys in the answer percent-encoded, as S3 writes them.
  const encoded = (value: string | undefined) =>
    value === undefined || encodingType === undefined
      ? value
      : encodeURIComponent(value).replace(/%2F/g, '/');
  const inner =
    xmlFields([
      ['Name', bucket],
      ['Prefix', encoded(prefix)],
      ['Delimiter', encoded(delimiter || undefined)],
      ['EncodingType', encodingType],
      ['MaxKeys', maxKeys],
      ['KeyCount', page.contents.length + page.commonPrefixes.length],
      ['IsTruncated', page.next !== undefined],
      ['ContinuationToken', token],
      ['NextContinuationToken', page.next && Buffer.from(page.next).toString('base64url')],
      ['StartAfter', encoded(startAfter)],
    ]) +
    page.contents
      .map(
        ({ key, info }) =>
          `<Contents>${xmlFields([
            ['Key', encoded(key)],
            ['LastModified', info.lastModified.toISOString()],
            ['ETag', info.etag],
            ['Size', info.size],
            ['StorageClass', 'STANDARD'],
          ])}</Contents>`,
      )
      .join('') +
    page.commonPrefixes
      .map((common) => `<CommonPrefixes>${xmlFields([['Prefix', encoded(common)]])}</CommonPrefixes>`)
      .join('');
  return {
    status: 200,
    headers: { 'content-type': 'application/xml' },
    body: xmlDocument('ListBucketResult', inner),
  };
}

function tokenCursor(token: string): string {
  const cursor = Buffer.from(token, 'base64url').toString('utf8');
  if (!cursor || Buffer.from(cursor).toString('base64url') !== token)
    throw new S3Error('InvalidArgument', 'The continuation token provided is incorrect');
  return cursor;
}

async function listPage(
  services: S3Services,
  options: { prefix: string; delimiter: string; maxKeys: number; after: string | undefined },
): Promise<Page> {
  const { prefix, delimiter, maxKeys } = options;
  const page: Page = { contents: [], commonPrefixes: [], next: undefined };
  if (maxKeys === 0) return page;
  let cursor = options.after;
  // Where the page stopped, for the token: after the last key, or after all of the last prefix.
  let position = options.after;
  let lastCommon: string | undefined;
  listing: for (;;) {
    const listed = await services.objects.list(storeKeyOf(prefix), {
      limit: 1000,
      ...(cursor !== undefined ? { cursor } : {}),
    });
    for (const info of listed.items) {
      const key = s3KeyOf(info.key);
      if (key === undefined || (lastCommon !== undefined && key.startsWith(lastCommon))) continue;
      if (page.contents.length + page.commonPrefixes.length === maxKeys) {
        page.next = position;
        return page;
      }
      const folded = delimiter ? key.indexOf(delimiter, prefix.length) : -1;
      if (folded >= 0) {
        lastCommon = key.slice(0, folded + delimiter.length);
        page.commonPrefixes.push(lastCommon);
        position = afterPrefix(storeKeyOf(lastCommon));
        // Skip the rest of the folded keys in the store, not here one by one.
        cursor = position;
        continue listing;
      } else {
        page.contents.push({ key, info });
        position = info.key;
      }
    }
    if (listed.cursor === undefined) return page;
    cursor = listed.cursor;
  }
}
