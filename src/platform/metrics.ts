/**
 * Prometheus metrics under the design's names (CONTRACT.md). One registry per
 * application instance, so tests and several apps in one process never share
 * counters. With `enabled: false` every instrument does nothing and the
 * registry stays empty (for deployments measured by other means).
 */
import { Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { FastCounter, FastHistogram } from './fast-metrics.ts';

type LabelValues<L extends string> = Partial<Record<L, string | number>>;

/** What Plaza does with a counter (fast-metrics.ts's, or nothing when metrics are off). */
export interface CounterMetric<L extends string = string> {
  inc(labels: LabelValues<L>, value?: number): void;
  inc(value?: number): void;
}

export interface GaugeMetric {
  inc(value?: number): void;
  dec(value?: number): void;
  set(value: number): void;
}

export interface HistogramMetric<L extends string = string> {
  observe(labels: LabelValues<L>, value: number): void;
  observe(value: number): void;
}

export interface Metrics {
  /** False when metrics are turned off (`metrics.enabled`): nothing is counted. */
  enabled: boolean;
  registry: Registry;
  consumedReadUnits: CounterMetric<'table' | 'index'>;
  consumedWriteUnits: CounterMetric<'table' | 'index'>;
  /** Cognito's SignInSuccesses, SignInThrottles and TokenRefreshSuccesses. */
  signInSuccesses: CounterMetric;
  signInThrottles: CounterMetric;
  tokenRefreshSuccesses: CounterMetric;
  /** AppSync's Requests, Errors and Latency, per GraphQL operation or HTTP route. */
  requests: CounterMetric<'operation'>;
  errors: CounterMetric<'operation' | 'type'>;
  latency: HistogramMetric<'operation'>;
  /** One answered request: `requests` and `latency` under its operation, as every API counts them. */
  answered(operation: string, seconds: number): void;
  /** AppSync's ConnectedClients (WebSocket subscribers). */
  connectedClients: GaugeMetric;
  /** Image pipeline jobs by outcome (READY, FAILED, SKIPPED, ERROR), and how long they took. */
  mediaJobs: CounterMetric<'outcome'>;
  mediaJobSeconds: HistogramMetric;
  /** Media server requests answered from the edge cache (Hit) or the store (Miss). */
  mediaCache: CounterMetric<'result'>;
  /** The ItemStore meter: capacity units per table and index. */
  capacityMeter: {
    consumed(usage: { table: string; index?: string; readUnits: number; writeUnits: number }): void;
  };
  /** DynamoDB's ThrottledRequests and SuccessfulRequestLatency, per table and operation. */
  throttledRequests: CounterMetric<'table' | 'operation'>;
  successfulRequestLatency: HistogramMetric<'table' | 'operation'>;
  /** Where an ItemStore reports each call's outcome (see ports/item-store/observed-item-store.ts). */
  storeRequests: {
    /** What one operation on one table reports: looked up once, as the store reports every call. */
    operation(table: string, operation: string): StoreOperationReporter;
  };
  /** Bytes sent in response bodies, per HTTP route: the transfer the cost report prices. */
  responseBytes: CounterMetric<'operation'>;
  /**
   * How old each change record was when a stream consumer had handled it (Lambda's IteratorAge),
   * to the second, as stream records carry their creation time.
   */
  streamConsumerLag: HistogramMetric<'consumer'>;
  /** How far the continuous off-machine copy is behind: the age of the oldest change not yet shipped (0: none). */
  backupLag: GaugeMetric;
}

export interface StoreOperationReporter {
  succeeded(seconds: number): void;
  throttled(): void;
}

/** Every instrument at once, doing nothing. */
const nothing = {
  inc() {},
  dec() {},
  set() {},
  observe() {},
};

function disabledMetrics(): Metrics {
  return {
    enabled: false,
    registry: new Registry(),
    consumedReadUnits: nothing,
    consumedWriteUnits: nothing,
    signInSuccesses: nothing,
    signInThrottles: nothing,
    tokenRefreshSuccesses: nothing,
    requests: nothing,
    errors: nothing,
    latency: nothing,
    answered() {},
    connectedClients: nothing,
    mediaJobs: nothing,
    mediaJobSeconds: nothing,
    mediaCache: nothing,
    capacityMeter: { consumed() {} },
    throttledRequests: nothing,
    successfulRequestLatency: nothing,
    storeRequests: { operation: () => ({ succeeded() {}, throttled() {} }) },
    responseBytes: nothing,
    streamConsumerLag: nothing,
    backupLag: nothing,
  };
}

/** Every instrument, in `registry`, under its name and help text. */
function createInstruments(registry: Registry) {
  // Plaza's own counter and histogram (fast-metrics.ts): requests, latencies and capacity are
  // counted on every request and every store call, and prom-client's cost 0.3-0.6 µs a count.
  const counter = <L extends string = string>(name: string, help: string, labelNames: readonly L[] = []) =>
    new FastCounter<L>({ name, help, labelNames, registers: [registry] });
  const histogram = <L extends string = string>(
    name: string,
    help: string,
    buckets: number[],
    labelNames: readonly L[] = [],
  ) => new FastHistogram<L>({ name, help, labelNames, buckets, registers: [registry] });
  return {
    consumedReadUnits: counter(
      'plaza_consumed_read_capacity_units_total',
      'Read capacity units consumed, by table and index (DynamoDB ConsumedReadCapacityUnits).',
      ['table', 'index'],
    ),
    consumedWriteUnits: counter(
      'plaza_consumed_write_capacity_units_total',
      'Write capacity units consumed, by table and index (DynamoDB ConsumedWriteCapacityUnits).',
      ['table', 'index'],
    ),
    signInSuccesses: counter(
      'plaza_sign_in_successes_total',
      'Successful sign-ins (Cognito SignInSuccesses).',
    ),
    signInThrottles: counter(
      'plaza_sign_in_throttles_total',
      'Sign-ins refused by a lockout or a rate limit (Cognito SignInThrottles).',
    ),
    tokenRefreshSuccesses: counter(
      'plaza_token_refresh_successes_total',
      'Successful token refreshes (Cognito TokenRefreshSuccesses).',
    ),
    requests: counter(
      'plaza_requests_total',
      'Requests, per GraphQL operation or HTTP route (AppSync Requests).',
      ['operation'],
    ),
    errors: counter(
      'plaza_errors_total',
      'Requests answered with an error, per operation and error type (AppSync 4XX/5XX errors).',
      ['operation', 'type'],
    ),
    latency: histogram(
      'plaza_latency_seconds',
      'Request latency, per GraphQL operation or HTTP route (AppSync Latency).',
      [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      ['operation'],
    ),
    connectedClients: new Gauge({
      name: 'plaza_connected_clients',
      help: 'Connected WebSocket subscription clients (AppSync ConnectedClients).',
      registers: [registry],
    }),
    mediaJobs: counter('plaza_media_jobs_total', 'Image pipeline jobs, by outcome.', ['outcome']),
    mediaJobSeconds: histogram(
      'plaza_media_job_seconds',
      'Time one image pipeline job took.',
      [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    ),
    mediaCache: counter(
      'plaza_media_cache_requests_total',
      'Media server requests, by edge cache result (Hit or Miss).',
      ['result'],
    ),
    throttledRequests: counter(
      'plaza_throttled_requests_total',
      'Item-store requests refused for throughput, by table and operation (DynamoDB ThrottledRequests).',
      ['table', 'operation'],
    ),
    successfulRequestLatency: histogram(
      'plaza_successful_request_latency_seconds',
      'Latency of successful item-store requests, by table and operation (DynamoDB SuccessfulRequestLatency).',
      [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      ['table', 'operation'],
    ),
    responseBytes: counter(
      'plaza_response_bytes_total',
      'Bytes sent in response bodies, per HTTP route (data transfer out).',
      ['operation'],
    ),
    streamConsumerLag: histogram(
      'plaza_stream_consumer_lag_seconds',
      'Age of each change record when a stream consumer had handled it, by consumer (Lambda IteratorAge).',
      [1, 2, 5, 10, 30, 60, 300, 900, 3600],
      ['consumer'],
    ),
    backupLag: new Gauge({
      name: 'plaza_backup_lag_seconds',
      help: 'Age of the oldest change or media object not yet shipped to the continuous off-machine copy (0: all shipped).',
      registers: [registry],
    }),
  };
}

export function createMetrics(options: { defaultMetrics?: boolean; enabled?: boolean } = {}): Metrics {
  if (options.enabled === false) return disabledMetrics();
  const registry = new Registry();
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: 'plaza_process_' });
  const instruments = createInstruments(registry);
  const { consumedReadUnits, consumedWriteUnits, throttledRequests, successfulRequestLatency } = instruments;
  // A label set's series is found once: per operation, per table and index, per store operation.
  const operations = new Map<string, { requests: () => void; latency: (seconds: number) => void }>();
  const tables = new Map<
    string,
    Map<string, { read: (units: number) => void; write: (units: number) => void }>
  >();
  return {
    enabled: true,
    registry,
    ...instruments,
    answered(operation, seconds) {
      let series = operations.get(operation);
      if (!series) {
        // GraphQL's operation labels are bounded where they are named (graphql-engine.ts), the
        // routes' by the routes.
        series = {
          requests: instruments.requests.incrementer({ operation }),
          latency: instruments.latency.recorder({ operation }),
        };
        operations.set(operation, series);
      }
      series.requests();
      series.latency(seconds);
    },
    capacityMeter: {
      consumed({ table, index = '', readUnits, writeUnits }) {
        let indexes = tables.get(table);
        if (!indexes) tables.set(table, (indexes = new Map()));
        let series = indexes.get(index);
        if (!series) {
          const labels = { table, index };
          series = {
            read: consumedReadUnits.incrementer(labels),
            write: consumedWriteUnits.incrementer(labels),
          };
          indexes.set(index, series);
        }
        if (readUnits > 0) series.read(readUnits);
        if (writeUnits > 0) series.write(writeUnits);
      },
    },
    storeRequests: {
      operation(table, operation) {
        let record: ((seconds: number) => void) | undefined;
        return {
          succeeded: (seconds) =>
            (record ??= successfulRequestLatency.recorder({ table, operation }))(seconds),
          throttled: () => throttledRequests.inc({ table, operation }),
        };
      },
    },
  };
}
