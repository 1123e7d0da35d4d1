/**
 * The home feed's latency per day, from the histogram the server already keeps
 * (`plaza_latency_seconds{operation="homeFeed"}`): each sample adds what the buckets counted
 * since the last one to the day it was taken on. No request pays for it, and the figures are
 * those /metrics shows.
 */
import type { AnalyticsStore, LatencyBucket } from '../../ports/analytics-store.ts';
import type { Clock } from '../../ports/clock.ts';

export interface FeedLatencySampler {
  /** Adds what was observed since the last sample to today's histogram. */
  sample(): Promise<void>;
}

export function feedLatencySampler(deps: {
  /** The histogram's cumulative buckets now (since the process started). */
  read(): Promise<LatencyBucket[]>;
  analytics: Pick<AnalyticsStore, 'addFeedLatency'>;
  clock: Clock;
}): FeedLatencySampler {
  let last = new Map<number, number>();
  return {
    async sample() {
      const now = await deps.read();
      const added = now.map((bucket) => ({
        le: bucket.le,
        count: bucket.count - (last.get(bucket.le) ?? 0),
      }));
      last = new Map(now.map((bucket) => [bucket.le, bucket.count]));
      if (added.some((bucket) => bucket.count > 0))
        await deps.analytics.addFeedLatency(new Date(deps.clock.now()).toISOString().slice(0, 10), added);
    },
  };
}
