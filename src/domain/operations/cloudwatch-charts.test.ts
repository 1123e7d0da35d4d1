import { describe, expect, it } from 'vitest';
import type { AlarmView } from '../../ports/alarm-source.ts';
import { ManualClock } from '../../ports/clock.ts';
import type { MetricQuery } from '../../ports/metric-source.ts';
import { cloudWatchAlarm } from './cloudwatch-alarms.ts';
import { cloudWatchCharts, cloudWatchHistory } from './cloudwatch-charts.ts';
import { defaultAlarmRules } from './alarm-rules.ts';

const resources = {
  graphqlApiId: 'xlvmnh3lyvfufhsh7ssjhkp5im',
  userPoolId: 'us-west-1_AbCdEfGhI',
  userPoolClientId: 'abc123',
  tableName: 'plaza-dev',
};

/** A deployed alarm as DescribeAlarms reports it, built from a rule as the CDK app builds it. */
function deployed(ruleName: string): AlarmView {
  const rule = defaultAlarmRules.find((r) => r.name === ruleName)!;
  const spec = cloudWatchAlarm(rule, resources);
  const statistic = (m: {
    namespace: string;
    metricName: string;
    dimensionsMap: Record<string, string>;
    statistic: string;
  }) => ({
    namespace: m.namespace,
    metricName: m.metricName,
    dimensions: m.dimensionsMap,
    statistic: m.statistic,
  });
  return {
    name: `plaza-dev-${rule.name}`,
    description: rule.description,
    state: 'OK',
    reason: 'Threshold Crossed: no datapoints were breaching',
    stateChangedAt: '2026-12-07T06:00:00.000Z',
    threshold: spec.threshold,
    periodSeconds: rule.periodSeconds,
    watches:
      'metricName' in spec.metric
        ? { metric: statistic(spec.metric) }
        : {
            expression: spec.metric.expression,
            metrics: Object.fromEntries(
              Object.entries(spec.metric.usingMetrics).map(([id, m]) => [id, statistic(m)]),
            ),
          },
  };
}

describe('cloudWatchCharts and cloudWatchHistory', () => {
  it('charts the design’s series from CloudWatch, expressions over hidden metrics, latency in ms', () => {
    const charts = cloudWatchCharts(resources, 60);
    expect(charts.map((c) => [c.name, c.unit])).toEqual([
      ['requests', 'requests'],
      ['errors', 'errors'],
      ['errorRate', '%'],
      ['latencyP99', 'ms'],
      ['readCapacity', 'RCU'],
      ['writeCapacity', 'WCU'],
      ['throttled', 'requests'],
      ['connectedClients', 'clients'],
    ]);
    expect(charts[3]!.metric).toMatchObject({
      namespace: 'AWS/AppSync',
      metricName: 'Latency',
      statistic: 'p99',
    });
    expect(charts[2]!.metric).toMatchObject({ expression: '100 * (m0 + m1) / (d0)' });
  });

  it('reads the last window in one request, each period’s end as its time, with the thresholds of the alarms on each series', async () => {
    const clock = new ManualClock(Date.UTC(2026, 11, 7, 7, 0, 0));
    const asked: { queries: MetricQuery[]; range: object }[] = [];
    const metrics = {
      read: async (queries: MetricQuery[], range: { start: number; end: number; periodSeconds: number }) => {
        asked.push({ queries, range });
        const times = [range.start, range.start + 60_000];
        return Object.fromEntries(
          queries.filter((q) => !q.hidden).map((q) => [q.id, { times, values: [1, null] }]),
        );
      },
    };
    const alarms = defaultAlarmRules.map((rule) => deployed(rule.name));
    const history = await cloudWatchHistory({
      metrics,
      alarms: { list: async () => alarms },
      charts: cloudWatchCharts(resources, 60),
      clock,
      periodSeconds: 60,
      windowSeconds: 3600,
    });
    expect(asked).toHaveLength(1);
    expect(asked[0]!.range).toEqual({ start: clock.now() - 3_600_000, end: clock.now(), periodSeconds: 60 });
    // The error rate: its expression renamed for its chart, over its three hidden metrics.
    const errorRate = asked[0]!.queries.filter((q) => q.id.startsWith('c2'));
    expect(errorRate.map((q) => [q.id, q.hidden ?? false])).toEqual([
      ['c2m0', true],
      ['c2m1', true],
      ['c2d0', true],
      ['c2', false],
    ]);
    expect(errorRate[3]).toMatchObject({ expression: '100 * (c2m0 + c2m1) / (c2d0)' });
    expect(history.periodSeconds).toBe(60);
    expect(history.series[0]).toMatchObject({
      name: 'requests',
      times: [clock.now() - 3_600_000 + 60_000, clock.now() - 3_600_000 + 120_000],
      values: [1, null],
    });
    // Each chart names the deployed alarms on exactly its series, with CloudWatch's thresholds.
    const byName = Object.fromEntries(history.series.map((s) => [s.name, s.thresholds]));
    const highErrorRate = defaultAlarmRules.find((r) => r.name === 'HighErrorRate')!;
    expect(byName.errorRate).toEqual([
      {
        alarm: 'plaza-dev-HighErrorRate',
        value: highErrorRate.threshold,
        periodSeconds: highErrorRate.periodSeconds,
      },
    ]);
    expect(byName.requests).toEqual([]);
    const latency = defaultAlarmRules.find(
      (r) => r.metric === 'plaza_latency_seconds' && r.statistic === 'p99',
    );
    if (latency)
      expect(byName.latencyP99).toEqual([
        {
          alarm: `plaza-dev-${latency.name}`,
          value: latency.threshold * 1000,
          periodSeconds: latency.periodSeconds,
        },
      ]);
  });
});
