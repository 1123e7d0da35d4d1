/**
 * The owner index for data written before it existed: likes, comments and media items get
 * their `OWNER#<userId>` entries, so an account's erasure and export find them too. Every
 * item is reached from an index the data already had (GSI3, items by type): comments
 * directly, likes through their posts, media through the posts, profiles and stories that
 * point at it. Uploads never used are reached by nothing; their bytes go with the account's
 * folders, and their items with their TTL or the account's erasure of its media.
 *
 * Idempotent and safe beside live traffic: an item is only given entries it lacks.
 */
import { isPlazaError } from '../../platform/errors.ts';
import { getAll } from '../../ports/item-store/batch.ts';
import type { Item, ItemStore, Key } from '../../ports/item-store/item-store.ts';
import { pages } from '../../ports/item-store/pages.ts';
import { mediaKey } from '../media/model.ts';
import { idAfter, ownedByIndex, partitions, sortPrefixes } from '../social/keys.ts';
import { cascadeConcurrency, inParallel } from './model.ts';

/** Where the migration notes it has run, so a server runs it once. */
export const ownerIndexMigration: Key = { PK: 'MIGRATIONS', SK: 'owner-index' };

const keyOf = (item: Item): Key => ({ PK: String(item.PK), SK: String(item.SK) });

/** Gives an item its owner-index entry unless it has one (or is gone). Returns whether it did. */
async function index(store: ItemStore, key: Key, userId: string, sortKey: string): Promise<boolean> {
  try {
    await store.update({
      key,
      set: ownedByIndex(userId, sortKey),
      conditions: [{ op: 'itemExists' }, { op: 'attributeNotExists', attribute: 'GSI1PK' }],
    });
    return true;
  } catch (error) {
    if (isPlazaError(error, 'ConditionalCheckFailedException')) return false;
    throw error;
  }
}

const byType = (store: ItemStore, type: string) =>
  pages(store, { index: 'GSI3', partition: type, limit: 100 });

export async function backfillOwnerIndex(
  { store }: { store: ItemStore },
  progress?: (indexed: number) => void,
): Promise<number> {
  let indexed = 0;
  const count = (done: boolean) => {
    if (!done) return;
    indexed++;
    progress?.(indexed);
  };
  const media = async (keys: unknown[]) => {
    const found = await getAll(
      store,
      keys.filter((key): key is string => typeof key === 'string').map(mediaKey),
    );
    for (const item of found.filter((candidate) => candidate.GSI1PK === undefined))
      count(await index(store, keyOf(item), String(item.ownerId), `MEDIA#${String(item.key)}`));
  };

  for await (const comments of byType(store, 'COMMENT')) {
    await inParallel(comments, cascadeConcurrency, async (comment) => {
      if (comment.GSI1PK !== undefined) return;
      const sortKey = `COMMENT#${String(comment.postId)}#${String(comment.id)}`;
      count(await index(store, keyOf(comment), String(comment.authorId), sortKey));
    });
  }
  for await (const posts of byType(store, 'POST')) {
    await inParallel(posts, cascadeConcurrency, async (post) => {
      const postId = String(post.id);
      for await (const likes of pages(store, {
        partition: partitions.post(postId),
        sortKey: { op: 'beginsWith', value: sortPrefixes.like },
        limit: 500,
      })) {
        for (const like of likes.filter((item) => item.GSI1PK === undefined)) {
          const userId = typeof like.userId === 'string' ? like.userId : idAfter(sortPrefixes.like, like.SK);
          count(await index(store, keyOf(like), userId, `LIKE#${postId}`));
        }
      }
      await media(Array.isArray(post.mediaKeys) ? post.mediaKeys : []);
    });
  }
  for await (const profiles of byType(store, 'USER'))
    await media(profiles.map((profile) => profile.avatarKey));
  for await (const stories of byType(store, 'STORY')) await media(stories.map((story) => story.mediaKey));
  await store.put({ item: { ...ownerIndexMigration, indexed } });
  return indexed;
}
