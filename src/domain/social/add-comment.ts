import { isPlazaError, PlazaError } from '../../platform/errors.ts';
import { byTypeIndex, keys, ownedByIndex } from './keys.ts';
import {
  limits,
  requireText,
  requireUlid,
  requireUserId,
  toComment,
  type Comment,
  type SocialServices,
} from './model.ts';

/** Adds a comment and counts it on the post, in one transaction. */
export async function addComment(
  viewerId: string,
  postId: string,
  content: string,
  { store, clock, ids }: Pick<SocialServices, 'store' | 'clock' | 'ids'>,
): Promise<Comment> {
  const authorId = requireUserId(viewerId);
  const post = requireUlid(postId, 'postId');
  const text = requireText(content, 'content', limits.commentLength);
  const id = ids.ulid();
  const createdAt = new Date(clock.now()).toISOString();
  const item = {
    ...keys.comment(post, id),
    ...byTypeIndex('COMMENT', createdAt),
    ...ownedByIndex(authorId, `COMMENT#${post}#${id}`),
    id,
    postId: post,
    authorId,
    content: text,
    createdAt,
  };
  try {
    await store.transactWrite([
      { put: item, conditions: [{ op: 'itemNotExists' }] },
      { update: { key: keys.post(post), add: { commentCount: 1 } }, conditions: [{ op: 'itemExists' }] },
    ]);
  } catch (error) {
    if (isPlazaError(error, 'TransactionCanceledException'))
      throw new PlazaError('NotFound', `No post ${postId}`);
    throw error;
  }
  return toComment(item);
}
