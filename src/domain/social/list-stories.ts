import type { Item } from '../../ports/item-store/item-store.ts';
import { idAfter, keys, partitions, sortPrefixes } from './keys.ts';
import { mutedUsers } from './relations.ts';
import { requireUserId, toStory, type SocialServices, type Story } from './model.ts';

/**
 * A user's live stories, oldest first (the order a viewer plays them in); none to a viewer the
 * user blocks (read beside them, in parallel).
 */
export async function listStories(
  userId: string,
  { store, clock }: Pick<SocialServices, 'store' | 'clock'>,
  viewerId?: string,
): Promise<Story[]> {
  const [{ items }, block] = await Promise.all([
    store.query({
      partition: partitions.user(requireUserId(userId)),
      sortKey: { op: 'beginsWith', value: sortPrefixes.story },
      limit: 100,
    }),
    viewerId && viewerId !== userId ? store.get(keys.block(userId, viewerId)) : undefined,
  ]);
  return block?.item ? [] : live(items, clock.now());
}

/** TTL deletion lags (DynamoDB's by up to days), so expiry is checked on every read. */
function live(items: Item[], now: number): Story[] {
  return items.map(toStory).filter((story) => Date.parse(story.expiresAt) > now);
}

export interface UserStories {
  userId: string;
  stories: Story[];
}

/** How many followed users' stories one storiesFeed reads, and how many at a time. */
const FEED_FOLLOWEES = 500;
const PARALLEL_READS = 16;

/**
 * The stories bar: the viewer's own stories first, then each followed user
 * with live stories (but those the viewer mutes), the most recent first.
 * One query per followed user, a bounded number at a time, and one for the
 * viewer's mutes.
 */
export async function storiesFeed(
  viewerId: string,
  services: Pick<SocialServices, 'store' | 'clock'>,
): Promise<UserStories[]> {
  const viewer = requireUserId(viewerId);
  const followees: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await services.store.query({
      partition: partitions.user(viewer),
      sortKey: { op: 'beginsWith', value: sortPrefixes.following },
      limit: 100,
      ...(cursor ? { cursor } : {}),
    });
    followees.push(...page.items.map((item) => idAfter(sortPrefixes.following, item.SK)));
    cursor = page.cursor;
  } while (cursor && followees.length < FEED_FOLLOWEES);
  const muted = await mutedUsers(viewer, services);
  const users = [viewer, ...followees.filter((id) => !muted.has(id)).slice(0, FEED_FOLLOWEES)];
  const result: UserStories[] = [];
  for (let i = 0; i < users.length; i += PARALLEL_READS) {
    const batch = users.slice(i, i + PARALLEL_READS);
    const stories = await Promise.all(batch.map((userId) => listStories(userId, services)));
    batch.forEach((userId, index) => {
      if (stories[index]!.length > 0) result.push({ userId, stories: stories[index]! });
    });
  }
  const [own, ...others] = result[0]?.userId === viewer ? result : [undefined, ...result];
  others.sort((a, b) => (b!.stories.at(-1)!.createdAt > a!.stories.at(-1)!.createdAt ? 1 : -1));
  return [...(own ? [own] : []), ...(others as UserStories[])];
}
