import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteAnalyticsStore } from './sqlite-analytics-store.ts';

let dir: string;
let store: SqliteAnalyticsStore;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'plaza-analytics-'));
  store = new SqliteAnalyticsStore({ path: join(dir, 'analytics.db') });
});

afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('SqliteAnalyticsStore', () => {
  it('applies each change once by its eventId, and counts an active user once a day', async () => {
    const batch = [
      { eventId: 'e1', day: '2026-12-07', counter: 'posts' as const, activeUser: 'a' },
      { eventId: 'e2', day: '2026-12-07', counter: 'likes' as const, activeUser: 'a' },
      { eventId: 'e3', day: '2026-12-07', counter: 'likes' as const, activeUser: 'b' },
      { eventId: 'e4', day: '2026-12-06', activeUser: 'a' },
    ];
    expect(await store.applyActivity(batch)).toBe(4);
    // Redelivered, as a retried batch is: nothing moves.
    expect(await store.applyActivity(batch.slice(1))).toBe(0);
    const days = await store.days('2026-12-01', '2026-12-31');
    expect(days.map((day) => [day.day, day.activeUsers, day.counters.likes, day.counters.posts])).toEqual([
      ['2026-12-06', 1, 0, 0],
      ['2026-12-07', 2, 2, 1],
    ]);
  });

  it('adds feed latency histograms, +Inf included', async () => {
    const buckets = [
      { le: 0.01, count: 3 },
      { le: 0.1, count: 4 },
      { le: Number.POSITIVE_INFINITY, count: 5 },
    ];
    await store.addFeedLatency('2026-12-07', buckets);
    await store.addFeedLatency('2026-12-07', buckets);
    const [day] = await store.days('2026-12-07', '2026-12-07');
    expect(day?.feedLatency).toEqual([
      { le: 0.01, count: 6 },
      { le: 0.1, count: 8 },
      { le: Number.POSITIVE_INFINITY, count: 10 },
    ]);
  });
});
