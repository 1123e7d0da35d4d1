import { mediaObjectsPrefix } from '../media/media-keys.ts';
import { mediaKey } from '../media/model.ts';
import type { Erased, PrivacyServices } from './model.ts';

/** Deletes every object under a prefix, a page at a time; returns how many. */
export async function deleteObjects(
  prefix: string,
  { objects }: Pick<PrivacyServices, 'objects'>,
): Promise<number> {
  let deleted = 0;
  let cursor: string | undefined;
  do {
    const page = await objects.list(prefix, { limit: 1000, ...(cursor ? { cursor } : {}) });
    await Promise.all(page.items.map((object) => objects.delete(object.key)));
    deleted += page.items.length;
    cursor = page.cursor;
  } while (cursor);
  return deleted;
}

/**
 * Erases one piece of media: the original and every variant beside it, the CDN's copies and
 * the media item. Objects go first, so a crash in between leaves the item that leads a
 * retry back to them. Idempotent. `invalidate: false` when the caller invalidates a wider
 * path itself (an account's folders): CloudFront takes only 15 wildcard paths in progress.
 */
export async function eraseMedia(
  key: string,
  services: Pick<PrivacyServices, 'store' | 'objects' | 'cdn'>,
  { invalidate = true }: { invalidate?: boolean } = {},
): Promise<Erased> {
  const prefix = mediaObjectsPrefix(key);
  const objects = await deleteObjects(prefix, services);
  if (invalidate) await services.cdn.invalidate([`${prefix}*`]);
  const { previous } = await services.store.delete({ key: mediaKey(key) });
  return { items: previous ? 1 : 0, objects };
}
