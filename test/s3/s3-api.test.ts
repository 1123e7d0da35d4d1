/**
 * The media bucket's S3 API with the AWS SDK v3's own S3 client, against a real Plaza, signed with
 * identity-pool credentials (fromCognitoIdentityPool) of a guest and of two signed-in users: the
 * object operations, ListObjectsV2's paging and folding, the default client's aws-chunked uploads
 * with trailing checksums, and the refusals (role policy, signature, bucket) in S3's error names.
 */
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  ListPartsCommand,
  UploadPartCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  type ListObjectsV2CommandOutput,
} from '@aws-sdk/client-s3';
import { fromCognitoIdentityPool } from '@aws-sdk/credential-providers';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { AwsCredentialIdentity } from '@smithy/types';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorName, poolUser, startPoolApp, type PoolApp } from '../support/pool-app.ts';

let pool: PoolApp;
let bucket: string;
let endpoint: string;
let guest: S3Client;
let alice: { client: S3Client; id: string };
let bob: { client: S3Client; id: string };
const clients: S3Client[] = [];

function s3(
  credentials: AwsCredentialIdentity,
  options: { requestChecksumCalculation?: 'WHEN_REQUIRED' } = {},
) {
  const client = new S3Client({
    endpoint,
    forcePathStyle: true,
    region: 'us-west-1',
    credentials,
    ...options,
  });
  clients.push(client);
  return client;
}

async function identityCredentials(email?: string) {
  const identityPoolId = pool.app.identity.identityPool!.settings.identityPoolId;
  const logins = email
    ? { [`${new URL(pool.url).host}/${pool.userPoolId}`]: (await poolUser(pool, email)).idToken }
    : undefined;
  return fromCognitoIdentityPool({
    identityPoolId,
    ...(logins ? { logins } : {}),
    clientConfig: { endpoint: pool.url, region: 'us-west-1' },
  })();
}

async function signedInClient(email: string) {
  const credentials = await identityCredentials(email);
  return { client: s3(credentials), id: credentials.identityId };
}

const text = async (output: { Body?: { transformToString(): Promise<string> } }) =>
  output.Body!.transformToString();

beforeAll(async () => {
  pool = await startPoolApp('s3-api');
  const outputs = (await (await fetch(`${pool.url}/amplify_outputs.json`)).json()) as {
    storage: { bucket_name: string };
    custom: { s3_endpoint: string };
  };
  bucket = outputs.storage.bucket_name;
  endpoint = outputs.custom.s3_endpoint;
  guest = s3(await identityCredentials());
  alice = await signedInClient('alice-s3@example.com');
  bob = await signedInClient('bob-s3@example.com');
});
afterAll(async () => {
  for (const client of clients) client.destroy();
  await pool?.close();
});

