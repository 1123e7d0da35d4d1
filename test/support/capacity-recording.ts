/**
 * The capacity an ItemStore's calls report (each result's `consumed`),
 * recorded by wrapping the store's methods where they are: the app's services
 * all hold that one object, so every call they make passes through the
 * recording, which the metrics can then be checked against.
 */
import type { ConsumedCapacity, ItemStore } from '../../src/ports/item-store/item-store.ts';

const operations = {
  get: 'GetItem',
  put: 'PutItem',
  delete: 'DeleteItem',
  update: 'UpdateItem',
  query: 'Query',
  batchGet: 'BatchGetItem',
  batchWrite: 'BatchWriteItem',
  transactWrite: 'TransactWriteItems',
} as const;

export interface CapacityRecording {
  readUnits: number;
  writeUnits: number;
  /** Successful calls by DynamoDB operation name. */
  calls: Map<string, number>;
  /** Calls that threw: their capacity is not in `readUnits`/`writeUnits`. */
  failures: { operation: string; error: string }[];
}

export function recordCapacity(store: ItemStore): CapacityRecording {
  const recording: CapacityRecording = { readUnits: 0, writeUnits: 0, calls: new Map(), failures: [] };
  const methods = store as unknown as Record<
    string,
    (...args: unknown[]) => Promise<{ consumed: ConsumedCapacity }>
  >;
  for (const [method, operation] of Object.entries(operations)) {
    const original = methods[method]!.bind(store);
    methods[method] = async (...args: unknown[]) => {
      try {
        const result = await original(...args);
        recording.readUnits += result.consumed.readUnits;
        recording.writeUnits += result.consumed.writeUnits;
        recording.calls.set(operation, (recording.calls.get(operation) ?? 0) + 1);
        return result;
      } catch (error) {
        recording.failures.push({ operation, error: (error as Error).name ?? String(error) });
        throw error;
      }
    };
  }
  return recording;
}
