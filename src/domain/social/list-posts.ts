import { getAll } from '../../ports/item-store/batch.ts';
import { PlazaError } from '../../platform/errors.ts';
import { idAfter, keys, partitions, postsByTimePartition, sortPrefixes } from './keys.ts';
import { getProfiles } from './get-profile.ts';
import {
  pageSize,
  queryPage,
  requireUlid,
  requireUserId,
  toPost,
  type Page,
  type Post,
  type Profile,
  type SocialServices,
} from './model.ts';

/** Posts by id, in the order given; ids of posts gone are left out. */
export async function postsById(ids: string[], services: Pick<SocialServices, 'store'>): Promise<Post[]> {
  const items = await getAll(services.store, ids.map(keys.post));
  const byId = new Map(items.map((item) => [String(item.id), toPost(item)]));
  return ids.map((id) => byId.get(id)).filter((post) => post !== undefined);
}

/** A user's posts, newest first; none to a viewer the user blocks (read beside the page, in parallel). */
export async function listPostsByUser(
  userId: string,
  options: { limit?: number; cursor?: string },
  services: Pick<SocialServices, 'store'>,
  viewerId?: string,
): Promise<Page<Post>> {
  const [page, block] = await Promise.all([
    queryPage(
      services.store,
      { partition: partitions.user(requireUserId(userId)), prefix: sortPrefixes.post, descending: true },
      options,
    ),
    viewerId && viewerId !== userId ? services.store.get(keys.block(userId, viewerId)) : undefined,
  ]);
  if (block?.item) return { items: [], cursor: undefined };
  return {
    items: await postsById(
      page.items.map((item) => String(item.postId)),
      services,
    ),
    cursor: page.cursor,
  };
}

/** Who liked a post. */
export async function listLikes(
  postId: string,
  options: { limit?: number; cursor?: string },
  services: Pick<SocialServices, 'store'>,
): Promise<Page<Profile>> {
  const page = await queryPage(
    services.store,
    { partition: partitions.post(requireUlid(postId, 'postId')), prefix: sortPrefixes.like },
    options,
  );
  const ids = page.items.map((item) => idAfter(sortPrefixes.like, item.SK));
  return { items: await getProfiles(ids, services), cursor: page.cursor };
}

const daysSearched = 30;

/**
 * Everyone's newest posts, from GSI1's one-partition-per-day shards: today's,
 * then earlier days until the page is full (at most 30 days back). The cursor
 * is the last post's GSI1 sort key, which also names its day.
 */
export async function recentPosts(
  options: { limit?: number; cursor?: string },
  services: Pick<SocialServices, 'store' | 'clock'>,
): Promise<Page<Post>> {
  const limit = pageSize(options.limit);
  const after = options.cursor;
  if (after !== undefined && !/^\d{4}-\d{2}-\d{2}T[\d:.]+Z#[0-9A-Z]{26}$/.test(after)) {
    throw new PlazaError('BadInput', 'Invalid cursor');
  }
  let day = new Date(after ? after.slice(0, 10) : new Date(services.clock.now()).toISOString().slice(0, 10));
  const ids: string[] = [];
  let last: string | undefined;
  for (let searched = 0; searched < daysSearched && ids.length < limit; searched++) {
    const iso = day.toISOString();
    const page = await services.store.query({
      index: 'GSI1',
      partition: postsByTimePartition(iso),
      ...(after && after.startsWith(iso.slice(0, 10)) ? { sortKey: { op: '<' as const, value: after } } : {}),
      descending: true,
      limit: limit - ids.length,
    });
    for (const item of page.items) {
      ids.push(String(item.id));
      last = String(item.GSI1SK);
    }
    day = new Date(day.getTime() - 24 * 3600 * 1000);
  }
  return { items: await postsById(ids, services), cursor: ids.length === limit ? last : undefined };
}
