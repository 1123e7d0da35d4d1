/**
 * `plaza stats`: the last days' analytics, one row a day, with the home feed's p50 and p99
 * read from the day's latency histogram as Prometheus' histogram_quantile reads one (linear
 * within the bucket the rank falls in), so they are as fine as the buckets
 * (`plaza_latency_seconds`: 1, 2.5, 5, 10, 25, 50, 100, 250 ms …).
 */
import { PlazaError } from '../../platform/errors.ts';
import type { AnalyticsStore, DailyCounter, DayRecord, LatencyBucket } from '../../ports/analytics-store.ts';

/** The most days `plaza stats` and the console ask for at once: a year, a leap one included. */
export const maxStatsDays = 366;

/** A number of days as a query gives it (`?days=30`), or BadInput saying what is accepted. */
export function statsDaysOf(text: string): number {
  const days = /^\d{1,4}$/.test(text) ? Number(text) : Number.NaN;
  if (days >= 1 && days <= maxStatsDays) return days;
  const shown = text.length > 20 ? `${text.slice(0, 20)}…` : text;
  throw new PlazaError(
    'BadInput',
    `days: expected a whole number of days from 1 to ${maxStatsDays}, got "${shown}"`,
  );
}

export interface DayStats extends Record<DailyCounter, number> {
  day: string;
  activeUsers: number;
  feedRequests: number;
  /** Milliseconds; null when no feed was read that day. */
  feedP50Ms: number | null;
  feedP99Ms: number | null;
}

/** The last `days` UTC days up to `now`'s, oldest first, each present (zeros for a quiet day). */
export async function dailyStats(
  days: number,
  { analytics, now }: { analytics: Pick<AnalyticsStore, 'days'>; now: number },
): Promise<DayStats[]> {
  const dayAt = (offset: number) => new Date(now - offset * 86_400_000).toISOString().slice(0, 10);
  const wanted = Array.from({ length: days }, (_, index) => dayAt(days - 1 - index));
  const records = new Map(
    (await analytics.days(wanted[0]!, wanted.at(-1)!)).map((record) => [record.day, record]),
  );
  return wanted.map((day) => statsOf(records.get(day) ?? emptyDay(day)));
}

function emptyDay(day: string): DayRecord {
  return {
    day,
    activeUsers: 0,
    counters: { signUps: 0, posts: 0, likes: 0, comments: 0, follows: 0 },
    feedLatency: [],
  };
}

function statsOf(record: DayRecord): DayStats {
  const quantileMs = (q: number) => {
    const seconds = histogramQuantile(q, record.feedLatency);
    return seconds === undefined ? null : Math.round(seconds * 10_000) / 10;
  };
  return {
    day: record.day,
    activeUsers: record.activeUsers,
    ...record.counters,
    feedRequests: record.feedLatency.at(-1)?.count ?? 0,
    feedP50Ms: quantileMs(0.5),
    feedP99Ms: quantileMs(0.99),
  };
}

/** The q-quantile of cumulative buckets (ascending, the last +Inf); undefined when empty. */
export function histogramQuantile(q: number, buckets: readonly LatencyBucket[]): number | undefined {
  const total = buckets.at(-1)?.count ?? 0;
  if (total === 0) return undefined;
  const rank = q * total;
  let lowerLe = 0;
  let lowerCount = 0;
  for (const bucket of buckets) {
    if (bucket.count >= rank) {
      // Past the last finite bound Prometheus answers that bound: nothing says how far beyond.
      if (!Number.isFinite(bucket.le)) return lowerLe;
      const inBucket = bucket.count - lowerCount;
      return lowerLe + (bucket.le - lowerLe) * (inBucket === 0 ? 1 : (rank - lowerCount) / inBucket);
    }
    lowerLe = bucket.le;
    lowerCount = bucket.count;
  }
  return lowerLe;
}

const columns: [keyof DayStats, string][] = [
  ['day', 'Day'],
  ['activeUsers', 'Active users'],
  ['signUps', 'Sign-ups'],
  ['posts', 'Posts'],
  ['likes', 'Likes'],
  ['comments', 'Comments'],
  ['follows', 'Follows'],
  ['feedRequests', 'Feed reads'],
  ['feedP50Ms', 'Feed p50 ms'],
  ['feedP99Ms', 'Feed p99 ms'],
];

/** An aligned table: the day left, numbers right, `-` where nothing was measured. */
export function formatDailyStats(stats: readonly DayStats[]): string {
  const rows = [
    columns.map(([, title]) => title),
    ...stats.map((day) => columns.map(([key]) => (day[key] === null ? '-' : String(day[key])))),
  ];
  const widths = columns.map((_, index) => Math.max(...rows.map((row) => row[index]!.length)));
  return rows
    .map((row) =>
      row
        .map((cell, index) => (index === 0 ? cell.padEnd(widths[index]!) : cell.padStart(widths[index]!)))
        .join('  '),
    )
    .join('\n');
}
