import type { Readable } from 'node:stream';
import { isPlazaError, PlazaError } from '../../platform/errors.ts';
import type { ImageVariant } from '../../ports/image-processor.ts';
import type { AttributeValue, Item } from '../../ports/item-store/item-store.ts';
import type { VideoInput, VideoRenditionFile } from '../../ports/video-processor.ts';
import { variantKey } from './media-keys.ts';
import {
  isVideo,
  mediaKey,
  toMedia,
  type MediaRendition,
  type MediaServices,
  type MediaVariant,
} from './model.ts';

async function readAll(body: Readable, max: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += (chunk as Buffer).length;
    if (size > max) throw new PlazaError('PayloadTooLarge', `The original is larger than ${max} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

export type ProcessOutcome = 'READY' | 'FAILED' | 'SKIPPED';

type Services = Pick<MediaServices, 'store' | 'objects' | 'images' | 'videos' | 'clock' | 'settings'>;

/** What a job found a file to be: its size, and what it wrote beside it. */
type Processed = Item;

/** Writes the image processor's variants beside the original, side by side. */
function putVariants(
  key: string,
  variants: ImageVariant[],
  objects: Services['objects'],
): Promise<MediaVariant[]> {
  return Promise.all(
    variants.map(async (variant): Promise<MediaVariant> => {
      const variantObjectKey = variantKey(key, variant.name);
      const info = await objects.put(variantObjectKey, variant.bytes, {
        contentType: variant.contentType,
        metadata: { original: key },
      });
      return {
        name: variant.name,
        ...(variant.size ? { size: variant.size } : {}),
        key: variantObjectKey,
        contentType: variant.contentType,
        width: variant.width,
        height: variant.height,
        etag: info.etag,
      };
    }),
  );
}

/** Writes a clip's renditions beside the original, side by side, streamed from their files. */
function putRenditions(
  key: string,
  renditions: VideoRenditionFile[],
  objects: Services['objects'],
): Promise<MediaRendition[]> {
  return Promise.all(
    renditions.map(async (rendition): Promise<MediaRendition> => {
      const renditionKey = variantKey(key, rendition.name);
      const info = await objects.put(renditionKey, rendition.body(), {
        contentType: rendition.contentType,
        contentLength: rendition.size,
        metadata: { original: key },
      });
      return {
        name: rendition.name,
        key: renditionKey,
        contentType: rendition.contentType,
        width: rendition.width,
        height: rendition.height,
        bytes: rendition.size,
        etag: info.etag,
      };
    }),
  );
}

async function processImage(key: string, body: Readable, services: Services): Promise<Processed> {
  const { images, objects, settings } = services;
  const bytes = await readAll(body, settings.imageMaxBytes);
  const processed = await images.process(bytes, {
    sizes: settings.imageSizes,
    maxPixels: settings.maxPixels,
    timeoutSeconds: settings.jobTimeoutSeconds,
  });
  const variants = await putVariants(key, processed.variants, objects);
  return {
    width: processed.width,
    height: processed.height,
    variants: variants as unknown as AttributeValue[],
  };
}

/**
 * The clip's file where the store keeps one (read in place by ffmpeg), else a URL ffmpeg reads
 * as it decodes (S3's presigned GET, valid for as long as its runs may take), else its stream.
 */
async function inPlace(key: string, body: Readable, services: Services): Promise<VideoInput> {
  const { objects, settings } = services;
  // The probe, the encode and (for a sparse clip) the first-frame run each have this long.
  const runs = 3 * settings.videoTimeoutSeconds;
  const file = (await objects.localFile?.(key)) ?? (await objects.readUrl?.(key, runs));
  if (!file) return body;
  body.destroy();
  return file;
}

/**
 * A clip's renditions (streamable MP4s without its metadata) and its poster in the photos'
 * sizes. The original stays its owner's; everyone else gets these (ADR 0007).
 */
async function processVideo(key: string, body: VideoInput, services: Services): Promise<Processed> {
  const { videos, images, objects, settings } = services;
  if (!videos) {
    if ('destroy' in body) body.destroy();
    throw new PlazaError('UnsupportedMediaType', 'Videos cannot be processed here');
  }
  const limits = {
    maxSeconds: settings.videoMaxSeconds,
    maxPixels: settings.videoMaxPixels,
    timeoutSeconds: settings.videoTimeoutSeconds,
    threads: settings.videoThreads,
    renditions: settings.videoRenditions,
  };
  return videos.process(body, limits, async (video) => {
    const posterVariants = async () => {
      const poster = await images.process(video.poster, {
        sizes: settings.imageSizes,
        maxPixels: settings.videoMaxPixels,
        timeoutSeconds: settings.jobTimeoutSeconds,
      });
      return putVariants(key, poster.variants, objects);
    };
    // The poster's sizes are made while the renditions stream into the object store.
    const [renditions, variants] = await Promise.all([
      putRenditions(key, video.renditions, objects),
      posterVariants(),
    ]);
    return {
      width: video.width,
      height: video.height,
      durationSeconds: Math.round(video.durationSeconds * 1000) / 1000,
      variants: variants as unknown as AttributeValue[],
      renditions: renditions as unknown as AttributeValue[],
    };
  });
}

/**
 * The media job: the design's thumbnail Lambda. Reads the original, writes what others are
 * shown beside it (a photo's sizes; a video's renditions and poster) and marks the media READY
 * with their sizes, or FAILED with the reason when the file is refused: not a readable image or
 * video, or a clip too long or too large. A refused file is never retried. Idempotent: a job
 * run twice (a retry, a restart, S3 delivering an event twice) writes the same objects. Throws
 * only for failures worth retrying (the stores, a missing ffmpeg).
 *
 * The same function runs as the S3-event Lambda handler at scale.
 */
export async function processMedia(key: string, services: Services): Promise<ProcessOutcome> {
  const { store, objects, clock } = services;
  const { item } = await store.get(mediaKey(key), { consistent: true });
  if (!item) return 'SKIPPED';
  const media = toMedia(item);
  if (media.status !== 'PENDING') return 'SKIPPED';
  const original = await objects.get(key);
  if (!original) return 'SKIPPED';

  const finish = (set: Item) =>
    store.update({
      key: mediaKey(key),
      set: { ...set, uploaded: true, updatedAt: new Date(clock.now()).toISOString() },
      remove: ['GSI3PK', 'GSI3SK', 'ttl'],
      conditions: [{ op: 'itemExists' }],
    });
  let processed: Processed;
  try {
    processed = isVideo(original.info.contentType)
      ? await processVideo(key, await inPlace(key, original.body, services), services)
      : await processImage(key, original.body, services);
  } catch (error) {
    if (!isPlazaError(error, 'UnsupportedMediaType')) throw error;
    await finish({ status: 'FAILED', failure: error.message });
    return 'FAILED';
  }
  await finish({
    status: 'READY',
    contentType: original.info.contentType,
    etag: original.info.etag,
    ...processed,
  });
  return 'READY';
}
