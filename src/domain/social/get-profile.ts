import { PlazaError } from '../../platform/errors.ts';
import { getAll } from '../../ports/item-store/batch.ts';
import { keys } from './keys.ts';
import { requireUserId, toProfile, type Profile, type SocialServices } from './model.ts';

export async function getProfile(userId: string, { store }: Pick<SocialServices, 'store'>): Promise<Profile> {
  const { item } = await store.get(keys.profile(requireUserId(userId)));
  if (!item) throw new PlazaError('NotFound', `No user ${userId}`);
  return toProfile(item);
}

/** Profiles of many users at once (one batch read per 100), in the order asked; missing users are left out. */
export async function getProfiles(
  userIds: string[],
  { store }: Pick<SocialServices, 'store'>,
): Promise<Profile[]> {
  if (userIds.length === 0) return [];
  const items = await getAll(store, userIds.map(keys.profile));
  const byId = new Map(items.map((item) => [String(item.id), toProfile(item)]));
  return userIds.map((id) => byId.get(id)).filter((profile) => profile !== undefined);
}