describe('the S3 API of the media bucket', () => {
  it('names its endpoint and the access rules in amplify_outputs.json', async () => {
    const outputs = (await (await fetch(`${pool.url}/amplify_outputs.json`)).json()) as {
      custom: { s3_endpoint: string };
      storage: { aws_region: string; buckets: object[] };
    };
    expect(outputs.custom.s3_endpoint).toBe(`${pool.url}/s3`);
    expect(outputs.storage.buckets[0]).toMatchObject({
      bucket_name: bucket,
      aws_region: outputs.storage.aws_region,
      paths: {
        'public/*': { guest: ['get', 'list'] },
        'protected/{entity_id}/*': { entityidentity: ['get', 'list', 'write', 'delete'] },
        'private/{entity_id}/*': { entityidentity: ['get', 'list', 'write', 'delete'] },
      },
    });
  });

  it('puts, gets, heads, ranges and deletes an object under the identity’s own folder', async () => {
    const Key = `protected/${alice.id}/notes/hello world é.txt`;
    const put = await alice.client.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key,
        Body: 'hello, bucket',
        ContentType: 'text/plain',
        Metadata: { album: 'trip' },
      }),
    );
    expect(put.ETag).toMatch(/^"[0-9a-f]{32}"$/);
    const got = await alice.client.send(new GetObjectCommand({ Bucket: bucket, Key }));
    expect(await text(got)).toBe('hello, bucket');
    expect(got).toMatchObject({
      ContentType: 'text/plain',
      ContentLength: 13,
      ETag: put.ETag,
      Metadata: { album: 'trip' },
    });
    const head = await alice.client.send(new HeadObjectCommand({ Bucket: bucket, Key }));
    expect(head).toMatchObject({ ContentLength: 13, ETag: put.ETag });
    const range = await alice.client.send(new GetObjectCommand({ Bucket: bucket, Key, Range: 'bytes=7-12' }));
    expect(range.$metadata.httpStatusCode).toBe(206);
    expect(range.ContentRange).toBe('bytes 7-12/13');
    expect(await text(range)).toBe('bucket');
    const suffix = await alice.client.send(new GetObjectCommand({ Bucket: bucket, Key, Range: 'bytes=-3' }));
    expect(await text(suffix)).toBe('ket');
    expect(
      await errorName(alice.client.send(new GetObjectCommand({ Bucket: bucket, Key, Range: 'bytes=99-' }))),
    ).toBe('InvalidRange');
    const unchanged = alice.client.send(new GetObjectCommand({ Bucket: bucket, Key, IfNoneMatch: put.ETag }));
    await expect(unchanged).rejects.toMatchObject({ $metadata: { httpStatusCode: 304 } });
    const otherTag = alice.client.send(new GetObjectCommand({ Bucket: bucket, Key, IfMatch: '"other"' }));
    expect(await errorName(otherTag)).toBe('PreconditionFailed');
    const matched = await alice.client.send(new GetObjectCommand({ Bucket: bucket, Key, IfMatch: put.ETag }));
    expect(await text(matched)).toBe('hello, bucket');
    await alice.client.send(new DeleteObjectCommand({ Bucket: bucket, Key }));
    expect(await errorName(alice.client.send(new GetObjectCommand({ Bucket: bucket, Key })))).toBe(
      'NoSuchKey',
    );
    expect(await errorName(alice.client.send(new HeadObjectCommand({ Bucket: bucket, Key })))).toBe(
      'NotFound',
    );
    await alice.client.send(new DeleteObjectCommand({ Bucket: bucket, Key }));
  });

  it('takes the default client’s aws-chunked upload with its trailing CRC32, and a CRC64NVME one', async () => {
    const bytes = Buffer.alloc(300 * 1024, 'plaza-');
    const Key = `private/${alice.id}/streamed.bin`;
    const sent: Record<string, string>[] = [];
    alice.client.middlewareStack.add(
      (next) => async (args) => {
        sent.push({ ...(args.request as { headers: Record<string, string> }).headers });
        return next(args);
      },
      { step: 'finalizeRequest', name: 'recordHeaders' },
    );
    await alice.client.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key,
        Body: Readable.from([bytes]),
        ContentLength: bytes.length,
      }),
    );
    expect(sent[0]).toMatchObject({
      'content-encoding': 'aws-chunked',
      'x-amz-content-sha256': 'STREAMING-UNSIGNED-PAYLOAD-TRAILER',
      'x-amz-trailer': 'x-amz-checksum-crc32',
    });
    const got = await alice.client.send(new GetObjectCommand({ Bucket: bucket, Key }));
    expect(Buffer.from(await got.Body!.transformToByteArray()).equals(bytes)).toBe(true);
    const nvme = `private/${alice.id}/nvme.bin`;
    await alice.client.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: nvme,
        Body: Readable.from([bytes.subarray(0, 5000)]),
        ContentLength: 5000,
        ChecksumAlgorithm: 'CRC64NVME',
      }),
    );
    expect(sent.at(-1)?.['x-amz-trailer']).toBe('x-amz-checksum-crc64nvme');
    expect(
      (await alice.client.send(new HeadObjectCommand({ Bucket: bucket, Key: nvme }))).ContentLength,
    ).toBe(5000);
    alice.client.middlewareStack.remove('recordHeaders');
  });

  it('refuses a body whose checksum does not match (BadDigest), storing nothing', async () => {
    const Key = `private/${alice.id}/corrupt.txt`;
    const wrong = await errorName(
      alice.client.send(
        new PutObjectCommand({ Bucket: bucket, Key, Body: 'abc', ChecksumCRC32: 'AAAAAA==' }),
      ),
    );
    expect(wrong).toBe('BadDigest');
    expect(await errorName(alice.client.send(new HeadObjectCommand({ Bucket: bucket, Key })))).toBe(
      'NotFound',
    );
  });

  it('lists keys a page at a time, folding them at the delimiter', async () => {
    const keys = ['a.txt', 'b.txt', 'dir1/x', 'dir1/y', 'dir2/z', 'e.txt', 'f:g.txt'].map(
      (k) => `public/list/${k}`,
    );
    for (const Key of keys) await alice.client.send(new PutObjectCommand({ Bucket: bucket, Key, Body: Key }));
    const pages: ListObjectsV2CommandOutput[] = [];
    let ContinuationToken: string | undefined;
    do {
      const page = await guest.send(
        new ListObjectsV2Command({
          Bucket: bucket,
          Prefix: 'public/list/',
          Delimiter: '/',
          MaxKeys: 2,
          ContinuationToken,
        }),
      );
      pages.push(page);
      ContinuationToken = page.NextContinuationToken;
    } while (ContinuationToken);
    expect(pages.map((page) => page.KeyCount)).toEqual([2, 2, 2]);
    expect(pages.flatMap((page) => page.Contents ?? []).map((item) => item.Key)).toEqual(
      ['a.txt', 'b.txt', 'e.txt', 'f:g.txt'].map((k) => `public/list/${k}`),
    );
    expect(pages.flatMap((page) => page.CommonPrefixes ?? []).map((p) => p.Prefix)).toEqual([
      'public/list/dir1/',
      'public/list/dir2/',
    ]);
    const all = await guest.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'public/list/' }));
    expect(all.Contents?.map((item) => item.Key)).toEqual(keys);
    expect(all.Contents?.[0]).toMatchObject({ Size: 'public/list/a.txt'.length });
    expect(all.IsTruncated).toBe(false);
    const after = await guest.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: 'public/list/', StartAfter: 'public/list/e.txt' }),
    );
    expect(after.Contents?.map((item) => item.Key)).toEqual(['public/list/f:g.txt']);
    const urlEncoded = await guest.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: 'public/list/f', EncodingType: 'url' }),
    );
    expect(urlEncoded).toMatchObject({ EncodingType: 'url', Contents: [{ Key: 'public/list/f%3Ag.txt' }] });
  });

  it('copies an object the caller may read to a key it may write', async () => {
    const source = `protected/${alice.id}/original.txt`;
    await alice.client.send(
      new PutObjectCommand({ Bucket: bucket, Key: source, Body: 'copy me', ContentType: 'text/plain' }),
    );
    const Key = `private/${bob.id}/copied.txt`;
    await bob.client.send(new CopyObjectCommand({ Bucket: bucket, Key, CopySource: `${bucket}/${source}` }));
    const got = await bob.client.send(new GetObjectCommand({ Bucket: bucket, Key }));
    expect(await text(got)).toBe('copy me');
    expect(got.ContentType).toBe('text/plain');
  });

  it('answers AccessDenied outside the role’s policy', async () => {
    const mine = `private/${alice.id}/secret.txt`;
    const theirs = `protected/${alice.id}/shared.txt`;
    await alice.client.send(new PutObjectCommand({ Bucket: bucket, Key: mine, Body: 'secret' }));
    await alice.client.send(new PutObjectCommand({ Bucket: bucket, Key: theirs, Body: 'shared' }));
    await alice.client.send(new PutObjectCommand({ Bucket: bucket, Key: 'public/open.txt', Body: 'open' }));
    expect(
      await text(await guest.send(new GetObjectCommand({ Bucket: bucket, Key: 'public/open.txt' }))),
    ).toBe('open');
    expect(await text(await bob.client.send(new GetObjectCommand({ Bucket: bucket, Key: theirs })))).toBe(
      'shared',
    );
    const refused = [
      () => guest.send(new PutObjectCommand({ Bucket: bucket, Key: 'public/guest.txt', Body: 'x' })),
      () => guest.send(new GetObjectCommand({ Bucket: bucket, Key: theirs })),
      () => guest.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'protected/' })),
      () => bob.client.send(new GetObjectCommand({ Bucket: bucket, Key: mine })),
      () => bob.client.send(new PutObjectCommand({ Bucket: bucket, Key: theirs, Body: 'overwritten' })),
      () => bob.client.send(new DeleteObjectCommand({ Bucket: bucket, Key: mine })),
      () => bob.client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: `private/${alice.id}/` })),
      () =>
        bob.client.send(
          new CopyObjectCommand({
            Bucket: bucket,
            Key: `private/${bob.id}/stolen`,
            CopySource: `${bucket}/${mine}`,
          }),
        ),
    ];
    for (const attempt of refused) expect(await errorName(attempt())).toBe('AccessDenied');
    expect(await text(await alice.client.send(new GetObjectCommand({ Bucket: bucket, Key: theirs })))).toBe(
      'shared',
    );
  });

  it('assembles a multipart upload from its parts, and aborts one', async () => {
    const Key = `protected/${alice.id}/video.bin`;
    const first = Buffer.alloc(5 * 1024 * 1024, 'a');
    const last = Buffer.from('the end');
    const { UploadId } = await alice.client.send(
      new CreateMultipartUploadCommand({
        Bucket: bucket,
        Key,
        ContentType: 'video/mp4',
        Metadata: { clip: '1' },
      }),
    );
    const parts = [];
    for (const [index, Body] of [first, last].entries()) {
      const PartNumber = index + 1;
      const { ETag } = await alice.client.send(
        new UploadPartCommand({ Bucket: bucket, Key, UploadId, PartNumber, Body }),
      );
      parts.push({ PartNumber, ETag });
    }
    expect(
      await errorName(
        bob.client.send(new UploadPartCommand({ Bucket: bucket, Key, UploadId, PartNumber: 3, Body: 'x' })),
      ),
    ).toBe('AccessDenied');
    const listed = await alice.client.send(new ListPartsCommand({ Bucket: bucket, Key, UploadId }));
    expect(listed.Parts?.map((part) => [part.PartNumber, part.Size])).toEqual([
      [1, first.length],
      [2, last.length],
    ]);
    expect(
      await errorName(
        alice.client.send(
          new CompleteMultipartUploadCommand({
            Bucket: bucket,
            Key,
            UploadId,
            MultipartUpload: { Parts: [{ PartNumber: 1, ETag: '"0000"' }] },
          }),
        ),
      ),
    ).toBe('InvalidPart');
    await alice.client.send(
      new CompleteMultipartUploadCommand({
        Bucket: bucket,
        Key,
        UploadId,
        MultipartUpload: { Parts: parts },
      }),
    );
    const got = await bob.client.send(new GetObjectCommand({ Bucket: bucket, Key }));
    expect(got).toMatchObject({
      ContentType: 'video/mp4',
      ContentLength: first.length + last.length,
      Metadata: { clip: '1' },
    });
    expect(Buffer.from(await got.Body!.transformToByteArray()).equals(Buffer.concat([first, last]))).toBe(
      true,
    );
    expect(await errorName(alice.client.send(new ListPartsCommand({ Bucket: bucket, Key, UploadId })))).toBe(
      'NoSuchUpload',
    );

    const aborted = await alice.client.send(
      new CreateMultipartUploadCommand({ Bucket: bucket, Key: `${Key}.2` }),
    );
    await alice.client.send(
      new UploadPartCommand({
        Bucket: bucket,
        Key: `${Key}.2`,
        UploadId: aborted.UploadId,
        PartNumber: 1,
        Body: 'x',
      }),
    );
    await alice.client.send(
      new AbortMultipartUploadCommand({ Bucket: bucket, Key: `${Key}.2`, UploadId: aborted.UploadId }),
    );
    expect(
      await errorName(
        alice.client.send(
          new ListPartsCommand({ Bucket: bucket, Key: `${Key}.2`, UploadId: aborted.UploadId }),
        ),
      ),
    ).toBe('NoSuchUpload');
    const folder = await alice.client.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: `protected/${alice.id}/video` }),
    );
    expect(folder.Contents?.map((item) => item.Key)).toEqual([Key]);
  });

  it('serves presigned GET and PUT URLs while they are valid, for what the signer may do', async () => {
    const Key = `private/${alice.id}/presigned.txt`;
    const putUrl = await getSignedUrl(alice.client, new PutObjectCommand({ Bucket: bucket, Key }), {
      expiresIn: 60,
    });
    const corrupt = await fetch(putUrl, {
      method: 'PUT',
      body: 'sent by URL',
      headers: { 'content-md5': Buffer.alloc(16).toString('base64') },
    });
    expect(corrupt.status).toBe(400);
    expect(await corrupt.text()).toContain('<Code>BadDigest</Code>');
    expect(await errorName(alice.client.send(new HeadObjectCommand({ Bucket: bucket, Key })))).toBe(
      'NotFound',
    );
    expect((await fetch(putUrl, { method: 'PUT', body: 'sent by URL' })).status).toBe(200);
    const getUrl = await getSignedUrl(alice.client, new GetObjectCommand({ Bucket: bucket, Key }), {
      expiresIn: 60,
    });
    const got = await fetch(getUrl);
    expect(got.status).toBe(200);
    expect(await got.text()).toBe('sent by URL');
    const other = await fetch(getUrl.replace('presigned.txt', 'presigned.txx'));
    expect(other.status).toBe(403);
    expect(await other.text()).toContain('<Code>SignatureDoesNotMatch</Code>');
    const expired = await getSignedUrl(alice.client, new GetObjectCommand({ Bucket: bucket, Key }), {
      expiresIn: 60,
      signingDate: new Date(Date.now() - 120_000),
    });
    const late = await fetch(expired);
    expect(late.status).toBe(403);
    expect(await late.text()).toContain('Request has expired');
    const bobsUrl = await getSignedUrl(bob.client, new GetObjectCommand({ Bucket: bucket, Key }), {
      expiresIn: 60,
    });
    expect(await (await fetch(bobsUrl)).text()).toContain('<Code>AccessDenied</Code>');
  });

  it('answers path-style at the root too, for Amplify Storage’s customEndpoint', async () => {
    const credentials = await identityCredentials();
    const atRoot = new S3Client({
      endpoint: pool.url,
      forcePathStyle: true,
      region: 'us-west-1',
      credentials,
    });
    clients.push(atRoot);
    await alice.client.send(
      new PutObjectCommand({ Bucket: bucket, Key: 'public/root.txt', Body: 'at the root' }),
    );
    expect(
      await text(await atRoot.send(new GetObjectCommand({ Bucket: bucket, Key: 'public/root.txt' }))),
    ).toBe('at the root');
  });

  it('answers a browser’s CORS preflight and exposes ETag to its script', async () => {
    const origin = 'https://app.example.com';
    const preflight = await fetch(`${endpoint}/${bucket}/public/x.jpg`, {
      method: 'OPTIONS',
      headers: {
        origin,
        'access-control-request-method': 'PUT',
        'access-control-request-headers': 'authorization,x-amz-date,x-amz-content-sha256',
      },
    });
    expect(preflight.status).toBe(200);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(origin);
    expect(preflight.headers.get('access-control-allow-methods')).toContain('PUT');
    expect(preflight.headers.get('access-control-allow-headers')).toContain('x-amz-date');
    const refused = await fetch(`${endpoint}/${bucket}/public/x.jpg`, {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': 'PATCH' },
    });
    expect(refused.status).toBe(403);
    const url = await getSignedUrl(
      alice.client,
      new GetObjectCommand({ Bucket: bucket, Key: 'public/open.txt' }),
    );
    const answer = await fetch(url, { headers: { origin } });
    expect(answer.headers.get('access-control-allow-origin')).toBe(origin);
    expect(answer.headers.get('access-control-expose-headers')).toContain('etag');
  });

  it('counts requests and errors per S3 operation in the metrics', async () => {
    const text = await (await fetch(`${pool.url}/metrics`)).text();
    expect(text).toMatch(/plaza_requests_total\{operation="s3:GetObject"\} [1-9]/);
    expect(text).toMatch(/plaza_requests_total\{operation="s3:CompleteMultipartUpload"\} [1-9]/);
    expect(text).toMatch(/plaza_errors_total\{operation="s3:GetObject",type="AccessDenied"\} [1-9]/);
  });

  it('refuses bad signatures, unknown buckets and unsigned requests in S3’s terms', async () => {
    const credentials = await identityCredentials();
    const forged = s3({ ...credentials, secretAccessKey: `${credentials.secretAccessKey.slice(0, -1)}x` });
    expect(
      await errorName(forged.send(new GetObjectCommand({ Bucket: bucket, Key: 'public/open.txt' }))),
    ).toBe('SignatureDoesNotMatch');
    const unknown = s3({ ...credentials, sessionToken: 'PLZ1.bogus.token' });
    expect(
      await errorName(unknown.send(new GetObjectCommand({ Bucket: bucket, Key: 'public/open.txt' }))),
    ).toBe('InvalidAccessKeyId');
    const identityPool = pool.app.identity.identityPool!;
    const issued = identityPool.tokens.issue(
      {
        identityId: credentials.identityId,
        identityPoolId: identityPool.settings.identityPoolId,
        role: 'unauthenticated',
        roleArn: identityPool.settings.roles.unauthenticated,
        expiresAt: Date.now() - 1000,
      },
      'ASIAEXPIREDEXAMPLE01',
    );
    const lapsed = s3({
      accessKeyId: issued.AccessKeyId,
      secretAccessKey: issued.SecretKey,
      sessionToken: issued.SessionToken,
    });
    expect(
      await errorName(lapsed.send(new GetObjectCommand({ Bucket: bucket, Key: 'public/open.txt' }))),
    ).toBe('ExpiredToken');
    expect(
      await errorName(alice.client.send(new GetObjectCommand({ Bucket: 'not-ours', Key: 'public/x' }))),
    ).toBe('NoSuchBucket');
    const anonymous = await fetch(`${endpoint}/${bucket}/public/open.txt`);
    expect(anonymous.status).toBe(403);
    expect(await anonymous.text()).toContain('<Code>AccessDenied</Code>');
  });
});
