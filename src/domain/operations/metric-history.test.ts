import { describe, expect, it } from 'vitest';
import { createMetrics } from '../../platform/metrics.ts';
import { ManualClock } from '../../ports/clock.ts';
import { defaultAlarmRules } from './alarm-rules.ts';
import { MetricHistory } from './metric-history.ts';

function history(capacity = 360) {
  const metrics = createMetrics({ defaultMetrics: false });
  const clock = new ManualClock();
  const metricHistory = new MetricHistory(
    { clock, readMetrics: () => metrics.registry.getMetricsAsJSON(), rules: defaultAlarmRules },
    capacity,
  );
  return { metrics, clock, metricHistory };
}

const seriesNamed = (metricHistory: MetricHistory, name: string) =>
  metricHistory.history().find((series) => series.name === name)!;

describe('the metric history', () => {
  it('keeps one datapoint per period for each charted metric, with the alarms on it as thresholds', async () => {
    const { metrics, clock, metricHistory } = history();
    await metricHistory.tick();
    expect(seriesNamed(metricHistory, 'requests').times).toEqual([]);

    metrics.requests.inc({ operation: 'me' }, 40);
    metrics.errors.inc({ operation: 'me', type: 'Unauthorized' }, 10);
    clock.advance(10_000);
    await metricHistory.tick();
    clock.advance(10_000);
    await metricHistory.tick();

    const requests = seriesNamed(metricHistory, 'requests');
    expect(requests.times).toEqual([clock.now() - 10_000, clock.now()]);
    expect(requests.values).toEqual([40, 0]);
    const errorRate = seriesNamed(metricHistory, 'errorRate');
    // No requests in the second period: no rate, rather than 0 %.
    expect(errorRate.values).toEqual([25, null]);
    expect(errorRate.thresholds).toEqual([{ alarm: 'HighErrorRate', value: 10, periodSeconds: 300 }]);
    expect(seriesNamed(metricHistory, 'latencyP99').thresholds.map((t) => t.alarm)).toEqual(['HighLatency']);
    expect(seriesNamed(metricHistory, 'requests').thresholds).toEqual([]);
  });

  it('keeps only the last periods', async () => {
    const { metrics, clock, metricHistory } = history(3);
    await metricHistory.tick();
    for (let period = 1; period <= 5; period++) {
      metrics.requests.inc({ operation: 'me' }, period);
      clock.advance(10_000);
      await metricHistory.tick();
    }
    const requests = seriesNamed(metricHistory, 'requests');
    expect(requests.values).toEqual([3, 4, 5]);
    expect(requests.times).toHaveLength(3);
  });
});
