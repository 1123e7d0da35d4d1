import { describe, expect, it } from 'vitest';
import { PlazaError } from '../../platform/errors.ts';
import type { ItemStore } from './item-store.ts';
import { observedItemStore, type RequestObserver } from './observed-item-store.ts';

function recorder() {
  const succeeded: { table: string; operation: string; seconds: number }[] = [];
  const throttled: string[] = [];
  const asked: string[] = [];
  const observer: RequestObserver = {
    operation: (table, operation) => {
      asked.push(operation);
      return {
        succeeded: (seconds) => succeeded.push({ table, operation, seconds }),
        throttled: () => throttled.push(operation),
      };
    },
  };
  return { observer, succeeded, throttled, asked };
}

const noCapacity = { readUnits: 0, writeUnits: 0 };

describe('an observed item store', () => {
  it("reports successes with their latency and throttles under DynamoDB's operation names", async () => {
    let throttle = false;
    const inner = {
      tableName: 'plaza',
      async get() {
        if (throttle) throw new PlazaError('ProvisionedThroughputExceededException', 'slow down');
        await new Promise((resolve) => setTimeout(resolve, 5));
        return { item: undefined, consumed: noCapacity };
      },
      async query() {
        throw new PlazaError('ValidationException', 'bad query');
      },
      async transactWrite() {
        return { consumed: noCapacity };
      },
    } as unknown as ItemStore;
    const { observer, succeeded, throttled, asked } = recorder();
    const store = observedItemStore(inner, observer);

    await store.get({ PK: 'A', SK: 'B' });
    await store.get({ PK: 'A', SK: 'C' });
    await store.transactWrite([{ check: { PK: 'A', SK: 'B' }, conditions: [{ op: 'itemExists' }] }]);
    throttle = true;
    await expect(store.get({ PK: 'A', SK: 'B' })).rejects.toThrow('slow down');
    await expect(store.query({ partition: 'A' })).rejects.toThrow('bad query');

    expect(succeeded.map((s) => s.operation)).toEqual(['GetItem', 'GetItem', 'TransactWriteItems']);
    expect(succeeded.every((s) => s.table === 'plaza')).toBe(true);
    expect(succeeded[0]?.seconds).toBeGreaterThanOrEqual(0.004);
    // Each operation's reporter is asked for once, on its first outcome (a failed query has none).
    expect(asked).toEqual(['GetItem', 'TransactWriteItems']);
    // Only throughput refusals are throttles; a validation error is neither.
    expect(throttled).toEqual(['GetItem']);
    expect(store.tableName).toBe('plaza');
  });

  it('passes memory reads through untimed (no request reaches the engine), and has none when the engine keeps none', () => {
    const item = { PK: 'A', SK: 'B' };
    const inner = { tableName: 'plaza', cached: () => item } as unknown as ItemStore;
    const { observer, succeeded, asked } = recorder();
    expect(observedItemStore(inner, observer).cached?.(item)).toBe(item);
    expect(succeeded).toEqual([]);
    expect(asked).toEqual([]);
    const engine = { tableName: 'plaza' } as unknown as ItemStore;
    expect(observedItemStore(engine, observer).cached).toBeUndefined();
  });
});
