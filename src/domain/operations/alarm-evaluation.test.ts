import { describe, expect, it } from 'vitest';
import { createMetrics } from '../../platform/metrics.ts';
import {
  checkRules,
  datapointOf,
  evaluateAlarm,
  snapshotOf,
  type MetricSnapshot,
} from './alarm-evaluation.ts';
import { defaultAlarmRules, type AlarmRule } from './alarm-rules.ts';

const rule = (overrides: Partial<AlarmRule>): AlarmRule => ({
  name: 'Test',
  metric: 'plaza_errors_total',
  statistic: 'Sum',
  threshold: 10,
  comparison: 'GreaterThanThreshold',
  periodSeconds: 60,
  evaluationPeriods: 2,
  treatMissingData: 'missing',
  ...overrides,
});

async function snapshot(metrics: ReturnType<typeof createMetrics>): Promise<MetricSnapshot> {
  return snapshotOf(await metrics.registry.getMetricsAsJSON());
}

describe('datapoints', () => {
  it('are the increase of a counter over the period, filtered by labels, missing with no series', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    const start = await snapshot(metrics);
    expect(datapointOf(rule({}), start, start)).toBeUndefined();
    metrics.errors.inc({ operation: 'me', type: 'Unauthorized' }, 3);
    metrics.errors.inc({ operation: 'getPost', type: 'NotFound' }, 4);
    const middle = await snapshot(metrics);
    expect(datapointOf(rule({}), start, middle)).toBe(7);
    expect(datapointOf(rule({ labels: { operation: 'me' } }), start, middle)).toBe(3);
    metrics.errors.inc({ operation: 'me', type: 'Unauthorized' });
    expect(datapointOf(rule({}), middle, await snapshot(metrics))).toBe(1);
  });

  it('give a ratio in percent, missing when the denominator did not move', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    const ratio = rule({ denominator: 'plaza_requests_total' });
    const start = await snapshot(metrics);
    expect(datapointOf(ratio, start, await snapshot(metrics))).toBeUndefined();
    metrics.requests.inc({ operation: 'me' }, 40);
    const healthy = await snapshot(metrics);
    expect(datapointOf(ratio, start, healthy)).toBe(0);
    metrics.requests.inc({ operation: 'me' }, 8);
    metrics.errors.inc({ operation: 'me', type: 'Unauthorized' }, 2);
    expect(datapointOf(ratio, healthy, await snapshot(metrics))).toBe(25);
  });

  it('read histograms: average, sample count and percentiles of the period only', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    metrics.latency.observe({ operation: 'me' }, 20); // before the period: not counted
    const start = await snapshot(metrics);
    for (let i = 0; i < 90; i++) metrics.latency.observe({ operation: 'me' }, 0.004);
    for (let i = 0; i < 10; i++) metrics.latency.observe({ operation: 'homeFeed' }, 0.4);
    const end = await snapshot(metrics);
    const latency = (statistic: string, labels?: Record<string, string>) =>
      datapointOf(
        rule({ metric: 'plaza_latency_seconds', statistic, ...(labels ? { labels } : {}) }),
        start,
        end,
      );
    expect(latency('SampleCount')).toBe(100);
    expect(latency('Average')).toBeCloseTo((90 * 0.004 + 10 * 0.4) / 100, 9);
    // p50 falls in the (0.0025, 0.005] bucket, p99 in (0.25, 0.5]: interpolated within them.
    expect(latency('p50')).toBeGreaterThan(0.0025);
    expect(latency('p50')).toBeLessThanOrEqual(0.005);
    expect(latency('p99')).toBeGreaterThan(0.25);
    expect(latency('p99')).toBeLessThanOrEqual(0.5);
    expect(latency('p99', { operation: 'me' })).toBeLessThanOrEqual(0.005);
    expect(latency('Average', { operation: 'nothing' })).toBeUndefined();
  });

  it('read gauges from the samples taken during the period', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    const samples: MetricSnapshot[] = [];
    for (const clients of [3, 9, 6]) {
      metrics.connectedClients.set(clients);
      samples.push(await snapshot(metrics));
    }
    const gauge = (statistic: string) =>
      datapointOf(rule({ metric: 'plaza_connected_clients', statistic }), samples[0]!, samples[2]!, samples);
    expect(gauge('Maximum')).toBe(9);
    expect(gauge('Minimum')).toBe(3);
    expect(gauge('Average')).toBe(6);
  });
});

describe('alarm state', () => {
  const twoOfTwo = rule({ treatMissingData: 'notBreaching' });

  it('alarms when every evaluation period breaches, and returns to OK', () => {
    expect(evaluateAlarm(twoOfTwo, [50], 'INSUFFICIENT_DATA').state).toBe('OK');
    const alarm = evaluateAlarm(twoOfTwo, [50, 11], 'OK');
    expect(alarm.state).toBe('ALARM');
    expect(alarm.reason).toContain(
      '2 out of the last 2 datapoints [50, 11] were greater than the threshold (10)',
    );
    expect(evaluateAlarm(twoOfTwo, [50, 11, 10], 'ALARM').state).toBe('OK');
  });

  it('counts M of N with datapointsToAlarm', () => {
    const threeOfFive = rule({
      evaluationPeriods: 5,
      datapointsToAlarm: 3,
      treatMissingData: 'notBreaching',
    });
    expect(evaluateAlarm(threeOfFive, [20, 0, 20, 0, 0], 'OK').state).toBe('OK');
    expect(evaluateAlarm(threeOfFive, [20, 0, 20, 0, 20], 'OK').state).toBe('ALARM');
  });

  it('treats missing data as the rule says', () => {
    const gap = [50, undefined];
    expect(evaluateAlarm(rule({ treatMissingData: 'notBreaching' }), gap, 'ALARM').state).toBe('OK');
    expect(evaluateAlarm(rule({ treatMissingData: 'breaching' }), gap, 'OK').state).toBe('ALARM');
    expect(evaluateAlarm(rule({ treatMissingData: 'ignore' }), gap, 'ALARM').state).toBe('ALARM');
    expect(evaluateAlarm(rule({ treatMissingData: 'ignore' }), [undefined, 50], 'OK').state).toBe('OK');
    expect(evaluateAlarm(rule({ treatMissingData: 'missing' }), [undefined, undefined], 'OK').state).toBe(
      'INSUFFICIENT_DATA',
    );
    expect(evaluateAlarm(rule({ treatMissingData: 'missing' }), gap, 'OK').state).toBe('OK');
  });

  it('compares in all four directions', () => {
    const at = (comparison: AlarmRule['comparison'], value: number) =>
      evaluateAlarm(rule({ comparison, evaluationPeriods: 1 }), [value], 'OK').state;
    expect([at('GreaterThanThreshold', 10), at('GreaterThanOrEqualToThreshold', 10)]).toEqual([
      'OK',
      'ALARM',
    ]);
    expect([at('LessThanThreshold', 10), at('LessThanOrEqualToThreshold', 10)]).toEqual(['OK', 'ALARM']);
  });
});

describe('rule checks', () => {
  it('accept the default rules and refuse unknown metrics and impossible statistics', async () => {
    const metrics = await snapshot(createMetrics({ defaultMetrics: false }));
    expect(() => checkRules(defaultAlarmRules, metrics)).not.toThrow();
    expect(() => checkRules([rule({ metric: 'plaza_nothing_total' })], metrics)).toThrow(
      /alarm Test: no metric named plaza_nothing_total/,
    );
    expect(() => checkRules([rule({ statistic: 'p99' })], metrics)).toThrow(/is a counter; it has no p99/);
  });
});
