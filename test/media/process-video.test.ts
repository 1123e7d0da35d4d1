import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../support/sqlite-store.ts';
import { s3rverCredentials, startS3rver } from '../support/s3rver.ts';
import { makeClip } from '../support/video-clips.ts';
import { ffmpegVideoProcessor } from '../../src/adapters/ffmpeg/ffmpeg-video-processor.ts';
import { FsObjectStore } from '../../src/adapters/fs/fs-object-store.ts';
import { S3ObjectStore } from '../../src/adapters/s3/s3-object-store.ts';
import { HmacUrlSigner } from '../../src/adapters/hmac/hmac-url-signer.ts';
import { nodeIds } from '../../src/adapters/ids/node-ids.ts';
import { sharpImageProcessor } from '../../src/adapters/sharp/sharp-image-processor.ts';
import { isPlazaError } from '../../src/platform/errors.ts';
import { createLogger } from '../../src/platform/logger.ts';
import { systemClock } from '../../src/ports/clock.ts';
import { cascadeDeletions } from '../../src/domain/privacy/cascade-deletions.ts';
import { eraseMedia } from '../../src/domain/privacy/erase-media.ts';
import { createProfile } from '../../src/domain/social/create-profile.ts';
import { createStory } from '../../src/domain/social/create-story.ts';
import { defaultSocialSettings } from '../../src/domain/social/model.ts';
import { originalKey, variantKey } from '../../src/domain/media/media-keys.ts';
import { defaultMediaSettings, mediaKey, toMedia, type MediaServices } from '../../src/domain/media/model.ts';
import { processMedia } from '../../src/domain/media/process-media.ts';

