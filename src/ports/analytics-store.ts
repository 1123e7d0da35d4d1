/**
 * Daily analytics: counters and active users from the change streams, and the home feed's
 * latency as a histogram per day. Stream delivery is at-least-once, so each change is applied
 * once by its eventID (`applyActivity` skips what it has seen).
 */

export const dailyCounters = ['signUps', 'posts', 'likes', 'comments', 'follows'] as const;
export type DailyCounter = (typeof dailyCounters)[number];

/** What one change record adds to a day. */
export interface StreamActivity {
  /** The change record's eventID, unique per table's stream. */
  eventId: string;
  /** UTC day, `YYYY-MM-DD`. */
  day: string;
  counter?: DailyCounter;
  /** The user who acted, counted once a day among the active users. */
  activeUser?: string;
}

/** A cumulative histogram bucket (Prometheus' `le` form): observations at or under `le` seconds. */
export interface LatencyBucket {
  le: number;
  count: number;
}

export interface DayRecord {
  day: string;
  activeUsers: number;
  counters: Record<DailyCounter, number>;
  /** The feed's latency observed that day, cumulative buckets ascending (the last is +Inf). */
  feedLatency: LatencyBucket[];
}

export interface AnalyticsStore {
  /** Applies each activity whose eventId is new; resolves to how many were. */
  applyActivity(activity: readonly StreamActivity[]): Promise<number>;
  /** Adds observations to a day's feed-latency histogram. */
  addFeedLatency(day: string, buckets: readonly LatencyBucket[]): Promise<void>;
  /** The days from `from` to `to` (inclusive) that have anything, ascending. */
  days(from: string, to: string): Promise<DayRecord[]>;
  close(): Promise<void>;
}
