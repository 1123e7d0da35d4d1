import { isPlazaError } from '../../platform/errors.ts';
import { writeAll } from '../../ports/item-store/batch.ts';
import type { Condition, Item, Key, TransactAction } from '../../ports/item-store/item-store.ts';
import { pages } from '../../ports/item-store/pages.ts';
import { keyId } from '../../ports/item-store/rules.ts';
import { idAfter, keys, ownedByPartition, partitions, sortPrefixes } from '../social/keys.ts';
import { countsAsHidden, hiddenCount, relationTwin } from '../social/relations.ts';
import { deleteObjects, eraseMedia } from './erase-media.ts';
import { cascadeConcurrency, inParallel, type Erased, type PrivacyServices } from './model.ts';

const keyOf = (item: Item): Key => ({ PK: String(item.PK), SK: String(item.SK) });

/** Where a user's objects live: the design's two trees, and the data exports. */
export const userObjectPrefixes = (userId: string) => [
  `users/${userId}/`,
  `stories/${userId}/`,
  `exports/${userId}/`,
];

/** An item that someone else's counter counts (a like, a comment, a follow edge), with its twins. */
interface Counted {
  item: Key;
  /** Items that go with it (the other side of a follow). */
  also: Key[];
  counter: { key: Key; attribute: string; condition?: Condition };
}

/** Counted items per transaction: each is one or two deletes, and each counter one update (≤ 100 actions). */
const COUNTED_PER_TRANSACTION = 30;

/**
 * Removes one counted item and the count with it, in one transaction. Idempotent: an item
 * already gone changes no count. When the counted item (a post, a profile) is gone too, only
 * the item goes.
 */
async function uncount(services: Pick<PrivacyServices, 'store'>, { item, also, counter }: Counted) {
  const actions: TransactAction[] = [
    { delete: item, conditions: [{ op: 'itemExists' }] },
    ...also.map((key) => ({ delete: key })),
    {
      update: { key: counter.key, add: { [counter.attribute]: -1 } },
      conditions: [counter.condition ?? { op: 'itemExists' }],
    },
  ];
  try {
    await services.store.transactWrite(actions);
  } catch (error) {
    if (!isPlazaError(error, 'TransactionCanceledException')) throw error;
    const reasons = (error.details?.cancellationReasons ?? []) as { code: string }[];
    if (reasons[0]?.code === 'ConditionalCheckFailed') {
      // The item is gone (an earlier attempt): its twins may not be.
      if (also.length > 0)
        await writeAll(
          services.store,
          also.map((key) => ({ delete: key })),
        );
      return;
    }
    if (reasons.at(-1)?.code === 'ConditionalCheckFailed') {
      await writeAll(
        services.store,
        [item, ...also].map((key) => ({ delete: key })),
      );
      return;
    }
    throw error;
  }
}

/**
 * Removes counted items a group at a time: one transaction holds a group's items and each of
 * their counters once, moved by the group's total (a transaction names an item at most once).
 * A group that cannot commit whole — an item gone already (a retried cascade), a counted post
 * or profile gone, a conflicting write — is done one item at a time, as `uncount` does.
 */
async function uncountAll(services: Pick<PrivacyServices, 'store'>, all: Counted[]): Promise<void> {
  const groups: Counted[][] = [];
  for (let i = 0; i < all.length; i += COUNTED_PER_TRANSACTION)
    groups.push(all.slice(i, i + COUNTED_PER_TRANSACTION));
  await inParallel(groups, cascadeConcurrency, async (group) => {
    const counters = new Map<string, { key: Key; add: Record<string, number>; conditions: Condition[] }>();
    for (const { counter } of group) {
      const entry = counters.get(keyId(counter.key)) ?? { key: counter.key, add: {}, conditions: [] };
      entry.add[counter.attribute] = (entry.add[counter.attribute] ?? 0) - 1;
      const condition = counter.condition ?? { op: 'itemExists' };
      if (!entry.conditions.some((known) => JSON.stringify(known) === JSON.stringify(condition)))
        entry.conditions.push(condition);
      counters.set(keyId(counter.key), entry);
    }
    const actions: TransactAction[] = [
      ...group.flatMap(({ item, also }) => [
        { delete: item, conditions: [{ op: 'itemExists' as const }] },
        ...also.map((key) => ({ delete: key })),
      ]),
      ...[...counters.values()].map(({ conditions, ...update }) => ({ update, conditions })),
    ];
    try {
      await services.store.transactWrite(actions);
    } catch (error) {
      if (!isPlazaError(error, 'TransactionCanceledException')) throw error;
      for (const counted of group) await uncount(services, counted);
    }
  });
}

/**
 * What goes with an item of the user's partition that is not a post or follow: a block or mute
 * with its twin in the other user's partition (and the other user's `hiddenCount` when it counts
 * it), a report against the user with the report. Stories' media goes with the story's REMOVE
 * record; anything else goes as it is.
 */
