/**
 * Prometheus metrics under the design's names (CONTRACT.md). One registry per
 * application instance, so tests and several apps in one process never share
 * counters.
 */
import { Counter, Registry, collectDefaultMetrics } from 'prom-client';

export interface Metrics {
  registry: Registry;
  consumedReadUnits: Counter<'table' | 'index'>;
  consumedWriteUnits: Counter<'table' | 'index'>;
  /** The ItemStore meter: capacity units per table and index. */
  capacityMeter: {
    consumed(usage: { table: string; index?: string; readUnits: number; writeUnits: number }): void;
  };
}

export function createMetrics(options: { defaultMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: 'plaza_process_' });
  const consumedReadUnits = new Counter({
    name: 'plaza_consumed_read_capacity_units_total',
    help: 'Read capacity units consumed, by table and index (DynamoDB ConsumedReadCapacityUnits).',
    labelNames: ['table', 'index'] as const,
    registers: [registry],
  });
  const consumedWriteUnits = new Counter({
    name: 'plaza_consumed_write_capacity_units_total',
    help: 'Write capacity units consumed, by table and index (DynamoDB ConsumedWriteCapacityUnits).',
    labelNames: ['table', 'index'] as const,
    registers: [registry],
  });
  // Label children are looked up once per table and index: the meter runs on every store call.
  const children = new Map<string, { read: Counter.Internal; write: Counter.Internal }>();
  return {
    registry,
    consumedReadUnits,
    consumedWriteUnits,
    capacityMeter: {
      consumed({ table, index, readUnits, writeUnits }) {
        const id = `${table}\u0000${index ?? ''}`;
        let child = children.get(id);
        if (!child) {
          const labels = { table, index: index ?? '' };
          child = { read: consumedReadUnits.labels(labels), write: consumedWriteUnits.labels(labels) };
          children.set(id, child);
        }
        if (readUnits > 0) child.read.inc(readUnits);
        if (writeUnits > 0) child.write.inc(writeUnits);
      },
    },
  };
}
