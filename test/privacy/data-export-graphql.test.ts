/**
 * Data export end to end over HTTP: a user uploads real photos, posts, likes, comments and
 * follows through GraphQL, asks for an export, waits until it is READY, downloads the zip from
 * its signed URL and finds every file and every original byte for byte. Nobody else sees it, the
 * URL is nothing without its signature, and when the export expires its item and zip are gone.
 */
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../src/domain/api-keys/api-keys.ts';
import { ManualClock } from '../../src/ports/clock.ts';
import { startTestServer, type TestServer } from '../support/app-harness.ts';
import { readZip } from '../support/zip.ts';

const day = 24 * 3600 * 1000;

const photo = (hue: number) =>
  sharp({ create: { width: 640, height: 480, channels: 3, background: `hsl(${hue}, 60%, 50%)` } })
    // A phone photo keeps where it was taken in its original, which the export hands back as it was.
    .withExif({ IFD0: { Make: 'PlazaPhone' }, IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '48/1 51/1 24/1' } })
    .jpeg()
    .toBuffer();

const EXPORT_FIELDS = 'id status url expiresAt';

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > end) throw new Error(`gave up waiting; last: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('data export over GraphQL', () => {
  let server: TestServer;
  const clock = new ManualClock(Date.now());
  let alice: { id: string; token: string };
  let bob: { id: string; token: string };

  beforeAll(async () => {
    server = await startTestServer({
      overrides: { clock },
      configFile: { table: { ttlSweepSeconds: 1 } },
    });
    alice = await server.newUser('alice');
    bob = await server.newUser('bob');
  });
  afterAll(async () => server?.close());

  async function ok(token: string, query: string, variables?: object) {
    const response = await server.gql(token, query, variables);
    expect(response.errors, query).toBeUndefined();
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    return response.data as Record<string, any>;
  }

  /** Uploads a photo for the purpose as a client does; resolves once the pipeline has it. */
  async function upload(token: string, purpose: string, bytes: Buffer): Promise<string> {
    const { createUploadUrl: target } = await ok(
      token,
      `mutation($input: CreateUploadInput!) { createUploadUrl(input: $input) { key url method headers } }`,
      { input: { purpose, contentType: 'image/jpeg', contentLength: bytes.length } },
    );
    const put = await fetch(target.url, {
      method: target.method,
      headers: JSON.parse(target.headers) as Record<string, string>,
      body: bytes,
    });
    expect(put.status).toBe(200);
    await server.app.media.jobs.idle();
    return target.key as string;
  }

  const exportOf = async (token: string, id: string) =>
    (await ok(token, `query($id: ID!) { dataExport(id: $id) { ${EXPORT_FIELDS} } }`, { id })).dataExport;

  it('hands its owner a zip of their data and originals, on a signed URL nobody else gets', async () => {
    const originals = new Map<string, Buffer>();
    const avatarBytes = await photo(10);
    const avatarKey = await upload(alice.token, 'AVATAR', avatarBytes);
    originals.set(avatarKey, avatarBytes);
    await ok(alice.token, `mutation($input: UpdateProfileInput!) { updateProfile(input: $input) { id } }`, {
      input: { username: 'alice_export', displayName: 'Alice', bio: 'Bay photos', avatarKey },
    });
    await ok(bob.token, `mutation { updateProfile(input: { username: "bob_export" }) { id } }`);
    const postKeys: string[] = [];
    for (const hue of [120, 200]) {
      const bytes = await photo(hue);
      const key = await upload(alice.token, 'POST', bytes);
      originals.set(key, bytes);
      postKeys.push(key);
    }
    const { createPost: post } = await ok(
      alice.token,
      `mutation($keys: [String!]) { createPost(input: { description: "Two views", mediaKeys: $keys }) { id createdAt } }`,
      { keys: postKeys },
    );
    const storyBytes = await photo(300);
    const storyKey = await upload(alice.token, 'STORY', storyBytes);
    originals.set(storyKey, storyBytes);
    await ok(alice.token, `mutation($key: String!) { createStory(input: { mediaKey: $key }) { id } }`, {
      key: storyKey,
    });
    const { createPost: bobsPost } = await ok(
      bob.token,
      `mutation { createPost(input: { description: "Bob's" }) { id } }`,
    );
    await ok(alice.token, `mutation($id: ID!) { likePost(postId: $id) { id } }`, { id: bobsPost.id });
    await ok(bob.token, `mutation($id: ID!) { likePost(postId: $id) { id } }`, { id: post.id });
    const { addComment: comment } = await ok(
      alice.token,
      `mutation($id: ID!) { addComment(postId: $id, content: "Lovely") { id createdAt } }`,
      { id: bobsPost.id },
    );
    await ok(alice.token, `mutation($id: ID!) { followUser(userId: $id) { id } }`, { id: bob.id });
    await ok(bob.token, `mutation($id: ID!) { followUser(userId: $id) { id } }`, { id: alice.id });

    const { requestDataExport: requested } = await ok(
      alice.token,
      `mutation { requestDataExport { ${EXPORT_FIELDS} } }`,
    );
    expect(requested).toMatchObject({ status: 'PENDING', url: null, expiresAt: null });
    const ready = await until(
      () => exportOf(alice.token, requested.id),
      (view) => view?.status !== 'PENDING',
    );
    expect(ready.status).toBe('READY');
    expect(Date.parse(ready.expiresAt)).toBe(clock.now() + 7 * day);
    // The link itself lives an hour; asking again signs a new one, until the export expires.
    expect(Number(new URL(ready.url).searchParams.get('Expires')) * 1000).toBeLessThanOrEqual(
      clock.now() + 3600 * 1000,
    );

    const download = await fetch(ready.url);
    expect(download.status).toBe(200);
    expect(download.headers.get('content-type')).toBe('application/zip');
    expect(download.headers.get('cache-control')).toMatch(/^private/);
    const files = await readZip(Buffer.from(await download.arrayBuffer()));
    const json = (name: string) => JSON.parse(files.get(name)?.toString('utf8') ?? 'null') as unknown;
    expect([...files.keys()].sort()).toEqual(
      [
        'comments.json',
        'followers.json',
        'following.json',
        'likes.json',
        'posts.json',
        'profile.json',
        'reports.json',
        'stories.json',
        ...[...originals.keys()].map((key) => `media/${key}`),
      ].sort(),
    );
    expect(json('profile.json')).toMatchObject({
      id: alice.id,
      username: 'alice_export',
      displayName: 'Alice',
      bio: 'Bay photos',
      email: 'alice@example.com',
      avatar: `media/${avatarKey}`,
      followerCount: 1,
      followingCount: 1,
      postCount: 1,
    });
    expect(json('posts.json')).toEqual([
      {
        id: post.id,
        description: 'Two views',
        media: postKeys.map((key) => `media/${key}`),
        likeCount: 1,
        commentCount: 0,
        createdAt: post.createdAt,
      },
    ]);
    expect(json('comments.json')).toEqual([
      { id: comment.id, postId: bobsPost.id, content: 'Lovely', createdAt: comment.createdAt },
    ]);
    expect(json('likes.json')).toEqual([{ postId: bobsPost.id, createdAt: expect.any(String) }]);
    expect(json('following.json')).toEqual([
      { userId: bob.id, username: 'bob_export', since: expect.any(String) },
    ]);
    expect(json('followers.json')).toEqual([
      { userId: bob.id, username: 'bob_export', since: expect.any(String) },
    ]);
    expect(json('stories.json')).toEqual([expect.objectContaining({ media: `media/${storyKey}` })]);
    for (const [key, bytes] of originals) expect(files.get(`media/${key}`)?.equals(bytes), key).toBe(true);

    // Nobody else: another user's query is null, the URL is nothing without its signature.
    expect(await exportOf(bob.token, requested.id)).toBeNull();
    const unsigned = ready.url.split('?')[0] as string;
    expect((await fetch(unsigned)).status).toBe(403);
    const tampered = new URL(ready.url);
    tampered.searchParams.set('Expires', String(Number(tampered.searchParams.get('Expires')) + 3600));
    expect((await fetch(tampered)).status).toBe(403);
    const apiKey = (
      await createApiKey(
        { description: 'test', lifetimeMs: 3600_000 },
        { ...server.app.social, store: server.app.stores.users },
      )
    ).key;
    for (const [headers, query] of [
      [{ 'x-api-key': apiKey }, `{ dataExport(id: "${requested.id}") { id url } }`],
      [{ 'x-api-key': apiKey }, 'mutation { requestDataExport { id } }'],
    ] as const) {
      const response = await fetch(`${server.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ query }),
      });
      const body = (await response.json()) as { data: unknown; errors?: { errorType: string }[] };
      expect(body.data).toBeNull();
      expect(body.errors?.[0]?.errorType).toBe('Unauthorized');
    }
    for (const id of ['nope', 'EXPORT#1', '']) {
      const bad = await server.gql(alice.token, `query($id: ID!) { dataExport(id: $id) { id } }`, { id });
      expect(bad.errors?.[0]?.errorType, id).toBe('BadInput');
    }

    // Seven days later the export expires: its TTL removes the item, and the zip goes with it.
    const archive = `exports/${alice.id}/${requested.id}/plaza-export.zip`;
    expect(await server.app.media.services.objects.head(archive)).toBeDefined();
    clock.advance(7 * day + 1000);
    expect(await exportOf(alice.token, requested.id)).toBeNull();
    await until(
      () => server.app.media.services.objects.head(archive),
      (info) => info === undefined,
    );
    expect((await fetch(ready.url)).status).toBe(403);
  });

  it('builds one export at a time per user', async () => {
    // With the builder stopped the first request stays PENDING, so the second meets it.
    await server.app.consumers.byName.get('data-lifecycle')?.stop();
    const first = await server.gql(bob.token, 'mutation { requestDataExport { id status } }');
    expect(first.data?.requestDataExport.status).toBe('PENDING');
    const second = await server.gql(bob.token, 'mutation { requestDataExport { id status } }');
    expect(second.errors?.[0]).toMatchObject({ errorType: 'Conflict' });
    expect(second.errors?.[0]?.message).toContain(first.data?.requestDataExport.id);
  });
});
