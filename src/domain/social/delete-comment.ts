import { PlazaError } from '../../platform/errors.ts';
import { keys } from './keys.ts';
import { requireUlid, requireUserId, toComment, type Comment, type SocialServices } from './model.ts';
import { writeTogether } from './write-together.ts';

/** Deletes a comment: its author or the post's author may. */
export async function deleteComment(
  viewerId: string,
  postId: string,
  commentId: string,
  { store }: Pick<SocialServices, 'store'>,
): Promise<Comment> {
  const userId = requireUserId(viewerId);
  const post = requireUlid(postId, 'postId');
  const id = requireUlid(commentId, 'commentId');
  const [{ item: comment }, { item: postItem }] = await Promise.all([
    store.get(keys.comment(post, id), { consistent: true }),
    store.get(keys.post(post), { consistent: true }),
  ]);
  if (!comment || !postItem) throw new PlazaError('NotFound', `No comment ${commentId} on post ${postId}`);
  if (comment.authorId !== userId && postItem.authorId !== userId) {
    throw new PlazaError('Unauthorized', "Only the comment's author or the post's author can delete it");
  }
  await writeTogether(
    store,
    [
      { delete: keys.comment(post, id), conditions: [{ op: 'itemExists' }] },
      { update: { key: keys.post(post), add: { commentCount: -1 } }, conditions: [{ op: 'itemExists' }] },
    ],
    `No comment ${commentId}`,
  );
  return toComment(comment);
}
