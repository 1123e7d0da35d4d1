/**
 * Daily analytics in the design's DynamoDB table (ADR 0010), for the stream Lambda on AWS, where
 * there is no disk to keep a SQLite file on. Per day, one partition `ANALYTICS#<day>`: the day's
 * counters on one item (atomic ADDs), an item per active user (put if absent, counted once), an
 * item per applied change's eventID, expired by the table's TTL after `keepAppliedDays`, and the
 * feed latency's buckets. A batch's changes are marked and counted in one transaction; when some
 * were applied before (a retried batch), each is applied alone, its mark and its count together.
 */
import { isPlazaError } from '../../platform/errors.ts';
import {
  dailyCounters,
  type AnalyticsStore,
  type DailyCounter,
  type DayRecord,
  type LatencyBucket,
  type StreamActivity,
} from '../../ports/analytics-store.ts';
import { getAll } from '../../ports/item-store/batch.ts';
import type { Item, ItemStore, Key, TransactAction } from '../../ports/item-store/item-store.ts';

/** How long an applied change's id is kept: longer than any stream redelivers (DynamoDB Streams keep 24 h). */
export const keepAppliedDays = 3;
/** A transaction holds 100 items; a batch's marks leave room for its days' counter updates. */
const marksPerTransaction = 50;

const partition = (day: string) => `ANALYTICS#${day}`;
export const analyticsKeys = {
  counters: (day: string): Key => ({ PK: partition(day), SK: 'COUNTERS' }),
  latency: (day: string): Key => ({ PK: partition(day), SK: 'FEED_LATENCY' }),
  applied: (day: string, eventId: string): Key => ({ PK: partition(day), SK: `APPLIED#${eventId}` }),
  active: (day: string, userId: string): Key => ({ PK: partition(day), SK: `ACTIVE#${userId}` }),
};

const activeUsers = 'activeUsers';
const leAttribute = (le: number) => `le:${Number.isFinite(le) ? le : '+Inf'}`;

function expiresAt(day: string): number {
  return Math.ceil(Date.parse(`${day}T00:00:00Z`) / 1000) + (keepAppliedDays + 1) * 86_400;
}

/** The counter updates a set of changes adds up to, one per day. */
function counterUpdates(activity: readonly StreamActivity[]): TransactAction[] {
  const byDay = new Map<string, Partial<Record<DailyCounter, number>>>();
  for (const { day, counter } of activity) {
    if (!counter) continue;
    const counts = byDay.get(day) ?? {};
    counts[counter] = (counts[counter] ?? 0) + 1;
    byDay.set(day, counts);
  }
  return [...byDay].map(([day, add]) => ({ update: { key: analyticsKeys.counters(day), add } }));
}

const mark = ({ day, eventId }: StreamActivity): TransactAction => ({
  put: { ...analyticsKeys.applied(day, eventId), ttl: expiresAt(day) },
  conditions: [{ op: 'itemNotExists' }],
});

export class DynamoDbAnalyticsStore implements AnalyticsStore {
  constructor(private readonly store: Pick<ItemStore, 'transactWrite' | 'update' | 'batchGet'>) {}

  /** Resolves to false when something in it was there already (a condition failed). */
  private async transact(actions: TransactAction[]): Promise<boolean> {
    try {
      await this.store.transactWrite(actions);
      return true;
    } catch (error) {
      if (isPlazaError(error, 'TransactionCanceledException')) return false;
      throw error;
    }
  }

  async applyActivity(activity: readonly StreamActivity[]): Promise<number> {
    let applied = 0;
    for (let start = 0; start < activity.length; start += marksPerTransaction) {
      const chunk = activity.slice(start, start + marksPerTransaction);
      if (await this.transact([...chunk.map(mark), ...counterUpdates(chunk)])) applied += chunk.length;
      else
        for (const each of chunk) if (await this.transact([mark(each), ...counterUpdates([each])])) applied++;
    }
    // Apart from the marks: counting a user once a day is its own idempotent step, so a change
    // applied before a crash still counts its user when redelivered.
    const seen = new Set<string>();
    for (const { day, activeUser } of activity) {
      if (!activeUser || seen.has(`${day}/${activeUser}`)) continue;
      seen.add(`${day}/${activeUser}`);
      await this.transact([
        {
          put: { ...analyticsKeys.active(day, activeUser), ttl: expiresAt(day) },
          conditions: [{ op: 'itemNotExists' }],
        },
        { update: { key: analyticsKeys.counters(day), add: { [activeUsers]: 1 } } },
      ]);
    }
    return applied;
  }

  async addFeedLatency(day: string, buckets: readonly LatencyBucket[]): Promise<void> {
    const add = Object.fromEntries(
      buckets.filter((bucket) => bucket.count > 0).map((bucket) => [leAttribute(bucket.le), bucket.count]),
    );
    if (Object.keys(add).length > 0) await this.store.update({ key: analyticsKeys.latency(day), add });
  }

  async days(from: string, to: string): Promise<DayRecord[]> {
    const days: string[] = [];
    for (let at = Date.parse(`${from}T00:00:00Z`); at <= Date.parse(`${to}T00:00:00Z`); at += 86_400_000)
      days.push(new Date(at).toISOString().slice(0, 10));
    const items = await getAll(
      this.store,
      days.flatMap((day) => [analyticsKeys.counters(day), analyticsKeys.latency(day)]),
    );
    const byDay = new Map<string, DayRecord>();
    for (const item of items) {
      const day = String(item.PK).slice('ANALYTICS#'.length);
      const record = byDay.get(day) ?? emptyDay(day);
      byDay.set(day, record);
      if (item.SK === 'COUNTERS') {
        record.activeUsers = Number(item[activeUsers] ?? 0);
        for (const counter of dailyCounters) record.counters[counter] = Number(item[counter] ?? 0);
      } else record.feedLatency = latencyOf(item);
    }
    return [...byDay.values()].sort((a, b) => (a.day < b.day ? -1 : 1));
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

function emptyDay(day: string): DayRecord {
  const counters = Object.fromEntries(dailyCounters.map((name) => [name, 0])) as Record<DailyCounter, number>;
  return { day, activeUsers: 0, counters, feedLatency: [] };
}

function latencyOf(item: Item): LatencyBucket[] {
  return Object.entries(item)
    .filter(([name]) => name.startsWith('le:'))
    .map(([name, count]) => ({
      le: name === 'le:+Inf' ? Number.POSITIVE_INFINITY : Number(name.slice(3)),
      count: Number(count),
    }))
    .sort((a, b) => a.le - b.le);
}
