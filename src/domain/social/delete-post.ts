import { PlazaError } from '../../platform/errors.ts';
import { keys } from './keys.ts';
import { requireUlid, requireUserId, toPost, type Post, type SocialServices } from './model.ts';
import { writeTogether } from './write-together.ts';

/**
 * Deletes a post (its author only). The post, its entry in the author's list
 * and the count go in one transaction; the rest (likes, comments, media,
 * cached answers) is erased from the post's REMOVE record on the change stream
 * (privacy/erase-post.ts), and followers' feed entries by the feed fan-out.
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
  if (item.authorId !== userId) throw new PlazaError('Unauthorized', 'Only the author can delete a post');
  await writeTogether(
    store,
    [
      { delete: keys.post(id), conditions: [{ op: '=', attribute: 'authorId', value: userId }] },
      { delete: keys.userPost(userId, id) },
      { update: { key: keys.profile(userId), add: { postCount: -1 } }, conditions: [{ op: 'itemExists' }] },
    ],
    `No post ${postId}`,
  );
  return toPost(item);
}
