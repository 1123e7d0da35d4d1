import { Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { FastHistogram } from './fast-histogram.ts';

const buckets = [0.001, 0.005, 0.01, 0.1, 1];

/** The same histogram twice, prom-client's and ours, each in a registry of its own. */
function pair(labelNames: string[]) {
  const registries = { prom: new Registry(), fast: new Registry() };
  const options = { name: 'plaza_test_seconds', help: 'A test.', buckets, labelNames };
  const prom = new Histogram({ ...options, registers: [registries.prom] });
  const fast = new FastHistogram({ ...options, registers: [registries.fast] });
  return { registries, prom, fast };
}

describe('FastHistogram', () => {
  it("exposes what prom-client's Histogram exposes for the same observations", async () => {
    const { registries, prom, fast } = pair(['table', 'operation']);
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const labelSets = [
      { table: 'main', operation: 'GetItem' },
      { table: 'main', operation: 'Query' },
      { operation: 'Query', table: 'users' },
    ];
    const recorders = labelSets.map((labels) => fast.recorder(labels));
    for (let i = 0; i < 3000; i++) {
      const set = i % labelSets.length;
      // Values on the bounds too: a bucket holds what is less than or equal to its bound.
      const value = i % 10 === 0 ? (buckets[i % buckets.length] as number) : random() ** 4 * 2;
      prom.observe(labelSets[set]!, value);
      if (i % 2 === 0) recorders[set]!(value);
      else fast.observe(labelSets[set]!, value);
    }
    expect(await registries.fast.metrics()).toBe(await registries.prom.metrics());
    expect(await registries.fast.getMetricsAsJSON()).toEqual(await registries.prom.getMetricsAsJSON());
  });

  it('shows zeros before any observation when it has no labels, and nothing after a reset', async () => {
    const { registries, prom, fast } = pair([]);
    expect(await registries.fast.metrics()).toBe(await registries.prom.metrics());
    expect(await registries.fast.metrics()).toContain('plaza_test_seconds_count 0');
    prom.observe(0.2);
    fast.observe(0.2);
    expect(await registries.fast.metrics()).toBe(await registries.prom.metrics());
    registries.prom.resetMetrics();
    registries.fast.resetMetrics();
    expect(await registries.fast.metrics()).toBe(await registries.prom.metrics());
    expect(await registries.fast.metrics()).not.toContain('plaza_test_seconds_count');
  });

  it('refuses a value that is not a number and a label it was not made with', () => {
    const { fast } = pair(['operation']);
    expect(() => fast.observe({ operation: 'x' }, Number.NaN)).toThrow(TypeError);
    expect(() => fast.recorder({ operation: 'x' })(Number.POSITIVE_INFINITY)).toThrow(TypeError);
    expect(() => fast.observe({ route: 'x' } as never, 1)).toThrow(/route/);
  });
});
