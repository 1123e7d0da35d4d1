import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines, type EngineHarness } from '../../../test/item-store/engines.ts';
import type { ItemStore } from '../../ports/item-store/item-store.ts';
import { analyticsKeys, DynamoDbAnalyticsStore, keepAppliedDays } from './dynamodb-analytics-store.ts';

const dayAgo = (days: number) => new Date(Date.now() - days * 86_400_000).toISOString().slice(0, 10);
// Recent days: a change's mark expires a few days after its day, as DynamoDB's TTL deletes it.
const [yesterday, dayBefore] = [dayAgo(1), dayAgo(2)];

// Run on DynamoDB Local, as on AWS, and on the SQLite engine that implements the same port.
describe.each(engines().map((open, i) => [i === 0 ? 'sqlite' : 'dynamodb', open] as const))(
  'DynamoDbAnalyticsStore on %s',
  (_engine, open) => {
    let harness: EngineHarness;
    let store: DynamoDbAnalyticsStore;
    beforeAll(async () => {
      harness = await open();
      store = new DynamoDbAnalyticsStore(harness.store);
    });
    afterAll(() => harness.close());

    it('applies each change once by its eventId, and counts an active user once a day', async () => {
      const batch = [
        { eventId: 'main/e1', day: yesterday, counter: 'posts' as const, activeUser: 'a' },
        { eventId: 'main/e2', day: yesterday, counter: 'likes' as const, activeUser: 'a' },
        { eventId: 'main/e3', day: yesterday, counter: 'likes' as const, activeUser: 'b' },
        { eventId: 'main/e4', day: dayBefore, activeUser: 'a' },
      ];
      expect(await store.applyActivity(batch)).toBe(4);
      // Redelivered, as a retried batch is (here with one new change): only the new one counts.
      const retried = [
        ...batch.slice(1),
        { eventId: 'main/e5', day: yesterday, counter: 'follows' as const },
      ];
      expect(await store.applyActivity(retried)).toBe(1);
      const days = await store.days(dayBefore, yesterday);
      expect(days.map((day) => [day.day, day.activeUsers, day.counters])).toEqual([
        [dayBefore, 1, { signUps: 0, posts: 0, likes: 0, comments: 0, follows: 0 }],
        [yesterday, 2, { signUps: 0, posts: 1, likes: 2, comments: 0, follows: 1 }],
      ]);
    });

    it('applies a batch larger than a transaction, and marks changes with an expiry past redelivery', async () => {
      const today = new Date().toISOString().slice(0, 10);
      const batch = Array.from({ length: 120 }, (_, index) => ({
        eventId: `main/big-${index}`,
        day: today,
        counter: 'signUps' as const,
        activeUser: `user-${index % 7}`,
      }));
      expect(await store.applyActivity(batch)).toBe(120);
      const [day] = await store.days(today, today);
      expect(day).toMatchObject({ activeUsers: 7, counters: { signUps: 120 } });
      const { item } = await (harness.store as ItemStore).get(analyticsKeys.applied(today, 'main/big-0'));
      expect(item?.ttl).toBe(Date.parse(`${today}T00:00:00Z`) / 1000 + (keepAppliedDays + 1) * 86_400);
    });

    it('adds feed latency histograms, +Inf included, and answers no day it has nothing for', async () => {
      const buckets = [
        { le: 0.01, count: 3 },
        { le: 0.1, count: 4 },
        { le: Number.POSITIVE_INFINITY, count: 5 },
      ];
      await store.addFeedLatency('2026-10-07', buckets);
      await store.addFeedLatency('2026-10-07', buckets);
      const days = await store.days('2026-10-01', '2026-10-31');
      expect(days).toEqual([
        {
          day: '2026-10-07',
          activeUsers: 0,
          counters: { signUps: 0, posts: 0, likes: 0, comments: 0, follows: 0 },
          feedLatency: [
            { le: 0.01, count: 6 },
            { le: 0.1, count: 8 },
            { le: Number.POSITIVE_INFINITY, count: 10 },
          ],
        },
      ]);
      expect(await store.days('2026-09-01', '2026-09-30')).toEqual([]);
    });
  },
);
