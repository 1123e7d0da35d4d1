import { isPlazaError, PlazaError } from '../../platform/errors.ts';
import type { CancellationReason } from '../../ports/item-store/item-store.ts';
import { keys, ownedByIndex } from './keys.ts';
import { getPost } from './get-post.ts';
import { requireUlid, requireUserId, type Post, type SocialServices } from './model.ts';
import { blockedError, notBlockedBy } from './relations.ts';

function reasonsOf(error: unknown): CancellationReason[] {
  return (
    (error as { details?: { cancellationReasons?: CancellationReason[] } }).details?.cancellationReasons ?? []
  );
}

/**
 * Likes a post: the like item (put-if-absent) and the counter move together in
 * one transaction, so a hot post never loses or double-counts a like, and a
 * repeated like changes nothing.
 */
export async function likePost(
  viewerId: string,
  postId: string,
  services: Pick<SocialServices, 'store' | 'clock'>,
): Promise<Post> {
  return toggleLike(viewerId, postId, true, services);
}

/** Takes a like back; unliking what was not liked changes nothing. */
export async function unlikePost(
  viewerId: string,
  postId: string,
  services: Pick<SocialServices, 'store' | 'clock'>,
): Promise<Post> {
  return toggleLike(viewerId, postId, false, services);
}

async function toggleLike(
  viewerId: string,
  postId: string,
  like: boolean,
  services: Pick<SocialServices, 'store' | 'clock'>,
): Promise<Post> {
  const userId = requireUserId(viewerId);
  const id = requireUlid(postId, 'postId');
  const likeKey = keys.like(id, userId);
  // Whose post it is decides whether a block stands in the way (a like only: an unlike is always allowed).
  const authorId = like ? (await getPost(id, services)).authorId : undefined;
  try {
    await services.store.transactWrite([
      like
        ? {
            put: {
              ...likeKey,
              ...ownedByIndex(userId, `LIKE#${id}`),
              userId,
              postId: id,
              createdAt: new Date(services.clock.now()).toISOString(),
            },
            conditions: [{ op: 'itemNotExists' }],
          }
        : { delete: likeKey, conditions: [{ op: 'itemExists' }] },
      {
        update: { key: keys.post(id), add: { likeCount: like ? 1 : -1 } },
        conditions: [{ op: 'itemExists' }],
      },
      ...(authorId ? [notBlockedBy(authorId, userId)] : []),
    ]);
  } catch (error) {
    if (!isPlazaError(error, 'TransactionCanceledException')) throw error;
    const [edge, post, block] = reasonsOf(error);
    if (post?.code === 'ConditionalCheckFailed') throw new PlazaError('NotFound', `No post ${postId}`);
    if (block?.code === 'ConditionalCheckFailed') throw blockedError('like this post');
    // Already liked (or not liked): nothing to do. Anything else (a conflict) is retryable.
    if (edge?.code !== 'ConditionalCheckFailed') throw error;
  }
  return getPost(id, services);
}
