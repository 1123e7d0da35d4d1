import { describe, expect, it } from 'vitest';
import { createMetrics } from '../../platform/metrics.ts';
import { ManualClock } from '../../ports/clock.ts';
import type { MeasuredUsage } from './cost.ts';
import { UsageRecorder } from './usage-recorder.ts';

const silent = { warn: () => {}, error: () => {} };

function memoryFile(initial?: unknown) {
  let content = initial;
  return {
    file: {
      load: async () => content,
      save: async (usage: MeasuredUsage) => {
        content = JSON.parse(JSON.stringify(usage));
      },
    },
    saved: () => content as MeasuredUsage,
  };
}

function recorder(clock: ManualClock, file: ReturnType<typeof memoryFile>['file']) {
  const metrics = createMetrics({ defaultMetrics: false });
  const usage = new UsageRecorder({
    clock,
    readMetrics: () => metrics.registry.getMetricsAsJSON(),
    file,
    logger: silent,
  });
  return { metrics, usage };
}

describe('the usage recorder', () => {
  it('counts what AWS bills, by kind of request, and connection minutes', async () => {
    const clock = new ManualClock(Date.UTC(2026, 0, 1));
    const store = memoryFile();
    const { metrics, usage } = recorder(clock, store.file);
    metrics.requests.inc({ operation: 'me' }, 99); // before the start: another run's business
    await usage.start();
    metrics.requests.inc({ operation: 'homeFeed' }, 10);
    metrics.requests.inc({ operation: 'cognito:InitiateAuth' }, 5);
    metrics.requests.inc({ operation: 'GET /healthz' }, 7);
    metrics.requests.inc({ operation: 'GET /media/*' }, 4);
    metrics.requests.inc({ operation: 'PUT /upload/*' }, 2);
    metrics.responseBytes.inc({ operation: 'GET /media/*' }, 4096);
    metrics.mediaCache.inc({ result: 'Hit' }, 3);
    metrics.mediaCache.inc({ result: 'Miss' }, 1);
    metrics.responseBytes.inc({ operation: 'GET /healthz' }, 100);
    metrics.capacityMeter.consumed({ table: 'plaza', readUnits: 3.5, writeUnits: 2 });
    metrics.capacityMeter.consumed({ table: 'plaza', index: 'GSI1', readUnits: 0.5, writeUnits: 1 });
    metrics.connectedClients.set(6);
    await usage.snapshot();
    clock.advance(30_000);
    metrics.connectedClients.set(2);
    await usage.snapshot();
    clock.advance(60_000);
    const measured = await usage.snapshot();
    expect(measured.totals).toEqual({
      readUnits: 4,
      writeUnits: 3,
      apiRequests: 10,
      realtimeMinutes: 6 * 0.5 + 2 * 1,
      s3Requests: 2 + (4 - 3), // uploads, and media requests the edge cache missed
      cdnRequests: 4,
      cdnBytes: 4096,
    });
    expect(measured.measuredSeconds).toBe(90);
    expect(measured.since).toBe('2026-01-01T00:00:00.000Z');
    expect(store.saved()).toEqual(measured);
  });

  it('adds each run to what earlier runs saved, and starts anew over a broken file', async () => {
    const clock = new ManualClock(Date.UTC(2026, 0, 2));
    const store = memoryFile({
      version: 1,
      since: '2026-01-01T00:00:00.000Z',
      updatedAt: '2026-01-01T10:00:00.000Z',
      measuredSeconds: 36_000,
      totals: { readUnits: 100, writeUnits: 50, apiRequests: 1000, realtimeMinutes: 12 },
    });
    const { metrics, usage } = recorder(clock, store.file);
    await usage.start();
    metrics.requests.inc({ operation: 'getPost' }, 3);
    clock.advance(3_600_000);
    await usage.stop();
    expect(store.saved()).toMatchObject({
      since: '2026-01-01T00:00:00.000Z',
      measuredSeconds: 39_600,
      totals: { readUnits: 100, writeUnits: 50, apiRequests: 1003, realtimeMinutes: 12, cdnBytes: 0 },
    });

    const broken = memoryFile({ version: 9 });
    const warnings: unknown[] = [];
    const fresh = new UsageRecorder({
      clock,
      readMetrics: () => createMetrics({ defaultMetrics: false }).registry.getMetricsAsJSON(),
      file: broken.file,
      logger: { ...silent, warn: (...args: unknown[]) => void warnings.push(args) },
    });
    await fresh.start();
    expect(warnings).toHaveLength(1);
    expect((await fresh.snapshot()).measuredSeconds).toBe(0);
  });
});
