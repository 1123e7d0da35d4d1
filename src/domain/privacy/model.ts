/**
 * Privacy and the data lifecycle: what erasing a post, a story, a piece of media or a whole
 * account takes, wherever the data sits (the single table, the owner index, the object store,
 * the CDN and cached API answers). The work runs from the change stream (cascade-deletions.ts),
 * so every path that deletes (a mutation, the Cognito API, the CLI, TTL) triggers all of it.
 */
import type { Logger } from '../../platform/logger.ts';
import type { CdnInvalidator } from '../../ports/cdn.ts';
import type { Clock } from '../../ports/clock.ts';
import type { ItemStore } from '../../ports/item-store/item-store.ts';
import type { ObjectStore } from '../../ports/object-store/object-store.ts';

export interface PrivacyServices {
  store: ItemStore;
  objects: ObjectStore;
  cdn: CdnInvalidator;
  clock: Clock;
  logger?: Logger;
  /** Forgets cached API answers about the erased items (`Post:<id>`, `User:<id>` cache tags). */
  forget?: (tags: string[]) => void | Promise<void>;
}

/** What one erasure removed, for logs, progress and the benchmark. */
export interface Erased {
  items: number;
  objects: number;
}

/** Transactions in flight at once while a cascade adjusts other users' counters. */
export const cascadeConcurrency = 8;

/** Runs `work` on every element, at most `limit` at a time. */
export async function inParallel<T>(
  all: T[],
  limit: number,
  work: (value: T) => Promise<void>,
): Promise<void> {
  const queue = [...all];
  const worker = async () => {
    for (let next = queue.shift(); next !== undefined; next = queue.shift()) await work(next);
  };
  await Promise.all(Array.from({ length: Math.min(limit, all.length) }, worker));
}
