import { getProfile } from './get-profile.ts';
import { keys } from './keys.ts';
import type { Profile, SocialServices } from './model.ts';
import { PlazaError } from '../../platform/errors.ts';
import {
  countedProfiles,
  relationCountActions,
  relationItems,
  relationParties,
  removeRelation,
} from './relations.ts';

/**
 * Mutes a user: their posts and stories leave the muter's home feed and stories bar, and nothing
 * else changes (follows, counts, what the muted user sees). Muting again changes nothing.
 */
export async function muteUser(
  viewerId: string,
  userId: string,
  services: Pick<SocialServices, 'store' | 'clock'>,
): Promise<Profile> {
  const [muter, muted] = relationParties(viewerId, userId, 'mute');
  const { store, clock } = services;
  const profile = await getProfile(muted, services);
  if ((await countedProfiles('mute', muter, muted, services)).length === 0)
    throw new PlazaError('NotFound', 'You have no profile yet');
  const createdAt = new Date(clock.now()).toISOString();
  // Conditional, so a repeated mute keeps the first one's time (listMuted shows it) and counts once.
  await store
    .transactWrite([
      ...relationItems('mute', muter, muted, createdAt).map((item) => ({
        put: item,
        conditions: [{ op: 'itemNotExists' as const }],
      })),
      ...relationCountActions('mute', muter, muted, 1),
    ])
    .catch(async (error: unknown) => {
      if (!(await store.get(keys.mute(muter, muted))).item) throw error;
    });
  return profile;
}

/** Takes a mute back; unmuting who is not muted changes nothing. */
export async function unmuteUser(
  viewerId: string,
  userId: string,
  services: Pick<SocialServices, 'store'>,
): Promise<Profile> {
  const [muter, muted] = relationParties(viewerId, userId, 'mute');
  const profile = await getProfile(muted, services);
  await removeRelation('mute', muter, muted, services);
  return profile;
}
