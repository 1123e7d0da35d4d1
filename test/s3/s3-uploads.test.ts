/**
 * Uploads through the bucket's S3 API into the media pipeline, as Amplify Storage sends them: the
 * app reserves an upload with createUploadUrl, puts the bytes (PutObject, @aws-sdk/lib-storage's
 * multipart upload, or CopyObject) under `private/<identity id>/uploads/<media id>/<file name>`
 * with identity-pool credentials, path-style or virtual-hosted, and posts the reserved key. The refusals: a guest, another
 * user's media id, an id never reserved, a key off the layout, bytes of another kind or length.
 */
import {
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { fromCognitoIdentityPool } from '@aws-sdk/credential-providers';
import { Upload } from '@aws-sdk/lib-storage';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { Agent } from 'node:http';
import { randomBytes } from 'node:crypto';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorName, poolUser, startPoolApp, type PoolApp } from '../support/pool-app.ts';

interface User {
  client: S3Client;
  identityId: string;
  accessToken: string;
}

let pool: PoolApp;
let bucket: string;
let endpoint: string;
let alice: User;
let bob: User;
let guest: S3Client;
const clients: S3Client[] = [];

const MEDIA = 'key status width height contentType variants { size contentType }';

async function user(email?: string): Promise<User> {
  const signedIn = email ? await poolUser(pool, email) : undefined;
  const logins = signedIn && { [`${new URL(pool.url).host}/${pool.userPoolId}`]: signedIn.idToken };
  const credentials = await fromCognitoIdentityPool({
    identityPoolId: pool.app.identity.identityPool!.settings.identityPoolId,
    ...(logins ? { logins } : {}),
    clientConfig: { endpoint: pool.url, region: 'us-west-1' },
  })();
  const client = new S3Client({ endpoint, forcePathStyle: true, region: 'us-west-1', credentials });
  clients.push(client);
  return { client, identityId: credentials.identityId, accessToken: signedIn?.accessToken ?? '' };
}

