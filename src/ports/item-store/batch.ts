/**
 * Batches of any size over the ItemStore's bounded batch calls: split into
 * DynamoDB's limits (100 keys, 25 writes) and retry what the engine left
 * unprocessed, with exponential backoff, as DynamoDB asks clients to.
 */
import { isPlazaError, PlazaError } from '../../platform/errors.ts';
import type { BatchGetResult, BatchWriteRequest, GetOptions, Item, ItemStore, Key } from './item-store.ts';
import { uniqueKeys } from './key-map.ts';
import { limits } from './rules.ts';

export interface RetryOptions {
  /** Attempts per chunk before giving up (default 8). */
  attempts?: number;
  /** First backoff in ms, doubled each retry (default 25). */
  baseDelayMs?: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function chunks<T>(all: T[], size: number): T[][] {
  const result: T[][] = [];
  for (let i = 0; i < all.length; i += size) result.push(all.slice(i, i + size));
  return result;
}

/**
 * Calls `call` with what is pending until nothing is left, backing off between attempts;
 * `attempt` 1 when the caller has made the first itself.
 */
async function untilProcessed<T>(
  chunk: T[],
  call: (pending: T[]) => Promise<T[]>,
  what: string,
  options: RetryOptions,
  attempt = 0,
): Promise<void> {
  const attempts = options.attempts ?? 8;
  let pending = chunk;
  for (; pending.length > 0; attempt++) {
    if (attempt >= attempts) {
      throw new PlazaError(
        'ProvisionedThroughputExceededException',
        `${pending.length} ${what} stayed unprocessed`,
      );
    }
    if (attempt > 0) await sleep((options.baseDelayMs ?? 25) * 2 ** (attempt - 1));
    pending = await call(pending);
  }
}

/** Gets every key (duplicates allowed), in chunks of 100, retrying unprocessed keys. */
export async function getAll(
  store: Pick<ItemStore, 'batchGet'>,
  keys: Key[],
  options: GetOptions & RetryOptions = {},
): Promise<Item[]> {
  if (keys.length === 0) return [];
  if (keys.length > limits.batchGetKeys)
    return getChunks(store, chunks(uniqueKeys(keys), limits.batchGetKeys), options);
  // One chunk, nearly every read: the store refuses a repeated key, as DynamoDB does, so keys are
  // made unique only then, rather than each key looked up once more on every read. Its first
  // attempt is made here, without the retry loop's promises, as it nearly always gets everything.
  let first: BatchGetResult;
  try {
    first = await store.batchGet(keys, options);
  } catch (error) {
    if (!isPlazaError(error, 'ValidationException') || !error.message.includes('duplicates')) throw error;
    return getChunks(store, [uniqueKeys(keys)], options);
  }
  if (first.unprocessed.length === 0) return first.items;
  const items = [...first.items];
  await untilProcessed(first.unprocessed, batchGetInto(store, items, options), 'keys', options, 1);
  return items;
}

async function getChunks(
  store: Pick<ItemStore, 'batchGet'>,
  keyChunks: Key[][],
  options: GetOptions & RetryOptions,
): Promise<Item[]> {
  const items: Item[] = [];
  const call = batchGetInto(store, items, options);
  await Promise.all(keyChunks.map((chunk) => untilProcessed(chunk, call, 'keys', options)));
  return items;
}

/** One BatchGet: what it found goes into `items`; it answers what is left unprocessed. */
const batchGetInto =
  (store: Pick<ItemStore, 'batchGet'>, items: Item[], options: GetOptions) =>
  async (pending: Key[]): Promise<Key[]> => {
    const result = await store.batchGet(pending, options);
    items.push(...result.items);
    return result.unprocessed;
  };

/**
 * Writes every request, in chunks of 25, retrying unprocessed ones. Chunks go one after another
 * unless `concurrency` allows more at once: only for requests whose order does not matter (no key
 * twice), such as one post's entries in many followers' feeds.
 */
export async function writeAll(
  store: Pick<ItemStore, 'batchWrite'>,
  requests: BatchWriteRequest[],
  options: RetryOptions & { concurrency?: number } = {},
): Promise<void> {
  const queue = chunks(requests, limits.batchWriteRequests);
  const worker = async () => {
    for (let chunk = queue.shift(); chunk; chunk = queue.shift()) {
      try {
        await untilProcessed(
          chunk,
          async (pending) => (await store.batchWrite(pending)).unprocessed,
          'writes',
          options,
        );
      } catch (error) {
        // A failure stops every worker: nothing more is written after the call has failed.
        queue.length = 0;
        throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency ?? 1) }, worker));
}
