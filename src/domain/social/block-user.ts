import { isPlazaError, PlazaError } from '../../platform/errors.ts';
import { getAll } from '../../ports/item-store/batch.ts';
import type { CancellationReason, Item, Key, TransactAction } from '../../ports/item-store/item-store.ts';
import { getProfile } from './get-profile.ts';
import { keys } from './keys.ts';
import type { Profile, SocialServices } from './model.ts';
import { relationItems, relationParties, removeRelation } from './relations.ts';

/** A follow that moved between our read and our write is read again, this many times. */
const ATTEMPTS = 3;

/**
 * Blocks a user: the block's two items, and the follows between the two users (either way)
 * removed with all four counts, in one transaction. Follows are refused while a block stands
 * (follow-user.ts checks it in its own transaction), so none can slip in after. Blocking again
 * changes nothing.
 */
export async function blockUser(
  viewerId: string,
  userId: string,
  services: Pick<SocialServices, 'store' | 'clock'>,
): Promise<Profile> {
  const [blocker, blocked] = relationParties(viewerId, userId, 'block');
  const { store, clock } = services;
  for (let attempt = 1; ; attempt++) {
    const found = await getAll(store, [
      keys.block(blocker, blocked),
      keys.following(blocker, blocked),
      keys.following(blocked, blocker),
    ]);
    const existing = found.find((item) => item.SK === keys.block(blocker, blocked).SK);
    const follows = found.filter((item) => item !== existing);
    if (existing && follows.length === 0) return getProfile(blocked, services);
    const createdAt = existing ? String(existing.createdAt) : new Date(clock.now()).toISOString();
    const actions: TransactAction[] = [
      ...relationItems('block', blocker, blocked, createdAt).map((item) => ({ put: item })),
      ...unfollowActions(follows, blocked),
    ];
    try {
      await store.transactWrite(actions);
      return await getProfile(blocked, services);
    } catch (error) {
      if (!isPlazaError(error, 'TransactionCanceledException')) throw error;
      const reasons = (error.details?.cancellationReasons ?? []) as CancellationReason[];
      const target = actions.findIndex((action) => 'check' in action || isProfileUpdate(action, blocked));
      if (reasons[target]?.code === 'ConditionalCheckFailed')
        throw new PlazaError('NotFound', `No user ${userId}`);
      if (attempt >= ATTEMPTS) throw error;
    }
  }
}

/** Takes a block back (the follows it removed stay removed); unblocking again changes nothing. */
export async function unblockUser(
  viewerId: string,
  userId: string,
  services: Pick<SocialServices, 'store'>,
): Promise<Profile> {
  const [blocker, blocked] = relationParties(viewerId, userId, 'block');
  const profile = await getProfile(blocked, services);
  await removeRelation('block', blocker, blocked, services);
  return profile;
}

/**
 * Deletes the follow edges found (each with its twin, conditioned on still being there) and moves
 * the counts; the blocked user's profile is updated or checked, so an unknown user is NotFound.
 */
function unfollowActions(follows: Item[], blocked: string): TransactAction[] {
  const actions: TransactAction[] = [];
  const counts = new Map<string, Record<string, number>>([[blocked, {}]]);
  const count = (userId: string, attribute: string) => {
    const add = counts.get(userId) ?? {};
    add[attribute] = (add[attribute] ?? 0) - 1;
    counts.set(userId, add);
  };
  for (const edge of follows) {
    const follower = String(edge.followerId);
    const followee = String(edge.followeeId);
    actions.push(
      { delete: keyOf(edge), conditions: [{ op: 'itemExists' }] },
      { delete: keys.follower(followee, follower), conditions: [{ op: 'itemExists' }] },
    );
    count(follower, 'followingCount');
    count(followee, 'followerCount');
  }
  for (const [userId, add] of counts) {
    const key = keys.profile(userId);
    actions.push(
      Object.keys(add).length > 0
        ? { update: { key, add }, conditions: [{ op: 'itemExists' }] }
        : { check: key, conditions: [{ op: 'itemExists' }] },
    );
  }
  return actions;
}

function isProfileUpdate(action: TransactAction, userId: string): boolean {
  return (
    'update' in action &&
    action.update.key.PK === keys.profile(userId).PK &&
    action.update.key.SK === 'PROFILE'
  );
}

const keyOf = (item: Item): Key => ({ PK: String(item.PK), SK: String(item.SK) });