async function gql(token: string, query: string, variables: object) {
  const response = await fetch(`${pool.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: token },
    body: JSON.stringify({ query, variables }),
  });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the answers' shapes are the queries'
  return (await response.json()) as { data?: Record<string, any>; errors?: { message: string }[] };
}

/** createUploadUrl's reservation for the identity: its key, and the media id in it that the S3 key carries. */
async function reserve(who: User, bytes: Buffer, purpose = 'POST') {
  const reserved = await gql(
    who.accessToken,
    `mutation($input: CreateUploadInput!) { createUploadUrl(input: $input) { key } }`,
    {
      input: { purpose, contentType: 'image/jpeg', contentLength: bytes.length, identityId: who.identityId },
    },
  );
  expect(reserved.errors).toBeUndefined();
  const key = reserved.data!.createUploadUrl.key as string;
  const mediaId = purpose === 'POST' ? key.split('/')[3]! : key.split('/')[2]!;
  return { key, s3Key: `private/${who.identityId}/uploads/${mediaId}/beach day.jpg` };
}

const photo = (width = 800, height = 600) =>
  sharp({ create: { width, height, channels: 3, background: '#2a7' } })
    .withExif({ IFD0: { Make: 'PlazaPhone' }, IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '48/1 51/1 24/1' } })
    .jpeg()
    .toBuffer();

/** A photo over S3's 5 MiB smallest part: noise does not compress. */
const largePhoto = () =>
  sharp(randomBytes(1800 * 1400 * 3), { raw: { width: 1800, height: 1400, channels: 3 } })
    .jpeg({ quality: 100, chromaSubsampling: '4:4:4' })
    .toBuffer();

async function postWith(who: User, key: string) {
  await pool.app.media.jobs.idle();
  return gql(
    who.accessToken,
    `mutation($keys: [String!]) { createPost(input: { description: "from S3", mediaKeys: $keys }) { id media { ${MEDIA} } } }`,
    { keys: [key] },
  );
}

async function expectGone(who: User, s3Key: string) {
  expect(await errorName(who.client.send(new HeadObjectCommand({ Bucket: bucket, Key: s3Key })))).toBe(
    'NotFound',
  );
}

async function expectReady(who: User, key: string, size: { width: number; height: number }) {
  const post = await postWith(who, key);
  expect(post.errors).toBeUndefined();
  expect(post.data!.createPost.media[0]).toMatchObject({ key, status: 'READY', ...size });
  // Each rendition is made from the bytes uploaded, without their camera metadata.
  const medium = await pool.app.media.services.objects.get(key.replace('original.jpg', 'medium.jpg'));
  const chunks: Buffer[] = [];
  for await (const chunk of medium!.body) chunks.push(chunk as Buffer);
  const metadata = await sharp(Buffer.concat(chunks)).metadata();
  expect(metadata.exif).toBeUndefined();
}

beforeAll(async () => {
  pool = await startPoolApp('s3-uploads');
  const outputs = (await (await fetch(`${pool.url}/amplify_outputs.json`)).json()) as {
    storage: { bucket_name: string };
    custom: { s3_endpoint: string };
  };
  bucket = outputs.storage.bucket_name;
  endpoint = outputs.custom.s3_endpoint;
  alice = await user('alice-uploads@example.com');
  bob = await user('bob-uploads@example.com');
  guest = (await user()).client;
}, 60_000);
afterAll(async () => {
  for (const client of clients) client.destroy();
  await pool?.close();
});

describe('uploads through the S3 API feed the media pipeline', () => {
  it('takes a PutObject (the SDK’s default aws-chunked body) to a READY post photo', async () => {
    const bytes = await photo();
    const { key, s3Key } = await reserve(alice, bytes);
    await alice.client.send(
      new PutObjectCommand({ Bucket: bucket, Key: s3Key, Body: bytes, ContentType: 'image/jpeg' }),
    );
    // The bytes moved to the reserved key: no second copy, with its GPS position, stays behind.
    await expectGone(alice, s3Key);
    await expectReady(alice, key, { width: 800, height: 600 });
    // A reservation is filled once.
    const again = alice.client.send(new PutObjectCommand({ Bucket: bucket, Key: s3Key, Body: bytes }));
    await expect(again).rejects.toMatchObject({
      name: 'InvalidArgument',
      message: expect.stringMatching(/already been received/),
    });
  });

  it('takes a multipart upload from @aws-sdk/lib-storage', async () => {
    const bytes = await largePhoto();
    expect(bytes.length).toBeGreaterThan(5 * 1024 * 1024);
    const { key, s3Key } = await reserve(alice, bytes);
    const parts: number[] = [];
    const upload = new Upload({
      client: alice.client,
      params: { Bucket: bucket, Key: s3Key, Body: bytes, ContentType: 'image/jpeg' },
      partSize: 5 * 1024 * 1024,
      queueSize: 2,
    });
    upload.on('httpUploadProgress', (progress) => parts.push(progress.loaded ?? 0));
    await upload.done();
    expect(parts.length).toBeGreaterThanOrEqual(2);
    await expectGone(alice, s3Key);
    await expectReady(alice, key, { width: 1800, height: 1400 });
  }, 60_000);

  it('takes a CopyObject of an object already in the identity’s folder, for a story', async () => {
    const bytes = await photo(600, 900);
    const staged = `private/${alice.identityId}/drafts/story.jpg`;
    await alice.client.send(new PutObjectCommand({ Bucket: bucket, Key: staged, Body: bytes }));
    const { key, s3Key } = await reserve(alice, bytes, 'STORY');
    await alice.client.send(
      new CopyObjectCommand({ Bucket: bucket, Key: s3Key, CopySource: `${bucket}/${staged}` }),
    );
    await expectGone(alice, s3Key);
    await pool.app.media.jobs.idle();
    const story = await gql(
      alice.accessToken,
      `mutation($key: String!) { createStory(input: { mediaKey: $key }) { id media { status width height } } }`,
      { key },
    );
    expect(story.errors).toBeUndefined();
    expect(story.data!.createStory.media).toMatchObject({ status: 'READY', width: 600, height: 900 });
  });

  it('takes an upload addressed virtual-hosted (<bucket>.<host>), as Amplify Storage sends it', async () => {
    const bytes = await photo(640, 480);
    const { key, s3Key } = await reserve(alice, bytes);
    // `<bucket>.localhost` is the loopback server to a browser; Node is told so here.
    const agent = new Agent({
      lookup: (_host, options, callback) =>
        options.all ? callback(null, [{ address: '127.0.0.1', family: 4 }]) : callback(null, '127.0.0.1', 4),
    });
    const virtual = new S3Client({
      endpoint: `http://localhost:${new URL(pool.url).port}`,
      region: 'us-west-1',
      credentials: await alice.client.config.credentials(),
      requestHandler: new NodeHttpHandler({ httpAgent: agent }),
    });
    clients.push(virtual);
    const sent: string[] = [];
    virtual.middlewareStack.add(
      (next) => (args) => {
        const request = args.request as { hostname: string; path: string };
        sent.push(`${request.hostname}${request.path}`);
        return next(args);
      },
      { step: 'finalizeRequest' },
    );
    await virtual.send(
      new PutObjectCommand({ Bucket: bucket, Key: s3Key, Body: bytes, ContentType: 'image/jpeg' }),
    );
    expect(decodeURIComponent(sent[0]!)).toBe(`${bucket}.localhost/${s3Key}`);
    await expectGone(alice, s3Key);
    await expectReady(alice, key, { width: 640, height: 480 });
    agent.destroy();
  });

  it('refuses uploads that are not the caller’s reservation, before a byte is kept', async () => {
    const bytes = await photo();
    const { s3Key } = await reserve(alice, bytes);
    const mediaId = s3Key.split('/')[3];
    const put = (who: S3Client, Key: string, Body: Buffer | string = bytes) =>
      who.send(new PutObjectCommand({ Bucket: bucket, Key, Body }));
    // Bob's own folder, Alice's media id: the key is Bob's to write, the reservation is not.
    const borrowed = put(bob.client, `private/${bob.identityId}/uploads/${mediaId}/a.jpg`);
    await expect(borrowed).rejects.toMatchObject({
      name: 'InvalidArgument',
      message: expect.stringMatching(/No upload .* was reserved for identity/),
    });
    // A guest has no user to own an upload; its role writes nowhere anyway.
    expect(await errorName(put(guest, `private/${bob.identityId}/uploads/${mediaId}/a.jpg`))).toBe(
      'AccessDenied',
    );
    const unreserved = put(
      alice.client,
      `private/${alice.identityId}/uploads/01HZZZZZZZZZZZZZZZZZZZZZZZ/a.jpg`,
    );
    await expect(unreserved).rejects.toMatchObject({ name: 'InvalidArgument' });
    const offLayout = put(alice.client, `private/${alice.identityId}/uploads/beach.jpg`);
    await expect(offLayout).rejects.toMatchObject({
      name: 'InvalidArgument',
      message: expect.stringMatching(/<media id>\/<file name>/),
    });
    const multipart = alice.client.send(
      new CreateMultipartUploadCommand({
        Bucket: bucket,
        Key: `private/${alice.identityId}/uploads/01HZZZZZZZZZZZZZZZZZZZZZZZ/big.jpg`,
      }),
    );
    expect(await errorName(multipart)).toBe('InvalidArgument');
    // Bytes of another kind, or of another length than reserved: refused, and nothing kept.
    const text = Buffer.alloc(bytes.length, 'x');
    const notAPhoto = put(alice.client, s3Key, text);
    await expect(notAPhoto).rejects.toMatchObject({
      name: 'InvalidArgument',
      message: expect.stringMatching(/not an accepted image/),
    });
    await expectGone(alice, s3Key);
    const short = put(alice.client, s3Key, bytes.subarray(0, 1000));
    await expect(short).rejects.toMatchObject({
      name: 'InvalidArgument',
      message: expect.stringMatching(new RegExp(`reserved for ${bytes.length} bytes, but 1000 arrived`)),
    });
    await expectGone(alice, s3Key);
    // The reservation is still open: the right bytes are taken afterwards.
    await put(alice.client, s3Key);
    await expectGone(alice, s3Key);
  });
});
