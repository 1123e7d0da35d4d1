import { openInsightsUpToDate } from '../../app/insights.ts';
import { dailyStats, formatDailyStats } from '../../domain/analytics/daily-stats.ts';
import { loadConfig } from '../../platform/config.ts';
import { systemClock } from '../../ports/clock.ts';

/**
 * `plaza stats [--days N] [--json]`: the last N days' analytics (UTC days, today last), brought up
 * to date with the change streams first.
 */
export async function statsCommand(options: { days: number; json?: boolean }): Promise<void> {
  const insights = await openInsightsUpToDate(loadConfig());
  try {
    const stats = await dailyStats(options.days, { analytics: insights.analytics, now: systemClock.now() });
    console.log(options.json ? JSON.stringify(stats, null, 2) : formatDailyStats(stats));
  } finally {
    await insights.close();
  }
}
