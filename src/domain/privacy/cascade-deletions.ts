/**
 * The data lifecycle's change-stream consumer (the same function runs as a DynamoDB-stream
 * Lambda at scale): a deletion's REMOVE record starts the rest of it.
 *
 *   USER#<id> / PROFILE      an account closed (delete-account.ts): erase-account.ts
 *   POST#<id> / METADATA     a post deleted, by its author or with its account: erase-post.ts
 *   USER#<id> / STORY#<id>   a story deleted or expired (TTL): its media
 *   MEDIA#<key> / METADATA   an upload never used, expired (TTL): any bytes that arrived
 *
 * Delivery is at-least-once and a batch is checkpointed only after it is handled, so a cascade
 * cut short by a crash runs again from its record; every step is idempotent.
 */
import type { Logger } from '../../platform/logger.ts';
import type { Item, StreamRecord } from '../../ports/item-store/item-store.ts';
import { oldImage, recordKey } from '../../ports/item-store/stream-images.ts';
import { eraseAccount } from './erase-account.ts';
import { eraseMedia } from './erase-media.ts';
import { erasePost } from './erase-post.ts';
import { cascadeConcurrency, inParallel, type PrivacyServices } from './model.ts';

/** What a removal starts, read from its keys alone (most removals, such as feed entries and likes, start nothing). */
function cascadeOf(record: StreamRecord): 'account' | 'post' | 'story' | 'upload' | undefined {
  const { PK: pk, SK: sk } = recordKey(record);
  if (pk.startsWith('USER#') && sk === 'PROFILE') return 'account';
  if (pk.startsWith('POST#') && sk === 'METADATA') return 'post';
  if (pk.startsWith('USER#') && sk.startsWith('STORY#')) return 'story';
  // Only TTL's removals: every other one came from eraseMedia, which took the objects first.
  if (pk.startsWith('MEDIA#') && record.userIdentity) return 'upload';
  return undefined;
}

export async function cascadeDeletions(
  records: StreamRecord[],
  services: PrivacyServices,
  logger?: Logger,
): Promise<void> {
  // Posts are independent of one another: a run of them is erased a few at a time.
  let posts: { item: Item; ids: Record<string, string> }[] = [];
  const erasePosts = async () => {
    await inParallel(posts, cascadeConcurrency, async ({ item, ids }) => {
      const erased = await erasePost(item, services);
      logger?.info({ ...ids, postId: String(item.id), ...erased }, 'post erased');
    });
    posts = [];
  };
  for (const record of records) {
    if (record.eventName !== 'REMOVE') continue;
    // The image is decoded only for the removals that start something.
    const cascade = cascadeOf(record);
    const item = cascade && oldImage(record);
    if (!item) continue;
    const ids = { eventID: record.eventID, sequenceNumber: record.dynamodb.SequenceNumber };
    if (cascade === 'post') {
      posts.push({ item, ids });
      continue;
    }
    await erasePosts();
    if (cascade === 'account') {
      const erased = await eraseAccount(String(item.id), services);
      logger?.info({ ...ids, userId: String(item.id), ...erased }, 'account erased');
    } else if (cascade === 'story') {
      const erased = await eraseMedia(String(item.mediaKey), services);
      logger?.info({ ...ids, storyId: String(item.id), ...erased }, 'story erased');
    } else {
      const erased = await eraseMedia(String(item.key), services);
      logger?.info({ ...ids, key: String(item.key), ...erased }, 'media erased');
    }
  }
  await erasePosts();
}
