import { writeAll } from '../../ports/item-store/batch.ts';
import type { Item } from '../../ports/item-store/item-store.ts';
import { pages } from '../../ports/item-store/pages.ts';
import { keys, partitions } from '../social/keys.ts';
import { toPost } from '../social/model.ts';
import { hashtagsIn } from '../social/text-tags.ts';
import { eraseMedia } from './erase-media.ts';
import { inParallel, type Erased, type PrivacyServices } from './model.ts';

/**
 * What is left of a deleted post (its item as it was): its likes and comments (and with them
 * their entries in the owner index), its entry in the author's list and under its hashtags, its media and the cached
 * answers about it. Followers' feed entries are the feed fan-out's to remove, from the same
 * REMOVE record. Idempotent.
 */
export async function erasePost(
  deleted: Item,
  services: Pick<PrivacyServices, 'store' | 'objects' | 'cdn' | 'forget'>,
): Promise<Erased> {
  const post = toPost(deleted);
  const { store } = services;
  const erased: Erased = { items: 0, objects: 0 };
  // The author's list entry goes in the first batch (every path that deletes a post removes it
  // already; this keeps a post deleted any other way from leaving it).
  // The post's hashtag index items are found from its description, as createPost wrote them.
  let writes = [
    { delete: keys.userPost(post.authorId, post.id) },
    ...hashtagsIn(post.description).map((tag) => ({ delete: keys.hashtagPost(tag, post.id) })),
  ];
  for await (const children of pages(store, { partition: partitions.post(post.id), limit: 100 })) {
    writes = writes.concat(
      children.map((child) => ({ delete: { PK: String(child.PK), SK: String(child.SK) } })),
    );
    await writeAll(store, writes);
    erased.items += children.length;
    writes = [];
  }
  // A post removed with its account: the account's erasure swept and invalidated its folders already.
  const { item: author } = await store.get(keys.profile(post.authorId));
  await inParallel(post.mediaKeys, 4, async (key) => {
    const media = await eraseMedia(key, services, { invalidate: author !== undefined });
    erased.items += media.items;
    erased.objects += media.objects;
  });
  await services.forget?.([`Post:${post.id}`]);
  return erased;
}
