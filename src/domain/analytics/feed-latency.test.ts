import { describe, expect, it } from 'vitest';
import type { LatencyBucket } from '../../ports/analytics-store.ts';
import { feedLatencySampler } from './feed-latency.ts';

describe('feedLatencySampler', () => {
  it("adds what the histogram counted since the last sample to the sample's day", async () => {
    let now = Date.UTC(2026, 11, 6, 23, 59);
    let buckets: LatencyBucket[] = [
      { le: 0.01, count: 2 },
      { le: Number.POSITIVE_INFINITY, count: 3 },
    ];
    const added: [string, LatencyBucket[]][] = [];
    const sampler = feedLatencySampler({
      read: () => Promise.resolve(buckets),
      analytics: { addFeedLatency: (day, b) => Promise.resolve(void added.push([day, [...b]])) },
      clock: { now: () => now },
    });
    await sampler.sample();
    await sampler.sample();
    now += 120_000;
    buckets = [
      { le: 0.01, count: 2 },
      { le: Number.POSITIVE_INFINITY, count: 7 },
    ];
    await sampler.sample();
    expect(added).toEqual([
      ['2026-12-06', buckets.map((b, i) => ({ le: b.le, count: [2, 3][i] }))],
      [
        '2026-12-07',
        [
          { le: 0.01, count: 0 },
          { le: Number.POSITIVE_INFINITY, count: 4 },
        ],
      ],
    ]);
  });
});