function otherErasure(userId: string, item: Item): Key[] | Counted {
  const sk = String(item.SK);
  if (sk.startsWith(sortPrefixes.reported))
    return [keyOf(item), keys.report(idAfter(sortPrefixes.reported, sk))];
  const twin = relationTwin(userId, sk);
  if (!twin || !countsAsHidden(twin.SK)) return [keyOf(item), ...(twin ? [twin] : [])];
  return {
    item: keyOf(item),
    also: [twin],
    counter: {
      key: keys.profile(idAfter('USER#', twin.PK)),
      attribute: hiddenCount,
      // A profile counted before the count existed has none to move.
      condition: { op: 'attributeExists', attribute: hiddenCount },
    },
  };
}

/**
 * Erases a closed account (its profile already removed by delete-account.ts): posts (their
 * likes, comments and media follow from each post's REMOVE record), follows in both directions
 * with the other users' counts, blocks and mutes in both directions, stories, exports, the user's
 * likes and comments on others' posts with those posts' counts, media and uploads, the home feed,
 * and every object under the user's prefixes. Each step is idempotent, so a cascade cut short by a crash is run again from
 * its record and completes.
 */
export async function eraseAccount(
  userId: string,
  services: PrivacyServices,
  progress?: (erased: Erased) => void,
): Promise<Erased> {
  const { store } = services;
  const erased: Erased = { items: 0, objects: 0 };
  const report = (items: number, objects = 0) => {
    erased.items += items;
    erased.objects += objects;
    progress?.(erased);
  };

  for await (const items of pages(store, { partition: partitions.user(userId), limit: 200 })) {
    const plain: Key[] = [];
    const counted: Counted[] = [];
    for (const item of items) {
      const sk = String(item.SK);
      if (sk.startsWith(sortPrefixes.post)) {
        plain.push(keys.post(idAfter(sortPrefixes.post, sk)), keyOf(item));
      } else if (sk.startsWith(sortPrefixes.follower)) {
        const other = idAfter(sortPrefixes.follower, sk);
        counted.push({
          item: keyOf(item),
          also: [keys.following(other, userId)],
          counter: { key: keys.profile(other), attribute: 'followingCount' },
        });
      } else if (sk.startsWith(sortPrefixes.following)) {
        const other = idAfter(sortPrefixes.following, sk);
        counted.push({
          item: keyOf(item),
          also: [keys.follower(other, userId)],
          counter: { key: keys.profile(other), attribute: 'followerCount' },
        });
      } else {
        const erasure = otherErasure(userId, item);
        if ('counter' in erasure) counted.push(erasure);
        else plain.push(...erasure);
      }
    }
    await writeAll(
      store,
      plain.map((key) => ({ delete: key })),
      { concurrency: 4 },
    );
    await uncountAll(services, counted);
    report(plain.length + counted.length * 2);
  }

  for await (const items of pages(store, {
    index: 'GSI1',
    partition: ownedByPartition(userId),
    limit: 200,
  })) {
    const media = items.filter((item) => String(item.GSI1SK).startsWith('MEDIA#'));
    await inParallel(media, cascadeConcurrency, async (item) => {
      // The account's folders are invalidated at the end, in three paths for all its media.
      const erasedMedia = await eraseMedia(String(item.key), services, { invalidate: false });
      report(erasedMedia.items, erasedMedia.objects);
    });
    // Reports the user made, with their twins in the reported users' partitions.
    const reports = items.filter((item) => String(item.GSI1SK).startsWith('REPORT#'));
    await writeAll(
      store,
      reports.flatMap((item) => [
        { delete: keyOf(item) },
        { delete: keys.reported(String(item.userId), String(item.id)) },
      ]),
    );
    // Likes and comments, with the counts on the posts they were on.
    const counted = items
      .filter((item) => !['MEDIA#', 'REPORT#'].some((prefix) => String(item.GSI1SK).startsWith(prefix)))
      .map((item) => ({
        item: keyOf(item),
        also: [],
        counter: {
          key: keys.post(String(item.postId)),
          attribute: String(item.GSI1SK).startsWith('LIKE#') ? 'likeCount' : 'commentCount',
        },
      }));
    await uncountAll(services, counted);
    await services.forget?.([
      ...new Set(counted.map(({ counter }) => `Post:${idAfter('POST#', counter.key.PK)}`)),
    ]);
    report(counted.length + reports.length * 2);
  }

  for await (const items of pages(store, { partition: partitions.feed(userId), limit: 500 })) {
    await writeAll(
      store,
      items.map((item) => ({ delete: keyOf(item) })),
      { concurrency: 4 },
    );
    report(items.length);
  }
  await store.delete({ key: keys.largeAuthor(userId) });

  // Objects no item pointed at any more (an upload never used, a crash between two steps).
  for (const prefix of userObjectPrefixes(userId)) report(0, await deleteObjects(prefix, services));
  await services.cdn.invalidate(userObjectPrefixes(userId).map((prefix) => `${prefix}*`));
  await services.forget?.([`User:${userId}`]);
  return erased;
}
