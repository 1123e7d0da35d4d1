import { isPlazaError } from '../../platform/errors.ts';
import { byTypeIndex, keys } from './keys.ts';
import { hiddenCount } from './relations.ts';
import { requireUserId, toProfile, type Profile, type SocialServices } from './model.ts';

/**
 * Creates a user's profile; the post-confirmation trigger calls it once the
 * user is confirmed. Running it twice (a retried trigger) changes nothing.
 */
export async function createProfile(
  input: { userId: string; email?: string },
  { store, clock }: Pick<SocialServices, 'store' | 'clock'>,
): Promise<Profile> {
  const userId = requireUserId(input.userId);
  const createdAt = new Date(clock.now()).toISOString();
  const item = {
    ...keys.profile(userId),
    ...byTypeIndex('USER', createdAt),
    id: userId,
    ...(input.email ? { email: input.email } : {}),
    followerCount: 0,
    followingCount: 0,
    postCount: 0,
    [hiddenCount]: 0,
    createdAt,
  };
  try {
    await store.put({ item, conditions: [{ op: 'itemNotExists' }] });
    return toProfile(item);
  } catch (error) {
    if (!isPlazaError(error, 'ConditionalCheckFailedException')) throw error;
    const existing = await store.get(keys.profile(userId), { consistent: true });
    return toProfile(existing.item ?? item);
  }
}
