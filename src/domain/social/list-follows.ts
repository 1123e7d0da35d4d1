import { idAfter, partitions, sortPrefixes } from './keys.ts';
import { getProfiles } from './get-profile.ts';
import { queryPage, requireUserId, type Page, type Profile, type SocialServices } from './model.ts';

/** Who follows a user (`followers`) or whom a user follows (`following`), with their profiles. */
export async function listFollows(
  userId: string,
  direction: 'followers' | 'following',
  options: { limit?: number; cursor?: string },
  services: Pick<SocialServices, 'store'>,
): Promise<Page<Profile>> {
  const prefix = direction === 'followers' ? sortPrefixes.follower : sortPrefixes.following;
  const page = await queryPage(
    services.store,
    { partition: partitions.user(requireUserId(userId)), prefix },
    options,
  );
  const ids = page.items.map((item) => idAfter(prefix, item.SK));
  return { items: await getProfiles(ids, services), cursor: page.cursor };
}
