/**
 * Daily analytics in a SQLite file of their own (ADR 0010). A change's eventID is inserted in
 * the same transaction as what it adds, so a redelivered change adds nothing; the ids are kept
 * for `keepAppliedDays`, longer than any stream redelivers (DynamoDB Streams keep 24 h).
 */
import type Database from 'better-sqlite3';
import {
  dailyCounters,
  type AnalyticsStore,
  type DailyCounter,
  type DayRecord,
  type LatencyBucket,
  type StreamActivity,
} from '../../ports/analytics-store.ts';
import { openSqlite, type SqliteOptions } from './sqlite-database.ts';

const schema = `
CREATE TABLE IF NOT EXISTS analytics_applied (event_id TEXT PRIMARY KEY, day TEXT NOT NULL) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS analytics_applied_day ON analytics_applied (day);
CREATE TABLE IF NOT EXISTS analytics_daily (
  day TEXT NOT NULL, counter TEXT NOT NULL, value INTEGER NOT NULL, PRIMARY KEY (day, counter)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS analytics_active (
  day TEXT NOT NULL, user_id TEXT NOT NULL, PRIMARY KEY (day, user_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS analytics_feed_latency (
  day TEXT NOT NULL, le REAL NOT NULL, count INTEGER NOT NULL, PRIMARY KEY (day, le)
) WITHOUT ROWID;
`;

export const keepAppliedDays = 3;

export class SqliteAnalyticsStore implements AnalyticsStore {
  private readonly db: Database.Database;
  private readonly statements;
  private prunedDay = '';

  constructor(options: SqliteOptions) {
    this.db = openSqlite({ synchronous: 'NORMAL', ...options });
    this.db.exec(schema);
    this.statements = {
      applied: this.db.prepare<[string, string]>(
        `INSERT OR IGNORE INTO analytics_applied (event_id, day) VALUES (?, ?)`,
      ),
      count: this.db.prepare<[string, string]>(
        `INSERT INTO analytics_daily (day, counter, value) VALUES (?, ?, 1)
         ON CONFLICT (day, counter) DO UPDATE SET value = value + 1`,
      ),
      active: this.db.prepare<[string, string]>(
        `INSERT OR IGNORE INTO analytics_active (day, user_id) VALUES (?, ?)`,
      ),
      latency: this.db.prepare<[string, number, number]>(
        `INSERT INTO analytics_feed_latency (day, le, count) VALUES (?, ?, ?)
         ON CONFLICT (day, le) DO UPDATE SET count = count + excluded.count`,
      ),
      prune: this.db.prepare<[string]>(`DELETE FROM analytics_applied WHERE day < ?`),
    };
  }

  applyActivity(activity: readonly StreamActivity[]): Promise<number> {
    const apply = this.db.transaction(() => {
      let applied = 0;
      for (const each of activity) {
        if (this.statements.applied.run(each.eventId, each.day).changes === 0) continue;
        applied++;
        if (each.counter) this.statements.count.run(each.day, each.counter);
        if (each.activeUser) this.statements.active.run(each.day, each.activeUser);
      }
      const latest = activity.reduce((day, each) => (each.day > day ? each.day : day), '');
      if (latest > this.prunedDay) {
        this.statements.prune.run(dayBefore(latest, keepAppliedDays));
        this.prunedDay = latest;
      }
      return applied;
    });
    return Promise.resolve(apply.immediate());
  }

  addFeedLatency(day: string, buckets: readonly LatencyBucket[]): Promise<void> {
    this.db.transaction(() => {
      for (const bucket of buckets)
        if (bucket.count > 0) this.statements.latency.run(day, storedLe(bucket.le), bucket.count);
    })();
    return Promise.resolve();
  }

  days(from: string, to: string): Promise<DayRecord[]> {
    const byDay = new Map<string, DayRecord>();
    const dayOf = (day: string) => {
      let record = byDay.get(day);
      if (!record) {
        const counters = Object.fromEntries(dailyCounters.map((name) => [name, 0])) as Record<
          DailyCounter,
          number
        >;
        record = { day, activeUsers: 0, counters, feedLatency: [] };
        byDay.set(day, record);
      }
      return record;
    };
    const range = [from, to];
    for (const row of this.db
      .prepare<string[], { day: string; counter: DailyCounter; value: number }>(
        `SELECT day, counter, value FROM analytics_daily WHERE day BETWEEN ? AND ?`,
      )
      .iterate(...range))
      dayOf(row.day).counters[row.counter] = row.value;
    for (const row of this.db
      .prepare<string[], { day: string; users: number }>(
        `SELECT day, count(*) AS users FROM analytics_active WHERE day BETWEEN ? AND ? GROUP BY day`,
      )
      .iterate(...range))
      dayOf(row.day).activeUsers = row.users;
    for (const row of this.db
      .prepare<string[], { day: string; le: number; count: number }>(
        `SELECT day, le, count FROM analytics_feed_latency WHERE day BETWEEN ? AND ? ORDER BY day, le`,
      )
      .iterate(...range))
      dayOf(row.day).feedLatency.push({
        le: row.le >= infinityLe ? Number.POSITIVE_INFINITY : row.le,
        count: row.count,
      });
    return Promise.resolve([...byDay.values()].sort((a, b) => (a.day < b.day ? -1 : 1)));
  }

  close(): Promise<void> {
    this.db.close();
    return Promise.resolve();
  }
}

// SQLite's REAL has no infinity literal that survives a round trip through every driver.
const infinityLe = 1e308;

function storedLe(le: number): number {
  return Number.isFinite(le) ? le : infinityLe;
}

function dayBefore(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) - days * 86_400_000).toISOString().slice(0, 10);
}
