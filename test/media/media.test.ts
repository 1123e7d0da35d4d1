/**
 * Media end to end over HTTP: upload URLs, the local presigned PUT and what it
 * refuses, the image pipeline (sizes, metadata stripped, failures), the media
 * server's CDN semantics, stories with signed URLs, and the same flow on S3.
 */
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/ports/clock.ts';
import { startS3rver, s3rverCredentials } from '../support/s3rver.ts';
import { startTestServer, type TestServer } from '../support/app-harness.ts';

const photo = (width = 1600, height = 1200) =>
  sharp({ create: { width, height, channels: 3, background: '#3366cc' } })
    .composite([
      {
        input: Buffer.from(
          '<svg width="200" height="200"><circle cx="100" cy="100" r="90" fill="#fc0"/></svg>',
        ),
      },
    ])
    // A phone photo carries where it was taken; the pipeline must not pass that on.
    .withExif({ IFD0: { Make: 'PlazaPhone' }, IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '48/1 51/1 24/1' } })
    .jpeg()
    .toBuffer();

const UPLOAD = `mutation($input: CreateUploadInput!) {
  createUploadUrl(input: $input) { key url method headers expiresAt }
}`;
const MEDIA_FIELDS = 'key contentType status width height url variants { size url width height contentType }';

interface Upload {
  key: string;
  url: string;
  method: string;
  headers: string;
  expiresAt: string;
}

async function reserve(
  server: TestServer,
  token: string,
  purpose: string,
  bytes: Buffer,
  contentType = 'image/jpeg',
) {
  const response = await server.gql(token, UPLOAD, {
    input: { purpose, contentType, contentLength: bytes.length },
  });
  expect(response.errors).toBeUndefined();
  return response.data?.createUploadUrl as Upload;
}

async function put(upload: Upload, body: Buffer, headers: Record<string, string> = {}) {
  return fetch(upload.url, {
    method: upload.method,
    headers: { ...(JSON.parse(upload.headers) as Record<string, string>), ...headers },
    body,
  });
}

