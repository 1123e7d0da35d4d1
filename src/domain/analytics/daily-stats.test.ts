import { describe, expect, it } from 'vitest';
import type { DayRecord } from '../../ports/analytics-store.ts';
import { dailyStats, formatDailyStats, histogramQuantile, statsDaysOf } from './daily-stats.ts';

const inf = Number.POSITIVE_INFINITY;

describe('histogramQuantile', () => {
  it("interpolates within the rank's bucket, as Prometheus does", () => {
    const buckets = [
      { le: 0.01, count: 50 },
      { le: 0.1, count: 100 },
      { le: inf, count: 100 },
    ];
    expect(histogramQuantile(0.5, buckets)).toBeCloseTo(0.01);
    expect(histogramQuantile(0.99, buckets)).toBeCloseTo(0.01 + 0.09 * (49 / 50));
    expect(histogramQuantile(0.25, buckets)).toBeCloseTo(0.005);
    expect(histogramQuantile(0.5, [])).toBeUndefined();
    expect(
      histogramQuantile(0.99, [
        { le: 1, count: 1 },
        { le: inf, count: 10 },
      ]),
    ).toBe(1);
  });
});

describe('dailyStats', () => {
  it('lists each of the last days, quiet ones as zeros, with the feed quantiles in ms', async () => {
    const record: DayRecord = {
      day: '2026-12-07',
      activeUsers: 3,
      counters: { signUps: 1, posts: 2, likes: 5, comments: 1, follows: 4 },
      feedLatency: [
        { le: 0.005, count: 90 },
        { le: 0.01, count: 100 },
        { le: inf, count: 100 },
      ],
    };
    const stats = await dailyStats(3, {
      analytics: {
        days: (from, to) => Promise.resolve(from === '2026-12-05' && to === '2026-12-07' ? [record] : []),
      },
      now: Date.UTC(2026, 11, 7, 15),
    });
    expect(stats.map((day) => day.day)).toEqual(['2026-12-05', '2026-12-06', '2026-12-07']);
    expect(stats[0]).toMatchObject({ activeUsers: 0, posts: 0, feedRequests: 0, feedP50Ms: null });
    expect(stats[2]).toMatchObject({
      activeUsers: 3,
      likes: 5,
      follows: 4,
      feedRequests: 100,
      feedP50Ms: 2.8,
      feedP99Ms: 9.5,
    });
    const table = formatDailyStats(stats).split('\n');
    expect(table[0]).toMatch(
      /^Day\s+Active users\s+Sign-ups\s+Posts\s+Likes\s+Comments\s+Follows\s+Feed reads\s+Feed p50 ms\s+Feed p99 ms$/,
    );
    expect(table[1]).toMatch(/^2026-12-05\s+0\s+0\s+0\s+0\s+0\s+0\s+0\s+-\s+-$/);
    expect(table[3]).toMatch(/^2026-12-07\s+3\s+1\s+2\s+5\s+1\s+4\s+100\s+2\.8\s+9\.5$/);
    expect(new Set(table.map((line) => line.length)).size).toBe(1);
  });
});

describe('statsDaysOf', () => {
  it('takes a whole number of days from 1 to 366 and names anything else', () => {
    expect(statsDaysOf('1')).toBe(1);
    expect(statsDaysOf('90')).toBe(90);
    expect(statsDaysOf('366')).toBe(366);
    for (const bad of ['0', '367', '-7', '7.5', '1e2', ' 7', '', 'seven', '0x10'])
      expect(() => statsDaysOf(bad), bad).toThrow(
        expect.objectContaining({ code: 'BadInput', message: expect.stringContaining('from 1 to 366') }),
      );
    expect(() => statsDaysOf('x'.repeat(100))).toThrow(`got "${'x'.repeat(20)}…"`);
  });
});
