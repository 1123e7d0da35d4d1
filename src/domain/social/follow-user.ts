import { isPlazaError, PlazaError } from '../../platform/errors.ts';
import type { CancellationReason } from '../../ports/item-store/item-store.ts';
import { keys } from './keys.ts';
import { getProfile } from './get-profile.ts';
import { addLargeAuthor } from './large-authors.ts';
import { requireUserId, type Profile, type SocialServices } from './model.ts';
import { blockedError, notBlockedBy } from './relations.ts';

/**
 * Follows (or unfollows) a user: both edges and both counters in one
 * transaction. Repeating it changes nothing; following oneself, or across a block, is refused.
 */
export async function followUser(
  viewerId: string,
  userId: string,
  services: Pick<SocialServices, 'store' | 'clock' | 'settings'>,
): Promise<Profile> {
  return changeFollow(viewerId, userId, true, services);
}

export async function unfollowUser(
  viewerId: string,
  userId: string,
  services: Pick<SocialServices, 'store' | 'clock' | 'settings'>,
): Promise<Profile> {
  return changeFollow(viewerId, userId, false, services);
}

async function changeFollow(
  viewerId: string,
  targetId: string,
  follow: boolean,
  services: Pick<SocialServices, 'store' | 'clock' | 'settings'>,
): Promise<Profile> {
  const follower = requireUserId(viewerId);
  const followee = requireUserId(targetId);
  if (follower === followee) throw new PlazaError('BadInput', 'You cannot follow yourself');
  const { store, clock } = services;
  const createdAt = new Date(clock.now()).toISOString();
  const delta = follow ? 1 : -1;
  const edge = (key: { PK: string; SK: string }) =>
    follow
      ? {
          put: { ...key, followerId: follower, followeeId: followee, createdAt },
          conditions: [{ op: 'itemNotExists' as const }],
        }
      : { delete: key, conditions: [{ op: 'itemExists' as const }] };
  try {
    await store.transactWrite([
      edge(keys.follower(followee, follower)),
      edge(keys.following(follower, followee)),
      {
        update: { key: keys.profile(followee), add: { followerCount: delta } },
        conditions: [{ op: 'itemExists' }],
      },
      {
        update: { key: keys.profile(follower), add: { followingCount: delta } },
        conditions: [{ op: 'itemExists' }],
      },
      // Checked in the same transaction, so a block written meanwhile cannot be followed past.
      ...(follow ? [notBlockedBy(followee, follower), notBlockedBy(follower, followee)] : []),
    ]);
  } catch (error) {
    if (!isPlazaError(error, 'TransactionCanceledException')) throw error;
    const reasons = (error.details?.cancellationReasons ?? []) as CancellationReason[];
    if (reasons[2]?.code === 'ConditionalCheckFailed')
      throw new PlazaError('NotFound', `No user ${targetId}`);
    if (reasons[3]?.code === 'ConditionalCheckFailed')
      throw new PlazaError('NotFound', 'You have no profile yet');
    if (reasons[4]?.code === 'ConditionalCheckFailed') throw blockedError('follow this user');
    if (reasons[5]?.code === 'ConditionalCheckFailed')
      throw new PlazaError('BadInput', 'You have blocked this user: unblock them to follow them');
    // Already following (or not following): nothing to do.
    if (reasons[0]?.code !== 'ConditionalCheckFailed') throw error;
  }
  const profile = await getProfile(followee, services);
  if (follow && profile.followerCount >= services.settings.fanOutFollowerLimit) {
    await addLargeAuthor(followee, services);
  }
  return profile;
}
