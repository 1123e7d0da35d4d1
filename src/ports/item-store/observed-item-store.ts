/**
 * An ItemStore that reports each call's outcome under DynamoDB's operation
 * names: the latency of the calls that succeeded (SuccessfulRequestLatency)
 * and the calls refused for throughput (ThrottledRequests). It wraps either
 * engine, so both report the same metrics.
 */
import { isPlazaError } from '../../platform/errors.ts';
import type { ItemStore } from './item-store.ts';

export type StoreOperation =
  | 'GetItem'
  | 'PutItem'
  | 'DeleteItem'
  | 'UpdateItem'
  | 'Query'
  | 'BatchGetItem'
  | 'BatchWriteItem'
  | 'TransactWriteItems';

export interface RequestObserver {
  succeeded(request: { table: string; operation: StoreOperation; seconds: number }): void;
  throttled(request: { table: string; operation: StoreOperation }): void;
}

export function observedItemStore(store: ItemStore, observer: RequestObserver): ItemStore {
  const table = store.tableName;
  // Callbacks rather than an async function: one promise less on every store call.
  function observe<T>(operation: StoreOperation, call: () => Promise<T>): Promise<T> {
    const started = performance.now();
    return call().then(
      (result) => {
        observer.succeeded({ table, operation, seconds: (performance.now() - started) / 1000 });
        return result;
      },
      (error: unknown) => {
        if (isPlazaError(error, 'ProvisionedThroughputExceededException'))
          observer.throttled({ table, operation });
        throw error;
      },
    );
  }
  return {
    tableName: table,
    changes: store.changes,
    get: (key, options) => observe('GetItem', () => store.get(key, options)),
    put: (request) => observe('PutItem', () => store.put(request)),
    delete: (request) => observe('DeleteItem', () => store.delete(request)),
    update: (request) => observe('UpdateItem', () => store.update(request)),
    query: (request) => observe('Query', () => store.query(request)),
    batchGet: (keys, options) => observe('BatchGetItem', () => store.batchGet(keys, options)),
    batchWrite: (requests) => observe('BatchWriteItem', () => store.batchWrite(requests)),
    transactWrite: (actions) => observe('TransactWriteItems', () => store.transactWrite(actions)),
    close: () => store.close(),
  };
}
