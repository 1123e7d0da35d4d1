import { isPlazaError, PlazaError } from '../../platform/errors.ts';
import { getAll } from '../../ports/item-store/batch.ts';
import type { CancellationReason, Item, Key, TransactAction } from '../../ports/item-store/item-store.ts';
import { getProfile } from './get-profile.ts';
import { keys } from './keys.ts';
import type { Profile, SocialServices } from './model.ts';
import {
  ensureHiddenCounts,
  hiddenCount,
  relationItems,
  relationParties,
  removeRelation,
} from './relations.ts';

/** A follow that moved between our read and our write is read again, this many times. */
const ATTEMPTS = 3;

/**
 * Blocks a user: the block's two items with both users' `hiddenCount`, and the follows between
 * the two users (either way) removed with all four counts, in one transaction. Follows are refused while a block stands
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
      keys.profile(blocker),
      keys.profile(blocked),
    ]);
    const profiles = found.filter((item) => item.SK === 'PROFILE');
    if (!profiles.some((profile) => profile.id === blocked))
      throw new PlazaError('NotFound', `No user ${userId}`);
    if (!profiles.some((profile) => profile.id === blocker))
      throw new PlazaError('NotFound', 'You have no profile yet');
    const existing = found.find((item) => item.SK === keys.block(blocker, blocked).SK);
    const follows = found.filter((item) => item !== existing && item.SK !== 'PROFILE');
    if (existing && follows.length === 0) return getProfile(blocked, services);
    if (!existing) await ensureHiddenCounts(profiles, services);
    const createdAt = existing ? String(existing.createdAt) : new Date(clock.now()).toISOString();
    const actions: TransactAction[] = [
      ...relationItems('block', blocker, blocked, createdAt).map((item, i) => ({
        put: item,
        // A block written by another request meanwhile: read again, and count it once.
        ...(i === 0 && !existing ? { conditions: [{ op: 'itemNotExists' as const }] } : {}),
      })),
      ...profileActions(follows, blocker, blocked, !existing),
    ];
    try {
      await store.transactWrite(actions);
      return await getProfile(blocked, services);
    } catch (error) {
      if (!isPlazaError(error, 'TransactionCanceledException')) throw error;
      const reasons = (error.details?.cancellationReasons ?? []) as CancellationReason[];
      const target = actions.findIndex((action) => isProfileWrite(action, blocked));
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
 * the counts: follows, and for a new block both users' `hiddenCount`. The blocked user's profile is
 * updated or checked, so a user gone meanwhile is NotFound.
 */
function profileActions(
  follows: Item[],
  blocker: string,
  blocked: string,
  newBlock: boolean,
): TransactAction[] {
  const actions: TransactAction[] = [];
  const counts = new Map<string, Record<string, number>>([
    [blocked, newBlock ? { [hiddenCount]: 1 } : {}],
    ...(newBlock ? [[blocker, { [hiddenCount]: 1 }] as const] : []),
  ]);
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
    const condition =
      hiddenCount in add
        ? ({ op: 'attributeExists', attribute: hiddenCount } as const)
        : ({ op: 'itemExists' } as const);
    actions.push(
      Object.keys(add).length > 0
        ? { update: { key, add }, conditions: [condition] }
        : { check: key, conditions: [condition] },
    );
  }
  return actions;
}

function isProfileWrite(action: TransactAction, userId: string): boolean {
  const key = 'update' in action ? action.update.key : 'check' in action ? action.check : undefined;
  return key?.PK === keys.profile(userId).PK && key.SK === 'PROFILE';
}

const keyOf = (item: Item): Key => ({ PK: String(item.PK), SK: String(item.SK) });
