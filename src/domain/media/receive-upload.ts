import { pipeline, Transform, type Readable } from 'node:stream';
import { PlazaError } from '../../platform/errors.ts';
import type { UploadTarget } from '../../ports/object-store/signed-urls.ts';
import { MEDIA_JOBS, mediaKey, toMedia, type Media, type MediaServices } from './model.ts';
import { sameKind, sniffContentType, SNIFF_BYTES } from './sniff.ts';

/**
 * Stores the bytes of a signed upload (the local server's stand-in for a
 * presigned PUT to S3) and queues it for the pipeline. The bytes decide the
 * type: a file whose first bytes are not an accepted type of the declared
 * kind is refused, and nothing is stored.
 */
export async function receiveUpload(
  target: Pick<UploadTarget, 'key' | 'contentType' | 'contentLength'>,
  body: Readable,
  services: Pick<MediaServices, 'store' | 'objects' | 'clock'>,
  enqueue: (key: string) => void,
): Promise<Media> {
  const { store, objects, clock } = services;
  const { item } = await store.get(mediaKey(target.key), { consistent: true });
  if (!item) throw new PlazaError('NotFound', 'No upload was reserved for this key');
  const media = toMedia(item);
  if (media.uploaded) throw new PlazaError('Conflict', 'This upload has already been received');

  let sniffed: string | undefined;
  let head = Buffer.alloc(0);
  const checkType = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      if (sniffed === undefined) {
        head = Buffer.concat([head, chunk]);
        if (head.length < SNIFF_BYTES && head.length < target.contentLength) {
          callback();
          return;
        }
        sniffed = sniffContentType(head);
        if (!sniffed || !sameKind(target.contentType, sniffed)) {
          callback(new PlazaError('UnsupportedMediaType', 'The file is not an accepted image or video'));
          return;
        }
        callback(null, head);
        return;
      }
      callback(null, chunk);
    },
  });
  const checked = pipeline(body, checkType, () => undefined);
  const info = await objects.put(target.key, checked, {
    contentType: sniffed ?? target.contentType,
    contentLength: target.contentLength,
    metadata: { owner: media.ownerId, purpose: media.purpose },
  });
  const { item: updated } = await store.update({
    key: mediaKey(target.key),
    set: {
      uploaded: true,
      contentType: sniffed ?? info.contentType,
      etag: info.etag,
      GSI3PK: MEDIA_JOBS,
      GSI3SK: new Date(clock.now()).toISOString(),
    },
    remove: ['ttl'],
    conditions: [{ op: 'itemExists' }],
  });
  enqueue(target.key);
  return toMedia(updated);
}
