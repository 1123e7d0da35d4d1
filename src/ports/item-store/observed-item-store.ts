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
  /** What one operation on one table reports; asked once per operation, not on every call. */
  operation(table: string, operation: StoreOperation): OperationReporter;
}

export interface OperationReporter {
  succeeded(seconds: number): void;
  throttled(): void;
}

export function observedItemStore(store: ItemStore, observer: RequestObserver): ItemStore {
  const table = store.tableName;
  /**
   * A store call observed: callbacks rather than an async function (one promise less on every
   * call), and the operation's reporter asked for on its first call.
   */
  function observed(operation: StoreOperation) {
    let reporter: OperationReporter | undefined;
    return <T>(call: () => Promise<T>): Promise<T> => {
      const started = performance.now();
      return call().then(
        (result) => {
          reporter ??= observer.operation(table, operation);
          reporter.succeeded((performance.now() - started) / 1000);
          return result;
        },
        (error: unknown) => {
          if (isPlazaError(error, 'ProvisionedThroughputExceededException')) {
            reporter ??= observer.operation(table, operation);
            reporter.throttled();
          }
          throw error;
        },
      );
    };
  }
  const get = observed('GetItem');
  const put = observed('PutItem');
  const remove = observed('DeleteItem');
  const update = observed('UpdateItem');
  const query = observed('Query');
  const batchGet = observed('BatchGetItem');
  const batchWrite = observed('BatchWriteItem');
  const transactWrite = observed('TransactWriteItems');
  return {
    tableName: table,
    changes: store.changes,
    // A read from memory is no request to the engine (as DAX answers without DynamoDB): not timed.
    ...(store.cached ? { cached: store.cached.bind(store) } : {}),
    get: (key, options) => get(() => store.get(key, options)),
    put: (request) => put(() => store.put(request)),
    delete: (request) => remove(() => store.delete(request)),
    update: (request) => update(() => store.update(request)),
    query: (request) => query(() => store.query(request)),
    batchGet: (keys, options) => batchGet(() => store.batchGet(keys, options)),
    batchWrite: (requests) => batchWrite(() => store.batchWrite(requests)),
    transactWrite: (actions) => transactWrite(() => store.transactWrite(actions)),
    close: () => store.close(),
  };
}