describe('processMedia for videos', () => {
  const dir = mkdtempSync(join(tmpdir(), 'plaza-process-video-'));
  const { db, store } = openSqliteStore(join(dir, 'plaza.sqlite'));
  let services: MediaServices;

  beforeAll(() => {
    const objects = new FsObjectStore({ root: join(dir, 'media'), durable: false });
    services = {
      store,
      objects,
      signer: new HmacUrlSigner({ secret: randomBytes(32), keyId: 't', baseUrl: () => 'http://x' }),
      images: sharpImageProcessor(),
      videos: ffmpegVideoProcessor(),
      clock: systemClock,
      ids: nodeIds(systemClock),
      logger: createLogger({ level: 'silent' }),
      settings: { ...defaultMediaSettings, videoMaxSeconds: 5 },
    };
  });
  afterAll(async () => {
    await store.close();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** An uploaded clip, as receiveUpload leaves it: the original stored, the item PENDING. */
  async function uploaded(
    bytes: Buffer,
    purpose: 'POST' | 'STORY' = 'POST',
    ownerId = 'u1',
  ): Promise<string> {
    const key = originalKey(purpose, ownerId, services.ids.ulid(), true);
    await services.objects.put(key, bytes, { contentType: 'video/mp4' });
    await store.put({
      item: {
        ...mediaKey(key),
        key,
        ownerId,
        purpose,
        contentType: 'video/mp4',
        contentLength: bytes.length,
        status: 'PENDING',
        uploaded: true,
        variants: [],
        createdAt: new Date().toISOString(),
      },
    });
    return key;
  }

  const media = async (key: string) => toMedia((await store.get(mediaKey(key))).item!);
  const stored = async (key: string) =>
    (await services.objects.list(key.slice(0, key.lastIndexOf('/') + 1), { limit: 100 })).items
      .map((object) => object.key.slice(key.lastIndexOf('/') + 1))
      .sort();

  it('writes the renditions and the poster in every image size, and erasing the media takes them all', async () => {
    const key = await uploaded(makeClip(dir, 'clip.mp4', { size: '1280x720', seconds: 1 }));
    expect(await processMedia(key, services)).toBe('READY');
    const ready = await media(key);
    expect(ready).toMatchObject({ status: 'READY', width: 1280, height: 720, durationSeconds: 1 });
    expect(ready.renditions?.map(({ name, width, height }) => [name, width, height])).toEqual([
      ['720p.mp4', 1280, 720],
      ['360p.mp4', 640, 360],
    ]);
    expect(ready.variants.find((variant) => variant.name === '1200.webp')).toMatchObject({
      width: 1200,
      height: 1200,
    });
    expect(await stored(key)).toEqual(
      [
        ...['150', '300', '600', '1200'].flatMap((size) => [`${size}.jpg`, `${size}.webp`]),
        '360p.mp4',
        '720p.mp4',
        'medium.jpg',
        'original.mp4',
        'thumbnail.jpg',
      ].sort(),
    );
    // Run twice (a retry, an event delivered twice): nothing more happens.
    expect(await processMedia(key, services)).toBe('SKIPPED');
    const cdn: string[] = [];
    await eraseMedia(key, {
      store,
      objects: services.objects,
      cdn: { invalidate: async (paths) => void cdn.push(...paths) },
    });
    expect(await stored(key)).toEqual([]);
    expect(cdn).toEqual([`${key.slice(0, key.lastIndexOf('/') + 1)}*`]);
  });

  it("takes a story's renditions and poster with it when the story expires", async () => {
    const owner = randomUUID();
    const social = {
      store,
      clock: systemClock,
      ids: services.ids,
      settings: { ...defaultSocialSettings, storyLifetimeMs: 1000 },
    };
    await createProfile({ userId: owner, email: `${owner}@example.com` }, social);
    const key = await uploaded(makeClip(dir, 'story.mp4', { size: '320x240', seconds: 1 }), 'STORY', owner);
    expect(await processMedia(key, services)).toBe('READY');
    expect((await stored(key)).length).toBeGreaterThan(10);
    await createStory(owner, { mediaKey: key }, social);
    const erasure = store.changes.subscribe(
      'erasure',
      (records) =>
        cascadeDeletions(records, {
          store,
          objects: services.objects,
          clock: systemClock,
          cdn: { invalidate: async () => undefined },
        }),
      { pollIntervalMs: 50 },
    );
    try {
      // The TTL sweep, as in production.
      await new Promise((resolve) => setTimeout(resolve, 2100));
      expect(store.sweepExpired()).toBeGreaterThan(0);
      for (let round = 0; round < 3; round++) await erasure.drain();
      expect(await stored(key)).toEqual([]);
    } finally {
      await erasure.stop();
    }
  });

  it('marks a refused clip FAILED with its reason, once: nothing to retry', async () => {
    const key = await uploaded(
      makeClip(dir, 'long.mp4', { size: '32x32', seconds: 20, rate: '1', silent: true }),
      'STORY',
    );
    expect(await processMedia(key, services)).toBe('FAILED');
    expect(await media(key)).toMatchObject({
      status: 'FAILED',
      failure: 'The video is 20 s long; at most 5 s are accepted',
      renditions: [],
    });
    expect(await processMedia(key, services)).toBe('SKIPPED');
  });

  it('leaves a clip PENDING, to be retried, when ffmpeg is missing; fails it where no video processor runs', async () => {
    const key = await uploaded(makeClip(dir, 'short.mp4', { size: '64x64', seconds: 1 }));
    const missing = await processMedia(key, {
      ...services,
      videos: ffmpegVideoProcessor({ ffprobe: join(dir, 'no-ffprobe') }),
    }).catch((error: unknown) => error);
    expect(isPlazaError(missing, 'ConfigurationError')).toBe(true);
    expect((await media(key)).status).toBe('PENDING');
    const { videos: _, ...withoutVideos } = services;
    expect(await processMedia(key, withoutVideos)).toBe('FAILED');
    expect((await media(key)).failure).toBe('Videos cannot be processed here');
  });

  it('has ffmpeg read a clip in S3 at its presigned URL, as it decodes, instead of a copy', async () => {
    const s3 = await startS3rver('media');
    const objects = new S3ObjectStore({
      bucket: 'media',
      region: 'us-east-1',
      endpoint: s3.endpoint,
      credentials: s3rverCredentials,
    });
    const urls: string[] = [];
    const readUrl = objects.readUrl.bind(objects);
    objects.readUrl = async (key, expiresSeconds) => {
      const remote = await readUrl(key, expiresSeconds);
      if (remote) urls.push(remote.url);
      return remote;
    };
    const inS3 = { ...services, objects };
    try {
      const key = await uploaded(makeClip(dir, 's3.mp4', { size: '1280x720', seconds: 1 }));
      await objects.put(key, (await services.objects.get(key))!.body, {
        contentType: 'video/mp4',
        contentLength: (await services.objects.head(key))!.size,
      });
      expect(await processMedia(key, inS3)).toBe('READY');
      expect(urls).toEqual([expect.stringMatching(new RegExp(`^${s3.endpoint}/media/.*X-Amz-Signature=`))]);
      expect((await media(key)).renditions?.map(({ name, bytes }) => [name, bytes > 0])).toEqual([
        ['720p.mp4', true],
        ['360p.mp4', true],
      ]);
      expect((await objects.head(variantKey(key, '720p.mp4')))?.contentType).toBe('video/mp4');

      // A store without read URLs hands over the stream (an HTTP response, with a `url` of its own): copied.
      const copying = new S3ObjectStore({
        bucket: 'media',
        region: 'us-east-1',
        endpoint: s3.endpoint,
        credentials: s3rverCredentials,
      });
      Object.defineProperty(copying, 'readUrl', { value: undefined });
      const copied = await uploaded(makeClip(dir, 'copied.mp4', { size: '640x360', seconds: 1 }));
      await objects.put(copied, (await services.objects.get(copied))!.body, {
        contentType: 'video/mp4',
        contentLength: (await services.objects.head(copied))!.size,
      });
      expect(await processMedia(copied, { ...services, objects: copying })).toBe('READY');
      expect(urls).toHaveLength(1);
      await copying.close();

      // Refused at the URL as from a file: a cut-short clip, and one gone since its upload.
      const clip = makeClip(dir, 'cut.mp4', { size: '640x360', seconds: 2 });
      const cut = await uploaded(clip);
      await objects.put(cut, clip.subarray(0, clip.length / 2), { contentType: 'video/mp4' });
      expect(await processMedia(cut, inS3)).toBe('FAILED');
      expect((await media(cut)).failure).toMatch(/Not a readable video/);
      const gone = await uploaded(clip);
      expect(await processMedia(gone, inS3)).toBe('SKIPPED');
    } finally {
      await objects.close();
      await s3.stop();
    }
  });
});
