import { describe, expect, it } from 'vitest';
import { createMetrics } from '../../platform/metrics.ts';
import { checkRules, datapointOf, evaluateAlarm, snapshotOf } from './alarm-evaluation.ts';
import { backupLagAlarmRule, defaultAlarmRules } from './alarm-rules.ts';

describe('the BackupLag alarm', () => {
  it('watches a metric the server has, and fires only when the copy stayed behind for the whole period', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    const sample = async (lag: number) => {
      metrics.backupLag.set(lag);
      return snapshotOf(await metrics.registry.getMetricsAsJSON());
    };
    const start = await sample(0);
    expect(() => checkRules([...defaultAlarmRules, backupLagAlarmRule], start)).not.toThrow();
    // Samples over one minute: caught up once (the minimum is 0), then behind at every sample.
    const recovering = [await sample(40), await sample(0), await sample(25)];
    const stuck = [await sample(12), await sample(30), await sample(45)];
    const datapoints = [recovering, stuck].map((samples) =>
      datapointOf(backupLagAlarmRule, start, samples.at(-1) ?? start, samples),
    );
    expect(datapoints).toEqual([0, 12]);
    expect(evaluateAlarm(backupLagAlarmRule, datapoints.slice(0, 1), 'OK').state).toBe('OK');
    expect(evaluateAlarm(backupLagAlarmRule, datapoints, 'OK').state).toBe('ALARM');
  });
});
