import { MEDIA_JOBS, mediaKey, toMedia, type Media, type MediaServices } from './model.ts';
import { sameKind } from './sniff.ts';

/**
 * For uploads that went straight to S3 while Plaza runs as one server (no S3
 * event Lambda): when a post refers to an upload, look for the object and
 * queue it as the event would have. An object of another size or kind than
 * the one reserved is not accepted.
 */
export async function confirmUpload(
  media: Media,
  { store, objects, clock }: Pick<MediaServices, 'store' | 'objects' | 'clock'>,
  enqueue: (key: string) => void,
): Promise<Media | undefined> {
  const info = await objects.head(media.key);
  if (!info || info.size !== media.contentLength || !sameKind(media.contentType, info.contentType))
    return media;
  const { item } = await store.update({
    key: mediaKey(media.key),
    set: { uploaded: true, etag: info.etag, GSI3PK: MEDIA_JOBS, GSI3SK: new Date(clock.now()).toISOString() },
    remove: ['ttl'],
    conditions: [{ op: 'itemExists' }],
  });
  enqueue(media.key);
  return toMedia(item);
}