describe('media on the local file system', () => {
  let server: TestServer;
  const clock = new ManualClock(Date.now());
  let alice: { id: string; token: string };
  let bob: { id: string; token: string };

  beforeAll(async () => {
    server = await startTestServer({
      overrides: { clock },
      configFile: { media: { maxMegapixels: 4 } },
    });
    alice = await server.newUser('alice');
    bob = await server.newUser('bob');
  });
  afterAll(async () => server?.close());

  it('takes a photo from upload URL to READY variants, and serves them like a CDN', async () => {
    const bytes = await photo();
    const upload = await reserve(server, alice.token, 'POST', bytes);
    expect(upload.key).toMatch(new RegExp(`^users/${alice.id}/posts/[0-9A-Z]{26}/original\\.jpg$`));
    expect(Date.parse(upload.expiresAt) - clock.now()).toBeLessThanOrEqual(15 * 60 * 1000);
    const stored = await put(upload, bytes);
    expect(stored.status).toBe(200);
    await server.app.media.jobs.idle();

    const post = await server.gql(
      alice.token,
      `mutation($keys: [String!]) { createPost(input: { description: "sunset", mediaKeys: $keys }) {
        id media { ${MEDIA_FIELDS} } } }`,
      { keys: [upload.key] },
    );
    expect(post.errors).toBeUndefined();
    const [media] = post.data?.createPost.media ?? [];
    expect(media).toMatchObject({ status: 'READY', width: 1600, height: 1200, contentType: 'image/jpeg' });
    expect(media.variants.map((v: { size: number }) => v.size)).toEqual([
      150, 300, 600, 1200, 150, 300, 600, 1200,
    ]);
    const variant = media.variants.find(
      (v: { size: number; contentType: string }) => v.size === 300 && v.contentType === 'image/jpeg',
    );
    expect(variant).toMatchObject({ width: 300, height: 300 });

    const first = await fetch(variant.url);
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toBe('image/jpeg');
    expect(first.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(first.headers.get('x-content-type-options')).toBe('nosniff');
    const body = Buffer.from(await first.arrayBuffer());
    const metadata = await sharp(body).metadata();
    expect([metadata.width, metadata.height, metadata.exif]).toEqual([300, 300, undefined]);

    const etag = first.headers.get('etag') as string;
    const again = await fetch(variant.url, { headers: { 'if-none-match': etag } });
    expect([again.status, again.headers.get('x-cache')]).toEqual([304, 'Hit']);
    const range = await fetch(variant.url, { headers: { range: 'bytes=0-9' } });
    expect(range.status).toBe(206);
    expect(range.headers.get('content-range')).toBe(`bytes 0-9/${body.length}`);
    expect(Buffer.from(await range.arrayBuffer())).toEqual(body.subarray(0, 10));
    const beyond = await fetch(variant.url, { headers: { range: `bytes=${body.length + 5}-` } });
    expect(beyond.status).toBe(416);
    const unversioned = await fetch(variant.url.split('?')[0] as string);
    expect(unversioned.headers.get('cache-control')).toBe('public, max-age=86400');

    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toMatch(/plaza_media_jobs_total\{outcome="READY"\} 1/);
    expect(metrics).toMatch(/plaza_media_cache_requests_total\{result="Hit"\} [1-9]/);
  });

  it('refuses tampered, expired, mistyped and mis-sized uploads, and stores nothing', async () => {
    const bytes = await photo(400, 300);
    const upload = await reserve(server, alice.token, 'POST', bytes);
    const tampered = {
      ...upload,
      url: upload.url.replace('X-Plaza-Content-Length=', 'X-Plaza-Content-Length=9'),
    };
    expect((await put(tampered, bytes)).status).toBe(403);
    expect((await put(upload, bytes, { 'Content-Type': 'image/png' })).status).toBe(403);
    expect((await put(upload, Buffer.concat([bytes, Buffer.alloc(10)]))).status).toBe(413);
    const html = Buffer.alloc(bytes.length, ' ');
    html.write('<html><script>alert(1)</script>');
    expect((await put(upload, html)).status).toBe(415);
    expect(await server.app.media.services.objects.head(upload.key)).toBeUndefined();

    clock.advance(16 * 60 * 1000);
    expect((await put(upload, bytes)).status).toBe(403);
    expect(await server.app.media.services.objects.head(upload.key)).toBeUndefined();

    const refused = await server.gql(
      alice.token,
      'mutation($keys: [String!]) { createPost(input: { description: "x", mediaKeys: $keys }) { id } }',
      { keys: [upload.key] },
    );
    expect(refused.errors?.[0]?.message).toMatch(/has not been uploaded/);
  });

  it("refuses bad upload requests and other users' media", async () => {
    const html = await server.gql(alice.token, UPLOAD, {
      input: { purpose: 'POST', contentType: 'text/html', contentLength: 10 },
    });
    expect(html.errors?.[0]?.errorType).toBe('UnsupportedMediaType');
    const video = await server.gql(alice.token, UPLOAD, {
      input: { purpose: 'AVATAR', contentType: 'video/mp4', contentLength: 10 },
    });
    expect(video.errors?.[0]?.errorType).toBe('UnsupportedMediaType');
    const huge = await server.gql(alice.token, UPLOAD, {
      input: { purpose: 'POST', contentType: 'image/jpeg', contentLength: 21 * 1024 * 1024 },
    });
    expect(huge.errors?.[0]?.errorType).toBe('PayloadTooLarge');

    const bytes = await photo(200, 200);
    const upload = await reserve(server, alice.token, 'POST', bytes);
    expect((await put(upload, bytes)).status).toBe(200);
    const stolen = await server.gql(
      bob.token,
      'mutation($keys: [String!]) { createPost(input: { description: "mine", mediaKeys: $keys }) { id } }',
      { keys: [upload.key] },
    );
    expect(stolen.errors?.[0]).toMatchObject({ errorType: 'BadInput' });
    const traversal = await fetch(`${server.url}/media/users/..%2F..%2Fsecrets/next-token.key`);
    expect(traversal.status).toBe(400);
  });

  it('marks broken images and decompression bombs FAILED without harm', async () => {
    const broken = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(2000, 7)]);
    const big = await sharp({ create: { width: 2500, height: 2000, channels: 3, background: '#000' } })
      .png()
      .toBuffer();
    const keys: string[] = [];
    for (const [bytes, type] of [
      [broken, 'image/jpeg'],
      [big, 'image/png'],
    ] as const) {
      const upload = await reserve(server, alice.token, 'POST', bytes, type);
      expect((await put(upload, bytes)).status).toBe(200);
      keys.push(upload.key);
    }
    await server.app.media.jobs.idle();
    for (const key of keys) {
      const media = await server.app.media.services.store.get({ PK: `MEDIA#${key}`, SK: 'METADATA' });
      expect(media.item).toMatchObject({ status: 'FAILED' });
    }
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    const post = await server.gql(
      alice.token,
      'mutation($keys: [String!]) { createPost(input: { description: "x", mediaKeys: $keys }) { id } }',
      { keys: keys.slice(0, 1) },
    );
    expect(post.errors?.[0]?.message).toMatch(/could not be processed/);
  });

  it('posts stories behind signed URLs, in the stories bar of followers, for 24 hours', async () => {
    const bytes = await photo(1080, 1920);
    const upload = await reserve(server, alice.token, 'STORY', bytes);
    expect(upload.key).toMatch(new RegExp(`^stories/${alice.id}/[0-9A-Z]{26}/image\\.jpg$`));
    expect((await put(upload, bytes)).status).toBe(200);
    await server.app.media.jobs.idle();
    const story = await server.gql(
      alice.token,
      `mutation($key: String!) { createStory(input: { mediaKey: $key }) { id expiresAt media { status url } } }`,
      { key: upload.key },
    );
    expect(story.errors).toBeUndefined();
    const url = story.data?.createStory.media.url as string;
    // The stripped rendition beside the original, signed like everything under stories/.
    expect(url.split('?')[0]).toBe(`${server.url}/media/${upload.key.replace('image.jpg', 'medium.jpg')}`);
    expect(url).toMatch(/Expires=\d+&Signature=[\w-]+&Key-Pair-Id=/);
    expect((await fetch(url)).status).toBe(200);
    expect((await fetch(url.split('?')[0] as string)).status).toBe(403);
    // Another first character, whatever the signature's was (replacing it with A left one in 64 intact).
    const tampered = url.replace(
      /Signature=(.)/,
      (_, first: string) => `Signature=${first === 'A' ? 'B' : 'A'}`,
    );
    expect((await fetch(tampered)).status).toBe(403);

    await server.gql(bob.token, 'mutation($id: ID!) { followUser(userId: $id) { id } }', { id: alice.id });
    const bar = await server.gql(bob.token, '{ storiesFeed { user { id } stories { id } } }');
    expect(bar.data?.storiesFeed).toEqual([
      { user: { id: alice.id }, stories: [{ id: story.data?.createStory.id }] },
    ]);
    const again = await server.gql(
      alice.token,
      'mutation($key: String!) { createStory(input: { mediaKey: $key }) { id } }',
      {
        key: upload.key,
      },
    );
    expect(again.errors?.[0]?.errorType).toBe('Conflict');

    clock.advance(24 * 3600 * 1000 + 1000);
    const later = await server.gql(bob.token, 'query($id: ID!) { listStories(userId: $id) { id } }', {
      id: alice.id,
    });
    expect(later.data?.listStories).toEqual([]);
  });
});

