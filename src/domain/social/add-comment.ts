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
import { getPost } from './get-post.ts';
import { blockedError, notBlockedBy } from './relations.ts';
import { writeTogether } from './write-together.ts';

/**
 * Adds a comment and counts it on the post, in one transaction; never on the post of someone who
 * blocks the commenter.
 */
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
  const { authorId: ownerId } = await getPost(post, { store });
  await writeTogether(
    store,
    [
      { put: item, conditions: [{ op: 'itemNotExists' }] },
      { update: { key: keys.post(post), add: { commentCount: 1 } }, conditions: [{ op: 'itemExists' }] },
      notBlockedBy(ownerId, authorId),
    ],
    `No post ${postId}`,
    (reasons) =>
      reasons[2]?.code === 'ConditionalCheckFailed' ? blockedError('comment on this post') : undefined,
  );
  return toComment(item);
}
