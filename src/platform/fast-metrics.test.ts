import { Counter, Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { FastCounter, FastHistogram } from './fast-metrics.ts';

const buckets = [0.001, 0.005, 0.01, 0.1, 1];

interface Registries {
  prom: Registry;
  fast: Registry;
}

/** prom-client's metric and ours, each in a registry of its own, exposed alike (text and JSON). */
async function expectSameExposition(registries: Registries) {
  expect(await registries.fast.metrics()).toBe(await registries.prom.metrics());
  expect(await registries.fast.getMetricsAsJSON()).toEqual(await registries.prom.getMetricsAsJSON());
}

/** The same histogram twice, prom-client's and ours, each in a registry of its own. */
function pair(labelNames: string[]) {
  const registries: Registries = { prom: new Registry(), fast: new Registry() };
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
    await expectSameExposition(registries);
  });

  it('shows zeros before any observation when it has no labels, and nothing after a reset', async () => {
    const { registries, prom, fast } = pair([]);
    await expectSameExposition(registries);
    expect(await registries.fast.metrics()).toContain('plaza_test_seconds_count 0');
    prom.observe(0.2);
    fast.observe(0.2);
    await expectSameExposition(registries);
    registries.prom.resetMetrics();
    registries.fast.resetMetrics();
    await expectSameExposition(registries);
    expect(await registries.fast.metrics()).not.toContain('plaza_test_seconds_count');
  });

  it('refuses a value that is not a number and a label it was not made with', () => {
    const { fast } = pair(['operation']);
    expect(() => fast.observe({ operation: 'x' }, Number.NaN)).toThrow(TypeError);
    expect(() => fast.recorder({ operation: 'x' })(Number.POSITIVE_INFINITY)).toThrow(TypeError);
    expect(() => fast.observe({ route: 'x' } as never, 1)).toThrow(/route/);
  });
});

/** The same counter twice, prom-client's and ours. */
function counters(labelNames: string[]) {
  const registries: Registries = { prom: new Registry(), fast: new Registry() };
  const options = { name: 'plaza_test_total', help: 'A test.', labelNames };
  const prom = new Counter({ ...options, registers: [registries.prom] });
  const fast = new FastCounter({ ...options, registers: [registries.fast] });
  return { registries, prom, fast };
}

describe('FastCounter', () => {
  it("exposes what prom-client's Counter exposes for the same counts", async () => {
    const { registries, prom, fast } = counters(['table', 'index']);
    const labelSets = [
      { table: 'main', index: '' },
      { table: 'main', index: 'GSI1' },
      { index: 'GSI1', table: 'users' },
    ];
    const incrementers = labelSets.map((labels) => fast.incrementer(labels));
    for (let i = 0; i < 3000; i++) {
      const set = i % labelSets.length;
      const value = i % 7 === 0 ? undefined : (i % 13) * 0.5;
      prom.inc(labelSets[set]!, value);
      if (i % 2 === 0) incrementers[set]!(value);
      else fast.inc(labelSets[set]!, value);
    }
    await expectSameExposition(registries);
  });

  it('shows zero without labels, from the start and after a reset; nothing with labels after one', async () => {
    const plain = counters([]);
    await expectSameExposition(plain.registries);
    expect(await plain.registries.fast.metrics()).toContain('plaza_test_total 0');
    plain.prom.inc();
    plain.fast.inc();
    plain.prom.inc(2.5);
    plain.fast.inc(2.5);
    expect(await plain.registries.fast.metrics()).toContain('plaza_test_total 3.5');
    plain.registries.prom.resetMetrics();
    plain.registries.fast.resetMetrics();
    await expectSameExposition(plain.registries);
    expect(await plain.registries.fast.metrics()).toContain('plaza_test_total 0');

    const labelled = counters(['operation']);
    labelled.prom.inc({ operation: 'getPost' });
    labelled.fast.inc({ operation: 'getPost' });
    labelled.registries.prom.resetMetrics();
    labelled.registries.fast.resetMetrics();
    await expectSameExposition(labelled.registries);
  });

  it('refuses a value that is not a number, a negative one and a label it was not made with', () => {
    const { fast } = counters(['operation']);
    expect(() => fast.inc({ operation: 'x' }, Number.NaN)).toThrow(TypeError);
    expect(() => fast.incrementer({ operation: 'x' })(Number.POSITIVE_INFINITY)).toThrow(TypeError);
    expect(() => fast.inc({ operation: 'x' }, -1)).toThrow(/decrease/);
    expect(() => fast.inc({ route: 'x' } as never)).toThrow(/route/);
  });
});
