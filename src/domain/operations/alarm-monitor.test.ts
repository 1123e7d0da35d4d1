import { describe, expect, it } from 'vitest';
import { createMetrics } from '../../platform/metrics.ts';
import { ManualClock } from '../../ports/clock.ts';
import type { Notifier } from '../../ports/notifier.ts';
import { AlarmMonitor } from './alarm-monitor.ts';
import { defaultAlarmRules } from './alarm-rules.ts';

const silent = { info: () => {}, warn: () => {}, error: () => {} };

function monitor(options: { failingNotifier?: boolean } = {}) {
  const metrics = createMetrics({ defaultMetrics: false });
  const clock = new ManualClock();
  const published: { subject: string; body: Record<string, unknown> }[] = [];
  const errors: unknown[] = [];
  const notifier: Notifier = {
    async publish(message) {
      if (options.failingNotifier) throw new Error('webhook down');
      published.push(message);
    },
  };
  const alarms = new AlarmMonitor(defaultAlarmRules, {
    clock,
    readMetrics: () => metrics.registry.getMetricsAsJSON(),
    notifier,
    logger: { ...silent, error: (...args: unknown[]) => void errors.push(args) },
    region: 'us-west-1',
  });
  return { metrics, clock, alarms, published, errors };
}

const highErrorRate = (alarms: AlarmMonitor) => alarms.list().find((a) => a.name === 'HighErrorRate')!;

describe('the alarm monitor', () => {
  it('fires HighErrorRate after two failing periods, publishes it, and resolves it', async () => {
    const { metrics, clock, alarms, published } = monitor();
    await alarms.start();
    expect(highErrorRate(alarms).state).toBe('INSUFFICIENT_DATA');
    const period = async (requests: number, errors: number) => {
      metrics.requests.inc({ operation: 'me' }, requests);
      if (errors) metrics.errors.inc({ operation: 'me', type: 'Unauthorized' }, errors);
      // Several ticks per period: only the one at the period's end closes a datapoint.
      for (let i = 0; i < 30; i++) {
        clock.advance(10_000);
        await alarms.tick();
      }
    };
    await period(100, 50);
    expect(highErrorRate(alarms).state).toBe('OK');
    expect(published).toHaveLength(0);
    await period(100, 30);
    const firing = highErrorRate(alarms);
    expect(firing.state).toBe('ALARM');
    expect(firing.datapoints.map((p) => p.value)).toEqual([50, 30]);
    expect(published).toHaveLength(1);
    expect(published[0]!.subject).toBe('ALARM: "HighErrorRate" in us-west-1');
    expect(published[0]!.body).toMatchObject({
      status: 'firing',
      AlarmName: 'HighErrorRate',
      NewStateValue: 'ALARM',
      OldStateValue: 'OK',
      Trigger: { Period: 300, EvaluationPeriods: 2, Threshold: 10, TreatMissingData: 'notBreaching' },
    });
    await period(100, 0);
    expect(highErrorRate(alarms).state).toBe('OK');
    expect(published[1]!.body).toMatchObject({
      status: 'resolved',
      NewStateValue: 'OK',
      OldStateValue: 'ALARM',
    });
    // A quiet period is missing data, not breaching: the alarm stays OK, nothing more is sent.
    await period(0, 0);
    expect(highErrorRate(alarms).datapoints.at(-1)!.value).toBeNull();
    expect(published).toHaveLength(2);
  });

  it('logs a notification that fails and keeps evaluating', async () => {
    const { metrics, clock, alarms, errors } = monitor({ failingNotifier: true });
    await alarms.start();
    for (let i = 0; i < 2; i++) {
      metrics.requests.inc({ operation: 'me' }, 10);
      metrics.errors.inc({ operation: 'me', type: 'Unauthorized' }, 10);
      clock.advance(300_000);
      await alarms.tick();
    }
    expect(highErrorRate(alarms).state).toBe('ALARM');
    expect(errors).toHaveLength(1);
  });

  it('records periods that passed without a tick as missing', async () => {
    const { metrics, clock, alarms } = monitor();
    await alarms.start();
    metrics.requests.inc({ operation: 'me' }, 10);
    clock.advance(3 * 300_000 + 1);
    await alarms.tick();
    expect(highErrorRate(alarms).datapoints.map((p) => p.value)).toEqual([null, null]);
  });
});
