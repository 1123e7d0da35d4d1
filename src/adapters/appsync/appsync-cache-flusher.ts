/**
 * AppSync's server-side cache, told to forget erased data. The cache keys every answer by its
 * caller as well as its arguments, so a deleted post is cached once per viewer, under keys no
 * one can list, and a Direct Lambda resolver cannot evict entries (only a JS or VTL resolver can,
 * one key at a time). FlushApiCache, which empties the whole cache, is the one call that reaches
 * every copy: the erasures of one stream batch note what must go, and the batch ends with a
 * single flush.
 */
import { AppSyncClient, FlushApiCacheCommand } from '@aws-sdk/client-appsync';

export interface AppSyncCacheFlusher {
  /** Notes that cached answers (cache tags such as `Post:<id>`) must go; nothing is sent yet. */
  forget(tags: string[]): void;
  /**
   * Flushes the API's cache once if anything was forgotten since the last flush; resolves to how
   * many requests that flush covered (0: nothing was sent). A failed flush keeps them for the next.
   */
  flush(): Promise<number>;
}

/** A flush already under way (another batch's) makes AppSync refuse a new one for a moment. */
const ATTEMPTS = 5;
const FIRST_BACKOFF_MS = 200;

export function appSyncCacheFlusher(options: {
  apiId: string;
  region: string;
  client?: Pick<AppSyncClient, 'send'>;
  sleep?: (ms: number) => Promise<void>;
}): AppSyncCacheFlusher {
  const client = options.client ?? new AppSyncClient({ region: options.region });
  const sleep = options.sleep ?? ((ms: number) => new Promise((resolve) => setTimeout(resolve, ms)));
  let pending = 0;
  return {
    forget(tags) {
      if (tags.length > 0) pending++;
    },
    async flush() {
      const covered = pending;
      if (covered === 0) return 0;
      // Requests made while this flush is on its way may have been cached after it: they wait for the next.
      pending = 0;
      for (let attempt = 1; ; attempt++) {
        try {
          await client.send(new FlushApiCacheCommand({ apiId: options.apiId }));
          return covered;
        } catch (error) {
          // The flush under way may have started before this batch's deletions: wait, and flush again.
          const busy = (error as Error).name === 'ConcurrentModificationException';
          if (!busy || attempt >= ATTEMPTS) {
            pending += covered;
            throw error;
          }
          await sleep(FIRST_BACKOFF_MS * 2 ** (attempt - 1));
        }
      }
    },
  };
}
