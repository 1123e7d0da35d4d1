import { PlazaError } from '../../platform/errors.ts';
import { getAll } from '../../ports/item-store/batch.ts';
import type { ItemStore } from '../../ports/item-store/item-store.ts';
import { isOwnOriginal } from './media-keys.ts';
import { mediaKey, toMedia, type Media, type Purpose } from './model.ts';

export interface MediaCheck {
  store: ItemStore;
  /**
   * Asks whether an upload that went straight to the object store (a presigned S3 PUT,
   * with no S3 event on one machine) has arrived, and queues it if so.
   */
  confirmUpload?: (media: Media) => Promise<Media | undefined>;
}

/**
 * The media a post, story or avatar may point at: the user's own uploads for
 * that purpose, received and not failed. Keys come from createUploadUrl, so
 * anything else is refused.
 */
export async function requireOwnMedia(
  mediaKeys: unknown[],
  ownerId: string,
  purpose: Purpose,
  { store, confirmUpload }: MediaCheck,
): Promise<Media[]> {
  for (const key of mediaKeys) {
    if (typeof key !== 'string' || !isOwnOriginal(key, ownerId, purpose)) {
      throw new PlazaError('BadInput', `${String(key)} is not one of your ${purpose.toLowerCase()} uploads`);
    }
  }
  const keys = mediaKeys as string[];
  if (new Set(keys).size !== keys.length) throw new PlazaError('BadInput', 'The same media is given twice');
  const found = new Map(
    (await getAll(store, keys.map(mediaKey))).map((item) => [String(item.key), toMedia(item)]),
  );
  const media: Media[] = [];
  for (const key of keys) {
    let item = found.get(key);
    if (item && !item.uploaded && confirmUpload) item = await confirmUpload(item);
    if (!item || !item.uploaded) throw new PlazaError('BadInput', `${key} has not been uploaded`);
    if (item.status === 'FAILED')
      throw new PlazaError('BadInput', `${key} could not be processed: ${item.failure}`);
    media.push(item);
  }
  return media;
}
