/**
 * The authors above the fan-out limit, whose posts every home-feed read merges
 * in. Their list is one partition (`LARGE_AUTHORS`) that every feed read would
 * otherwise query: on DynamoDB a hot partition, which serves about 3,000 reads
 * a second. The list only grows, and seldom, so each process keeps it for a
 * few seconds. This process forgets it when it adds an author; another
 * process's addition shows within the TTL, so a newly large author's next
 * posts reach feeds up to that much later, as fanned-out posts reach them
 * after the change stream carries them.
 */
import type { ItemStore } from '../../ports/item-store/item-store.ts';
import { pages } from '../../ports/item-store/pages.ts';
import { keys, partitions } from './keys.ts';
import type { SocialServices } from './model.ts';

/** How long a process trusts the list it read. */
export const largeAuthorsTtlMs = 5_000;

/** By store, so that two apps in one process (tests, the benchmarks) keep apart. */
const cached = new WeakMap<ItemStore, { ids: Promise<string[]>; expires: number }>();

/** The large authors' ids: read at most once per TTL, concurrent readers sharing the read. */
export function largeAuthorIds({ store, clock }: Pick<SocialServices, 'store' | 'clock'>): Promise<string[]> {
  const now = clock.now();
  const known = cached.get(store);
  if (known && known.expires > now) return known.ids;
  const ids = readAll(store);
  cached.set(store, { ids, expires: now + largeAuthorsTtlMs });
  // A failed read is not kept: the next reader tries again.
  ids.catch(() => cached.delete(store));
  return ids;
}

/** Every large author, page by page: one left out would vanish from its followers' feeds. */
async function readAll(store: ItemStore): Promise<string[]> {
  const ids: string[] = [];
  for await (const page of pages(store, { partition: partitions.largeAuthors }))
    for (const item of page) ids.push(String(item.userId));
  return ids;
}

/** Marks an author large (idempotent), and this process reads the list afresh. */
export async function addLargeAuthor(
  userId: string,
  { store }: Pick<SocialServices, 'store'>,
): Promise<void> {
  await store.put({ item: { ...keys.largeAuthor(userId), userId } });
  cached.delete(store);
}
