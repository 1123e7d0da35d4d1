/**
 * Videos end to end over HTTP (issue 19): a clip from upload URL to streamable renditions and
 * posters, what the media server serves of them (Range), what is refused and why, and deleting
 * the post taking every rendition and poster with it. The clips are real, made by ffmpeg here.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/app-harness.ts';
import { makeClip, probeFile } from '../support/video-clips.ts';

const UPLOAD = `mutation($input: CreateUploadInput!) {
  createUploadUrl(input: $input) { key url method headers }
}`;
const MEDIA = `key contentType status width height url durationSeconds failureReason
  videoRenditions { height width url contentType bytes } variants { size url width height contentType }`;

interface MediaAnswer {
  key: string;
  contentType: string;
  status: string;
  width: number | null;
  height: number | null;
  url: string | null;
  durationSeconds: number | null;
  failureReason: string | null;
  videoRenditions: { height: number; width: number; url: string; contentType: string; bytes: number }[];
  variants: { size: number; url: string; width: number; height: number; contentType: string }[];
}

describe('videos', () => {
  let server: TestServer;
  let alice: { id: string; token: string };
  const folder = mkdtempSync(join(tmpdir(), 'plaza-video-e2e-'));

  beforeAll(async () => {
    server = await startTestServer({ configFile: { media: { videoMaxSeconds: 10 } } });
    alice = await server.newUser('alice');
  });
  afterAll(async () => {
    await server?.close();
    rmSync(folder, { recursive: true, force: true });
  });

  /** Reserves, PUTs and waits for the pipeline; answers the PUT's status and the upload as `myUpload` shows it. */
  async function upload(purpose: string, bytes: Buffer, contentType: string) {
    const reserved = await server.gql(alice.token, UPLOAD, {
      input: { purpose, contentType, contentLength: bytes.length },
    });
    expect(reserved.errors).toBeUndefined();
    const target = reserved.data?.createUploadUrl as {
      key: string;
      url: string;
      method: string;
      headers: string;
    };
    const put = await fetch(target.url, {
      method: target.method,
      headers: JSON.parse(target.headers) as Record<string, string>,
      body: bytes,
    });
    await server.app.media.jobs.idle();
    const shown = await server.gql(alice.token, `query($key: String!) { myUpload(key: $key) { ${MEDIA} } }`, {
      key: target.key,
    });
    expect(shown.errors).toBeUndefined();
    return { key: target.key, status: put.status, media: shown.data?.myUpload as MediaAnswer };
  }

  async function download(url: string, headers: Record<string, string> = {}) {
    const response = await fetch(url, { headers });
    return { response, bytes: Buffer.from(await response.arrayBuffer()) };
  }

  it('makes a portrait phone clip into upright 720p and 360p renditions and posters, and deleting the post takes them all', async () => {
    const clip = makeClip(folder, 'phone.mp4', { size: '1920x1080', seconds: 2, rotate: 90, tags: true });
    const { key, status, media } = await upload('POST', clip, 'video/mp4');
    expect(status).toBe(200);
    expect(key).toMatch(new RegExp(`^users/${alice.id}/posts/[0-9A-Z]{26}/original\\.mp4$`));
    expect(media).toMatchObject({ status: 'READY', contentType: 'video/mp4', width: 1080, height: 1920 });
    expect(media.failureReason).toBeNull();
    expect(media.durationSeconds).toBeCloseTo(2, 1);
    expect(
      media.videoRenditions.map(({ width, height, contentType }) => [width, height, contentType]),
    ).toEqual([
      [720, 1280, 'video/mp4'],
      [360, 640, 'video/mp4'],
    ]);
    expect(media.url).toBe(media.videoRenditions[0]?.url);
    expect(media.variants.map((variant) => [variant.size, variant.contentType])).toEqual([
      ...[150, 300, 600, 1200].map((size) => [size, 'image/jpeg']),
      ...[150, 300, 600, 1200].map((size) => [size, 'image/webp']),
    ]);

    for (const rendition of media.videoRenditions) {
      const { response, bytes } = await download(rendition.url);
      expect([response.status, response.headers.get('content-type'), bytes.length]).toEqual([
        200,
        'video/mp4',
        rendition.bytes,
      ]);
      const file = join(folder, `served-${rendition.height}.mp4`);
      writeFileSync(file, bytes);
      expect(probeFile(file)).toMatchObject({
        video: 'h264',
        audio: 'aac',
        width: rendition.width,
        height: rendition.height,
        rotation: 0,
        faststart: true,
      });
      expect(probeFile(file).tags).not.toMatch(/location|creation_time|48\.8584|secret/);
      // A player seeks with Range requests.
      const part = await download(rendition.url, { range: 'bytes=100-1099' });
      expect([part.response.status, part.response.headers.get('content-range')]).toEqual([
        206,
        `bytes 100-1099/${rendition.bytes}`,
      ]);
      expect(part.bytes.equals(bytes.subarray(100, 1100))).toBe(true);
    }
    const poster = media.variants.find(
      (variant) => variant.size === 600 && variant.contentType === 'image/jpeg',
    );
    const posterBytes = (await download(poster?.url as string)).bytes;
    expect(await sharp(posterBytes).metadata()).toMatchObject({ width: 600, height: 600, format: 'jpeg' });

    const post = await server.gql(
      alice.token,
      'mutation($keys: [String!]) { createPost(input: { description: "clip", mediaKeys: $keys }) { id } }',
      { keys: [key] },
    );
    expect(post.errors).toBeUndefined();
    const prefix = key.slice(0, key.lastIndexOf('/') + 1);
    const stored = async () => (await server.app.media.services.objects.list(prefix, { limit: 100 })).items;
    expect((await stored()).map((object) => object.key.slice(prefix.length)).sort()).toEqual(
      expect.arrayContaining(['original.mp4', '720p.mp4', '360p.mp4', '1200.webp', '150.jpg', 'medium.jpg']),
    );
    const deleted = await server.gql(alice.token, 'mutation($id: ID!) { deletePost(id: $id) { id } }', {
      id: post.data?.createPost.id,
    });
    expect(deleted.errors).toBeUndefined();
    for (let waited = 0; (await stored()).length > 0 && waited < 100; waited++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(await stored()).toEqual([]);
    expect((await download(media.videoRenditions[1]!.url)).response.status).toBe(404);
  });

  it('takes an HEVC QuickTime story, as H.264', async () => {
    const clip = makeClip(folder, 'story.mov', { size: '640x480', seconds: 1, codec: 'libx265' });
    const { media } = await upload('STORY', clip, 'video/quicktime');
    expect(media).toMatchObject({ status: 'READY', width: 640, height: 480 });
    expect(media.videoRenditions.map(({ width, height }) => [width, height])).toEqual([
      [640, 480],
      [480, 360],
    ]);
    const file = join(folder, 'story-served.mp4');
    writeFileSync(file, (await download(media.videoRenditions[1]!.url)).bytes);
    expect(probeFile(file).video).toBe('h264');
  });

  it('refuses sound only, a cut-short file, a long clip, text and empty files, each saying why', async () => {
    const sound = await upload(
      'POST',
      makeClip(folder, 'sound.mp4', { seconds: 1, audioOnly: true }),
      'video/mp4',
    );
    expect(sound.media).toMatchObject({ status: 'FAILED', url: null, videoRenditions: [], variants: [] });
    expect(sound.media.failureReason).toMatch(/no pictures \(sound only\?\)/);

    const whole = makeClip(folder, 'whole.mp4', { size: '640x360', seconds: 2 });
    const cut = await upload('STORY', whole.subarray(0, whole.length / 2), 'video/mp4');
    expect(cut.media.status).toBe('FAILED');
    expect(cut.media.failureReason).toMatch(/Not a readable video \(cut short, or not a video at all\)/);

    const long = await upload(
      'POST',
      makeClip(folder, 'long.mp4', { size: '64x64', seconds: 30, rate: '1' }),
      'video/mp4',
    );
    expect(long.media.failureReason).toBe('The video is 30 s long; at most 10 s are accepted');

    // The bytes decide the type: a text file is refused as it arrives, and nothing is stored.
    const text = await upload('POST', Buffer.from('a shopping list, renamed to clip.mp4'), 'video/mp4');
    expect([text.status, text.media.status]).toEqual([415, 'PENDING']);

    const empty = await server.gql(alice.token, UPLOAD, {
      input: { purpose: 'POST', contentType: 'video/mp4', contentLength: 0 },
    });
    expect(empty.errors?.[0]).toMatchObject({ errorType: 'BadInput' });
    const avatar = await server.gql(alice.token, UPLOAD, {
      input: { purpose: 'AVATAR', contentType: 'video/mp4', contentLength: 10 },
    });
    expect(avatar.errors?.[0]).toMatchObject({ errorType: 'UnsupportedMediaType' });

    const refused = await server.gql(
      alice.token,
      'mutation($keys: [String!]) { createPost(input: { description: "x", mediaKeys: $keys }) { id } }',
      { keys: [sound.key] },
    );
    expect(refused.errors?.[0]?.message).toMatch(/could not be processed: The file has no pictures/);
  });
});