describe('media on S3 (s3rver)', () => {
  let s3: Awaited<ReturnType<typeof startS3rver>>;
  let server: TestServer;

  beforeAll(async () => {
    s3 = await startS3rver('plaza-media');
    process.env.AWS_ACCESS_KEY_ID = s3rverCredentials.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = s3rverCredentials.secretAccessKey;
    server = await startTestServer({
      env: { PLAZA_STORAGE: 's3', S3_ENDPOINT: s3.endpoint, S3_BUCKET: 'plaza-media' },
    });
  });
  afterAll(async () => {
    await server?.close();
    await s3?.stop();
  });

  it('uploads straight to S3 with a presigned PUT; the post confirms it and the pipeline runs', async () => {
    const alice = await server.newUser('s3alice');
    const bytes = await photo(800, 600);
    const upload = await reserve(server, alice.token, 'POST', bytes);
    expect(upload.url.startsWith(s3.endpoint)).toBe(true);
    expect((await put(upload, bytes)).status).toBe(200);
    const post = await server.gql(
      alice.token,
      'mutation($keys: [String!]) { createPost(input: { description: "s3", mediaKeys: $keys }) { id } }',
      { keys: [upload.key] },
    );
    expect(post.errors).toBeUndefined();
    await server.app.media.jobs.idle();
    const read = await server.gql(
      alice.token,
      `query($id: ID!) { getPost(id: $id) { media { ${MEDIA_FIELDS} } } }`,
      {
        id: post.data?.createPost.id,
      },
    );
    const [media] = read.data?.getPost.media ?? [];
    expect(media).toMatchObject({ status: 'READY', width: 800, height: 600 });
    const small = await fetch(media.variants[0].url);
    expect(small.status).toBe(200);
    expect((await sharp(Buffer.from(await small.arrayBuffer())).metadata()).width).toBe(150);
  });
});
