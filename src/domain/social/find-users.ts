import { PlazaError } from '../../platform/errors.ts';
import { keys, usersByNamePartition } from './keys.ts';
import { getProfiles } from './get-profile.ts';
import { hiddenAuthors } from './relations.ts';
import { queryPage, type Page, type Profile, type SocialServices } from './model.ts';

/** A user by username, through the unique claim item (case does not matter). */
export async function getUserByUsername(
  username: string,
  services: Pick<SocialServices, 'store'>,
): Promise<Profile | undefined> {
  if (typeof username !== 'string' || username.length === 0 || username.length > 30) return undefined;
  const { item } = await services.store.get(keys.usernameClaim(username));
  if (!item) return undefined;
  return (await getProfiles([String(item.userId)], services))[0];
}

/**
 * Users whose username starts with `prefix`, through the sharded GSI2 (keys only), then one batch
 * read; with a viewer, one more for the ones they block, who are left out.
 */
export async function searchUsers(
  prefix: string,
  options: { limit?: number; cursor?: string },
  services: Pick<SocialServices, 'store'>,
  viewerId?: string,
): Promise<Page<Profile>> {
  const lower = typeof prefix === 'string' ? prefix.trim().toLowerCase() : '';
  if (!/^[a-z0-9_.]{1,30}$/.test(lower))
    throw new PlazaError('BadInput', 'prefix must be 1-30 letters, digits, "_" or "."');
  const page = await queryPage(
    services.store,
    { index: 'GSI2', partition: usersByNamePartition(lower), prefix: lower },
    options,
  );
  const ids = page.items.map((item) => String(item.PK).slice('USER#'.length));
  const hidden = viewerId ? await hiddenAuthors(viewerId, ids, services) : new Set<string>();
  return {
    items: await getProfiles(
      ids.filter((id) => !hidden.has(id)),
      services,
    ),
    cursor: page.cursor,
  };
}
