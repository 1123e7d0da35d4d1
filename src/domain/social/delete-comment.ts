import { PlazaError } from '../../platform/errors.ts';
import type { Item } from '../../ports/item-store/item-store.ts';
import { keys } from './keys.ts';
import { requireUlid, requireUserId, toComment, type Comment, type SocialServices } from './model.ts';
import { writeTogether } from './write-together.ts';

/** Deletes a comment: its author or the post's author may. */
export async function deleteComment(
  viewerId: string,
  postId: string,
  commentId: string,
  services: Pick<SocialServices, 'store'>,
): Promise<Comment> {
  const userId = requireUserId(viewerId);
  const { comment, post } = await commentItems(postId, commentId, services);
  if (comment.authorId !== userId && post.authorId !== userId) {
    throw new PlazaError('Unauthorized', "Only the comment's author or the post's author can delete it");
  }
  await remove(comment, services);
  return toComment(comment);
}

/** Deletes a comment whoever wrote it: a moderator's removal (moderation/resolve-report.ts). */
export async function removeComment(
  postId: string,
  commentId: string,
  services: Pick<SocialServices, 'store'>,
): Promise<Comment> {
  const { comment } = await commentItems(postId, commentId, services);
  await remove(comment, services);
  return toComment(comment);
}

async function commentItems(postId: string, commentId: string, { store }: Pick<SocialServices, 'store'>) {
  const post = requireUlid(postId, 'postId');
  const id = requireUlid(commentId, 'commentId');
  const [{ item: comment }, { item: postItem }] = await Promise.all([
    store.get(keys.comment(post, id), { consistent: true }),
    store.get(keys.post(post), { consistent: true }),
  ]);
  if (!comment || !postItem) throw new PlazaError('NotFound', `No comment ${commentId} on post ${postId}`);
  return { comment, post: postItem };
}

async function remove(comment: Item, { store }: Pick<SocialServices, 'store'>): Promise<void> {
  const [post, id] = [String(comment.postId), String(comment.id)];
  await writeTogether(
    store,
    [
      { delete: keys.comment(post, id), conditions: [{ op: 'itemExists' }] },
      { update: { key: keys.post(post), add: { commentCount: -1 } }, conditions: [{ op: 'itemExists' }] },
    ],
    `No comment ${id}`,
  );
}
