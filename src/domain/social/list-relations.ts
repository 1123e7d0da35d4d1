import { getProfiles } from './get-profile.ts';
import { idAfter, partitions, sortPrefixes } from './keys.ts';
import { queryPage, requireUserId, type Page, type Profile, type SocialServices } from './model.ts';
import type { Relation } from './relations.ts';

/** Whom the viewer blocks (`block`) or mutes (`mute`), with their profiles; nobody else can read it. */
export async function listRelations(
  viewerId: string,
  relation: Relation,
  options: { limit?: number; cursor?: string },
  services: Pick<SocialServices, 'store'>,
): Promise<Page<Profile>> {
  const prefix = relation === 'block' ? sortPrefixes.block : sortPrefixes.mute;
  const page = await queryPage(
    services.store,
    { partition: partitions.user(requireUserId(viewerId)), prefix },
    options,
  );
  const ids = page.items.map((item) => idAfter(prefix, item.SK));
  return { items: await getProfiles(ids, services), cursor: page.cursor };
}
