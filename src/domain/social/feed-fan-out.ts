/**
 * The home feed's writer: a change-stream consumer (the same function runs as
 * the DynamoDB-stream Lambda at scale). Fan-out on write puts a new post into
 * each follower's `FEED#` partition; authors with more followers than the
 * limit are skipped and merged in at read time (see home-feed.ts). Following
 * someone copies their recent posts in; unfollowing takes them out.
 *
 * Delivery is at-least-once, so every step is idempotent: puts of the same
 * entry and deletes of absent ones change nothing.
 *
 * Each record acted on is logged with its stream ids (eventID, sequence
 * number) and the item's id, which the request that wrote the item logged too.
 */
import type { Logger } from '../../platform/logger.ts';
import { writeAll } from '../../ports/item-store/batch.ts';
import type { BatchWriteRequest, Item, StreamRecord } from '../../ports/item-store/item-store.ts';
import { newImage, oldImage, recordKey } from '../../ports/item-store/stream-images.ts';
import { pages } from '../../ports/item-store/pages.ts';
import { idAfter, keys, partitions, sortPrefixes } from './keys.ts';
import type { SocialServices } from './model.ts';

const feedEntryLifetimeSeconds = 90 * 24 * 3600;
/** Batch writes in flight for one post's followers: 100 entries at a time (one SQLite commit). */
const fanOutConcurrency = 4;

function feedEntry(
  ownerId: string,
  post: { id: string; authorId: string; createdAt: string },
  nowMs: number,
): Item {
  return {
    ...keys.feedEntry(ownerId, post.id),
    postId: post.id,
    authorId: post.authorId,
    createdAt: post.createdAt,
    // Entries age out, so the feeds of users who never read do not grow for ever.
    ttl: Math.floor(nowMs / 1000) + feedEntryLifetimeSeconds,
  };
}

export async function fanOutFeed(
  records: StreamRecord[],
  services: Pick<SocialServices, 'store' | 'clock' | 'settings'>,
  logger?: Logger,
): Promise<void> {
  for (const record of records) {
    // Most records (feed entries, likes, edges going) need nothing: the keys say so before an image is decoded.
    const { PK: pk, SK: sk } = recordKey(record);
    const ids = () => ({
      eventID: record.eventID,
      sequenceNumber: record.dynamodb.SequenceNumber,
      eventName: record.eventName,
    });
    if (pk.startsWith('POST#') && sk === 'METADATA' && record.eventName !== 'MODIFY') {
      const created = record.eventName === 'INSERT';
      const keysOf = created ? newImage(record) : oldImage(record);
      if (!keysOf) continue;
      const feeds = await fanOutPost(keysOf, created, services);
      logger?.info(
        { ...ids(), postId: String(keysOf.id), feeds },
        created ? 'post fanned out' : 'post removed from feeds',
      );
    } else if (
      pk.startsWith('USER#') &&
      sk.startsWith(sortPrefixes.following) &&
      record.eventName !== 'MODIFY'
    ) {
      const followerId = idAfter('USER#', pk);
      const followeeId = idAfter(sortPrefixes.following, sk);
      if (record.eventName === 'INSERT') {
        const posts = await backfill(followerId, followeeId, services);
        logger?.info({ ...ids(), followerId, followeeId, posts }, 'feed backfilled');
      } else {
        const posts = await removeAuthor(followerId, followeeId, services);
        logger?.info({ ...ids(), followerId, followeeId, posts }, 'author removed from feed');
      }
    }
  }
}

/** Returns how many feeds were written. */
async function fanOutPost(
  post: Item,
  created: boolean,
  { store, clock, settings }: Pick<SocialServices, 'store' | 'clock' | 'settings'>,
): Promise<number> {
  const entry = { id: String(post.id), authorId: String(post.authorId), createdAt: String(post.createdAt) };
  const write = (ownerId: string): BatchWriteRequest =>
    created ? { put: feedEntry(ownerId, entry, clock.now()) } : { delete: keys.feedEntry(ownerId, entry.id) };
  const { item: author } = await store.get(keys.profile(entry.authorId));
  // The author's own feed goes with the first followers' batch (one commit less on SQLite).
  let pending = [write(entry.authorId)];
  // Large authors' posts are read from their own partition when a feed is read.
  if (created && Number(author?.followerCount ?? 0) >= settings.fanOutFollowerLimit) {
    await writeAll(store, pending);
    return 1;
  }
  let feeds = 0;
  for await (const followers of pages(store, {
    partition: partitions.user(entry.authorId),
    sortKey: { op: 'beginsWith', value: sortPrefixes.follower },
    limit: 500,
  })) {
    const writes = pending.concat(followers.map((edge) => write(idAfter(sortPrefixes.follower, edge.SK))));
    pending = [];
    // One entry per feed, no key twice: the batches may go at once.
    await writeAll(store, writes, { concurrency: fanOutConcurrency });
    feeds += writes.length;
  }
  return feeds;
}

/** Returns how many posts were copied in. */
async function backfill(
  followerId: string,
  followeeId: string,
  { store, clock, settings }: Pick<SocialServices, 'store' | 'clock' | 'settings'>,
): Promise<number> {
  // A large author's posts are merged in at read time already; copying them would only cost writes.
  const { item: author } = await store.get(keys.profile(followeeId));
  if (Number(author?.followerCount ?? 0) >= settings.fanOutFollowerLimit) return 0;
  const recent = await store.query({
    partition: partitions.user(followeeId),
    sortKey: { op: 'beginsWith', value: sortPrefixes.post },
    descending: true,
    limit: settings.backfillPosts,
  });
  await writeAll(
    store,
    recent.items.map((item) => ({
      put: feedEntry(
        followerId,
        { id: String(item.postId), authorId: followeeId, createdAt: String(item.createdAt) },
        clock.now(),
      ),
    })),
  );
  return recent.items.length;
}

/** Returns how many entries were taken out. */
async function removeAuthor(
  followerId: string,
  followeeId: string,
  { store }: Pick<SocialServices, 'store'>,
): Promise<number> {
  let removed = 0;
  for await (const entries of pages(store, { partition: partitions.feed(followerId), limit: 500 })) {
    const theirs = entries.filter((entry) => entry.authorId === followeeId);
    // Distinct keys: the batches may go at once (fewer commits on SQLite), as a post's fan-out does.
    await writeAll(
      store,
      theirs.map((entry) => ({ delete: keys.feedEntry(followerId, String(entry.postId)) })),
      { concurrency: fanOutConcurrency },
    );
    removed += theirs.length;
  }
  return removed;
}
