/**
 * No metadata leaves Plaza unless its owner asked (ADR 0007), end to end against a real
 * server: a phone photo (EXIF GPS, XMP, IPTC, orientation 6) and a video with its place and
 * title reach other users and API keys only as stripped, upright renditions; the original
 * answers 403 without a signature, and its owner alone gets a signed URL that expires.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../src/domain/api-keys/api-keys.ts';
import { ManualClock } from '../../src/ports/clock.ts';
import { startTestServer, type TestServer } from '../support/app-harness.ts';
import { graphqlWsClient } from '../support/graphql-ws.ts';
import { phonePhoto } from '../support/photos.ts';

const MEDIA = 'key status width height url originalUrl variants { size url width height contentType }';

interface MediaAnswer {
  key: string;
  status: string;
  width: number;
  height: number;
  url: string | null;
  originalUrl: string | null;
  variants: { size: number; url: string; width: number; height: number; contentType: string }[];
}

describe('media privacy', () => {
  let server: TestServer;
  let apiKey: string;
  let alice: { id: string; token: string };
  let bob: { id: string; token: string };
  const clock = new ManualClock(Date.now());
  const folder = mkdtempSync(join(tmpdir(), 'plaza-privacy-test-'));

  beforeAll(async () => {
    server = await startTestServer({ overrides: { clock } });
    alice = await server.newUser('alice');
    bob = await server.newUser('bob');
    apiKey = (
      await createApiKey(
        { description: 'public reads', lifetimeMs: 24 * 3600_000 },
        { ...server.app.social, store: server.app.stores.users },
      )
    ).key;
  });
  afterAll(async () => {
    await server?.close();
    rmSync(folder, { recursive: true, force: true });
  });

  /** A GraphQL request as a user (token) or with the public API key. */
  async function ask(who: { token: string } | 'apiKey', query: string, variables?: object) {
    const response = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(who === 'apiKey' ? { 'x-api-key': apiKey } : { authorization: who.token }),
      },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await response.json()) as { data?: Record<string, unknown>; errors?: unknown[] };
    expect(body.errors).toBeUndefined();
    return body.data ?? {};
  }

  /** Reserves, PUTs and processes one upload; returns its key. */
  async function upload(purpose: 'POST' | 'AVATAR' | 'STORY', bytes: Buffer, contentType = 'image/jpeg') {
    const reserved = (await ask(
      alice,
      'mutation($input: CreateUploadInput!) { createUploadUrl(input: $input) { key url method headers } }',
      { input: { purpose, contentType, contentLength: bytes.length } },
    )) as { createUploadUrl: { key: string; url: string; method: string; headers: string } };
    const { key, url, method, headers } = reserved.createUploadUrl;
    const put = await fetch(url, {
      method,
      headers: JSON.parse(headers) as Record<string, string>,
      body: bytes,
    });
    expect(put.status).toBe(200);
    await server.app.media.jobs.idle();
    return key;
  }

  async function download(url: string) {
    const response = await fetch(url);
    return { status: response.status, response, bytes: Buffer.from(await response.arrayBuffer()) };
  }

  /** Every URL of a media answer serves bytes without metadata, turned upright. */
  async function expectStripped(media: MediaAnswer, upright: { width: number; height: number }) {
    const urls = [media.url as string, ...media.variants.map((variant) => variant.url)];
    expect(urls).toHaveLength(9);
    for (const url of urls) {
      expect(url).not.toMatch(/original|avatar\.jpg|image\.jpg/);
      const { status, bytes } = await download(url);
      expect([url, status]).toEqual([url, 200]);
      const metadata = await sharp(bytes).metadata();
      expect({ url, exif: metadata.exif, xmp: metadata.xmp, iptc: metadata.iptc }).toEqual({ url });
      expect([1, undefined]).toContain(metadata.orientation);
    }
    // The rendition that keeps the aspect ratio (at most 1080 px) shows the photo as it was held.
    const shown = await sharp((await download(media.url as string)).bytes).metadata();
    expect((shown.width as number) / (shown.height as number)).toBeCloseTo(upright.width / upright.height, 2);
    expect(Math.max(shown.width as number, shown.height as number)).toBeLessThanOrEqual(1080);
    expect([media.width, media.height]).toEqual([upright.width, upright.height]);
  }

  it('shows a phone photo to others stripped and upright; the original to its owner, for minutes', async () => {
    const original = await phonePhoto(1200, 800);
    const stored = await sharp(original).metadata();
    expect(stored).toMatchObject({ width: 1200, height: 800, orientation: 6 });
    expect([stored.exif, stored.xmp, stored.iptc].every(Boolean)).toBe(true);
    const key = await upload('POST', original);
    const created = (await ask(
      alice,
      'mutation($keys: [String!]) { createPost(input: { description: "home", mediaKeys: $keys }) { id } }',
      { keys: [key] },
    )) as { createPost: { id: string } };
    const read = async (who: { token: string } | 'apiKey') =>
      (
        (await ask(who, `query($id: ID!) { getPost(id: $id) { media { ${MEDIA} } } }`, {
          id: created.createPost.id,
        })) as { getPost: { media: MediaAnswer[] } }
      ).getPost.media[0] as MediaAnswer;

    // The owner asks first, so the post is in the resolver cache when the others ask.
    const own = await read(alice);
    for (const who of [bob, 'apiKey'] as const) {
      const media = await read(who);
      expect(media).toMatchObject({ key, status: 'READY', originalUrl: null });
      expect(media.url).toMatch(/\/medium\.jpg\?v=/);
      await expectStripped(media, { width: 800, height: 1200 });
    }

    // The original itself: no URL without a valid signature, whatever the query string says.
    expect((await download(`${server.url}/media/${key}`)).status).toBe(403);
    expect((await download(`${server.url}/media/${key}?v=1`)).status).toBe(403);
    expect(own.originalUrl).toMatch(/Expires=\d+&Signature=/);
    const fetched = await download(own.originalUrl as string);
    expect(fetched.status).toBe(200);
    expect(fetched.bytes.equals(original)).toBe(true);
    expect(fetched.response.headers.get('cache-control')).toMatch(/^private, max-age=(300|29\d)$/);
    clock.advance(5 * 60 * 1000 + 1000);
    expect((await download(own.originalUrl as string)).status).toBe(403);
    const again = await read(alice);
    expect((await download(again.originalUrl as string)).status).toBe(200);
  });

  it('keeps the avatar original private too', async () => {
    const original = await phonePhoto(600, 400);
    const key = await upload('AVATAR', original);
    await ask(alice, 'mutation($key: String) { updateProfile(input: { avatarKey: $key }) { id } }', { key });
    const avatar = async (who: { token: string } | 'apiKey') =>
      (
        (await ask(who, `query($id: ID!) { getUser(id: $id) { avatar { ${MEDIA} } } }`, {
          id: alice.id,
        })) as {
          getUser: { avatar: MediaAnswer };
        }
      ).getUser.avatar;
    for (const who of [bob, 'apiKey'] as const) {
      const media = await avatar(who);
      expect(media.originalUrl).toBeNull();
      expect(media.url).toMatch(/\/avatar-medium\.jpg\?v=/);
      await expectStripped(media, { width: 400, height: 600 });
    }
    expect((await download(`${server.url}/media/${key}`)).status).toBe(403);
    const own = await avatar(alice);
    expect((await download(own.originalUrl as string)).bytes.equals(original)).toBe(true);
  });

  it('resolves originalUrl for each subscriber of a live event', async () => {
    const clients = [graphqlWsClient(server.url, alice.token), graphqlWsClient(server.url, bob.token)];
    const received = clients.map(
      (client) =>
        new Promise<MediaAnswer>((resolve, reject) => {
          client.subscribe<{ onCreatePost: { media: MediaAnswer[] } }>(
            {
              query: `subscription($id: ID) { onCreatePost(authorId: $id) { media { originalUrl } } }`,
              variables: { id: alice.id },
            },
            {
              next: (message) => resolve(message.data?.onCreatePost.media[0] as MediaAnswer),
              error: reject,
              complete: () => {},
            },
          );
        }),
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    const key = await upload('POST', await phonePhoto(300, 200));
    await ask(
      alice,
      'mutation($keys: [String!]) { createPost(input: { description: "live", mediaKeys: $keys }) { id } }',
      {
        keys: [key],
      },
    );
    const [toAlice, toBob] = await Promise.all(received);
    expect(toAlice?.originalUrl).toMatch(new RegExp(`/media/${key}\\?Expires=`));
    expect(toBob?.originalUrl).toBeNull();
    for (const client of clients) await client.dispose();
  });

  it('serves a video story without where and when it was shot', async () => {
    const file = join(folder, 'story.mp4');
    execFileSync('ffmpeg', [
      ...['-hide_banner', '-loglevel', 'error', '-y'],
      ...['-f', 'lavfi', '-i', 'testsrc=duration=1:size=64x64:rate=10'],
      ...['-metadata', 'location=+48.8584+002.2945/', '-metadata', 'title=secret'],
      ...['-c:v', 'libx264', '-pix_fmt', 'yuv420p', file],
    ]);
    const original = readFileSync(file);
    const probe = (bytes: Buffer) => {
      const path = join(folder, `probe-${bytes.length}.mp4`);
      writeFileSync(path, bytes);
      return execFileSync('ffprobe', ['-v', 'error', '-show_format', path], { encoding: 'utf8' });
    };
    const shot = probe(original);
    expect(shot).toMatch(/TAG:location=\+48\.8584/);
    expect(shot).toMatch(/TAG:title=secret/);
    const key = await upload('STORY', original, 'video/mp4');
    await ask(alice, 'mutation($key: String!) { createStory(input: { mediaKey: $key }) { id } }', { key });
    await ask(bob, 'mutation($id: ID!) { followUser(userId: $id) { id } }', { id: alice.id });
    const story = async (who: { token: string }) =>
      (
        (await ask(
          who,
          'query($id: ID!) { listStories(userId: $id) { media { key status url originalUrl width height } } }',
          {
            id: alice.id,
          },
        )) as { listStories: { media: MediaAnswer }[] }
      ).listStories[0]?.media as MediaAnswer;

    const seen = await story(bob);
    expect(seen).toMatchObject({ key, status: 'READY', originalUrl: null, width: 64, height: 64 });
    expect(seen.url).toMatch(/\/64p\.mp4\?Expires=\d+&Signature=/);
    const served = await download(seen.url as string);
    expect([served.status, served.response.headers.get('content-type')]).toEqual([200, 'video/mp4']);
    const format = probe(served.bytes);
    expect(format).toMatch(/format_name=mov,mp4/);
    expect(format).not.toMatch(/location|48\.8584|secret/);

    expect((await download(`${server.url}/media/${key}`)).status).toBe(403);
    const own = await story(alice);
    expect((await download(own.originalUrl as string)).bytes.equals(original)).toBe(true);
  });
});
