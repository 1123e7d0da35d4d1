import type { Readable } from 'node:stream';
import { isPlazaError, PlazaError } from '../../platform/errors.ts';
import type { AttributeValue, Item } from '../../ports/item-store/item-store.ts';
import { displayRenditions, variantKey } from './media-keys.ts';
import { isVideo, mediaKey, toMedia, type MediaServices, type MediaVariant } from './model.ts';

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

/**
 * The image job: the design's thumbnail Lambda. Reads the original, writes the
 * variants beside it (a video's: the same file without its metadata) and marks
 * the media READY with their sizes, or FAILED with the reason when the file is
 * not a readable image or video. Idempotent: a job
 * run twice (a retry, a restart, S3 delivering an event twice) writes the same
 * variants. Throws only for failures worth retrying (the stores).
 *
 * The same function runs as the S3-event Lambda handler at scale.
 */
export async function processMedia(
  key: string,
  {
    store,
    objects,
    images,
    videos,
    clock,
    settings,
  }: Pick<MediaServices, 'store' | 'objects' | 'images' | 'videos' | 'clock' | 'settings'>,
): Promise<ProcessOutcome> {
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
  const fail = async (failure: string): Promise<'FAILED'> => {
    await finish({ status: 'FAILED', failure });
    return 'FAILED';
  };

  if (isVideo(original.info.contentType)) {
    if (!videos) {
      original.body.destroy();
      return fail('Videos cannot be processed here yet');
    }
    // The original stays its owner's; everyone else gets the same pictures without the metadata.
    let clean: MediaVariant;
    try {
      clean = await videos.stripMetadata(
        original.body,
        { timeoutSeconds: settings.jobTimeoutSeconds },
        async (video) => {
          const cleanKey = variantKey(key, displayRenditions.video);
          const info = await objects.put(cleanKey, video.body, {
            contentType: video.contentType,
            contentLength: video.size,
            metadata: { original: key },
          });
          return {
            name: displayRenditions.video,
            key: cleanKey,
            contentType: video.contentType,
            width: video.width,
            height: video.height,
            etag: info.etag,
          };
        },
      );
    } catch (error) {
      if (!isPlazaError(error, 'UnsupportedMediaType')) throw error;
      return fail(error.message);
    }
    await finish({
      status: 'READY',
      contentType: original.info.contentType,
      etag: original.info.etag,
      width: clean.width,
      height: clean.height,
      variants: [clean] as unknown as AttributeValue[],
    });
    return 'READY';
  }
  const bytes = await readAll(original.body, settings.imageMaxBytes);
  let processed;
  try {
    processed = await images.process(bytes, {
      sizes: settings.imageSizes,
      maxPixels: settings.maxPixels,
      timeoutSeconds: settings.jobTimeoutSeconds,
    });
  } catch (error) {
    if (!isPlazaError(error, 'UnsupportedMediaType')) throw error;
    return fail(error.message);
  }
  const variants: MediaVariant[] = [];
  for (const variant of processed.variants) {
    const variantObjectKey = variantKey(key, variant.name);
    const info = await objects.put(variantObjectKey, variant.bytes, {
      contentType: variant.contentType,
      metadata: { original: key },
    });
    variants.push({
      name: variant.name,
      ...(variant.size ? { size: variant.size } : {}),
      key: variantObjectKey,
      contentType: variant.contentType,
      width: variant.width,
      height: variant.height,
      etag: info.etag,
    });
  }
  await finish({
    status: 'READY',
    contentType: original.info.contentType,
    etag: original.info.etag,
    width: processed.width,
    height: processed.height,
    variants: variants as unknown as AttributeValue[],
  });
  return 'READY';
}
