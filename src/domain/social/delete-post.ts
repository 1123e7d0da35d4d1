import { PlazaError } from '../../platform/errors.ts';
import type { Item } from '../../ports/item-store/item-store.ts';
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
  services: Pick<SocialServices, 'store'>,
): Promise<Post> {
  const userId = requireUserId(viewerId);
  const item = await postItem(postId, services);
  if (item.authorId !== userId) throw new PlazaError('Unauthorized', 'Only the author can delete a post');
  await remove(item, services);
  return toPost(item);
}

/** Deletes a post whoever its author: a moderator's removal (moderation/resolve-report.ts). */
export async function removePost(postId: string, services: Pick<SocialServices, 'store'>): Promise<Post> {
  const item = await postItem(postId, services);
  await remove(item, services);
  return toPost(item);
}

async function postItem(postId: string, { store }: Pick<SocialServices, 'store'>): Promise<Item> {
  const { item } = await store.get(keys.post(requireUlid(postId, 'postId')), { consistent: true });
  if (!item) throw new PlazaError('NotFound', `No post ${postId}`);
  return item;
}

async function remove(item: Item, { store }: Pick<SocialServices, 'store'>): Promise<void> {
  const [id, authorId] = [String(item.id), String(item.authorId)];
  await writeTogether(
    store,
    [
      { delete: keys.post(id), conditions: [{ op: '=', attribute: 'authorId', value: authorId }] },
      { delete: keys.userPost(authorId, id) },
      { update: { key: keys.profile(authorId), add: { postCount: -1 } }, conditions: [{ op: 'itemExists' }] },
    ],
    `No post ${id}`,
  );
}
