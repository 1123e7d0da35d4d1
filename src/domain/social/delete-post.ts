import { isPlazaError, PlazaError } from '../../platform/errors.ts';
import { writeAll } from '../../ports/item-store/batch.ts';
import { keys, partitions } from './keys.ts';
import { requireUlid, requireUserId, toPost, type Post, type SocialServices } from './model.ts';

/**
 * Deletes a post (its author only) with its likes and comments. The post, its
 * entry in the author's list and the count go in one transaction; likes and
 * comments follow in batches, and followers' feed entries are removed by the
 * fan-out when it sees the post's REMOVE record.
 */
export async function deletePost(
  viewerId: string,
  postId: string,
  { store }: Pick<SocialServices, 'store'>,
): Promise<Post> {
  const userId = requireUserId(viewerId);
  const id = requireUlid(postId, 'postId');
  const { item } = await store.get(keys.post(id), { consistent: true });
  if (!item) throw new PlazaError('NotFound', `No post ${postId}`);
  if (item.authorId !== userId) throw new PlazaError('Forbidden', 'Only the author can delete a post');
  try {
    await store.transactWrite([
      { delete: keys.post(id), conditions: [{ op: '=', attribute: 'authorId', value: userId }] },
      { delete: keys.userPost(userId, id) },
      { update: { key: keys.profile(userId), add: { postCount: -1 } }, conditions: [{ op: 'itemExists' }] },
    ]);
  } catch (error) {
    if (isPlazaError(error, 'TransactionCanceledException'))
      throw new PlazaError('NotFound', `No post ${postId}`);
    throw error;
  }
  let cursor: string | undefined;
  do {
    const page = await store.query({
      partition: partitions.post(id),
      limit: 100,
      ...(cursor ? { cursor } : {}),
    });
    await writeAll(
      store,
      page.items.map((child) => ({ delete: { PK: String(child.PK), SK: String(child.SK) } })),
    );
    cursor = page.cursor;
  } while (cursor);
  return toPost(item);
}
