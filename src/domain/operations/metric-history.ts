/**
 * A short history of the design's metrics for the operator console's charts: every tick closes a
 * datapoint per series (the same statistics as the alarms, from the same snapshots), and the last
 * `capacity` are kept in memory. A restart starts the history afresh; /metrics and a Prometheus
 * server are the long-term record.
 */
import type { Clock } from '../../ports/clock.ts';
import {
  datapointOf,
  snapshotOf,
  type MetricFamily,
  type MetricSnapshot,
  type SeriesRule,
} from './alarm-evaluation.ts';
import type { AlarmRule } from './alarm-rules.ts';

export interface ChartedSeries extends SeriesRule {
  name: string;
  title: string;
  unit: string;
}

/** The design's metrics, as the console charts them. */
export const chartedSeries: readonly ChartedSeries[] = [
  { name: 'requests', title: 'Requests', unit: 'requests', metric: 'plaza_requests_total', statistic: 'Sum' },
  { name: 'errors', title: 'Errors', unit: 'errors', metric: 'plaza_errors_total', statistic: 'Sum' },
  {
    name: 'errorRate',
    title: 'Error rate',
    unit: '%',
    metric: 'plaza_errors_total',
    denominator: 'plaza_requests_total',
    statistic: 'Sum',
  },
  { name: 'latencyP99', title: 'Latency p99', unit: 's', metric: 'plaza_latency_seconds', statistic: 'p99' },
  {
    name: 'readCapacity',
    title: 'Consumed read capacity',
    unit: 'RCU',
    metric: 'plaza_consumed_read_capacity_units_total',
    statistic: 'Sum',
  },
  {
    name: 'writeCapacity',
    title: 'Consumed write capacity',
    unit: 'WCU',
    metric: 'plaza_consumed_write_capacity_units_total',
    statistic: 'Sum',
  },
  {
    name: 'throttled',
    title: 'Throttled requests',
    unit: 'requests',
    metric: 'plaza_throttled_requests_total',
    statistic: 'Sum',
  },
  {
    name: 'connectedClients',
    title: 'Connected clients',
    unit: 'clients',
    metric: 'plaza_connected_clients',
    statistic: 'Maximum',
  },
];

export interface SeriesHistory {
  name: string;
  title: string;
  unit: string;
  /** The end of each sampling period (ms since the epoch), oldest first. */
  times: number[];
  /** The period's value, or null when it had no data (no requests: no error rate). */
  values: (number | null)[];
  /** The alarms on this very statistic, whose thresholds the chart draws. */
  thresholds: { alarm: string; value: number; periodSeconds: number }[];
}

export interface MetricHistoryServices {
  clock: Clock;
  readMetrics(): Promise<readonly MetricFamily[]>;
  rules: readonly AlarmRule[];
}

const sameSeries = (a: SeriesRule, b: SeriesRule) =>
  a.metric === b.metric &&
  a.denominator === b.denominator &&
  a.statistic === b.statistic &&
  JSON.stringify(a.labels ?? {}) === JSON.stringify(b.labels ?? {});

export class MetricHistory {
  private readonly times: number[] = [];
  private readonly values = new Map<string, (number | null)[]>();
  private previous: MetricSnapshot | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();

  constructor(
    private readonly services: MetricHistoryServices,
    /** How many periods are kept (an hour at the default 10 s). */
    private readonly capacity = 360,
    private readonly series: readonly ChartedSeries[] = chartedSeries,
  ) {
    for (const entry of series) this.values.set(entry.name, []);
  }

  /** Samples on a timer until `stop()`. */
  run(intervalMs: number): void {
    this.timer = setInterval(() => void this.tick(), intervalMs);
    this.timer.unref();
  }

  /** Closes a period: its datapoints are the change since the last tick. Ticks never overlap. */
  tick(): Promise<void> {
    this.running = this.running.then(() => this.sample());
    return this.running;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  history(): SeriesHistory[] {
    return this.series.map((entry) => ({
      name: entry.name,
      title: entry.title,
      unit: entry.unit,
      times: [...this.times],
      values: [...(this.values.get(entry.name) ?? [])],
      thresholds: this.services.rules
        .filter((rule) => sameSeries(rule, entry))
        .map((rule) => ({ alarm: rule.name, value: rule.threshold, periodSeconds: rule.periodSeconds })),
    }));
  }

  private async sample(): Promise<void> {
    const snapshot = snapshotOf(await this.services.readMetrics());
    const start = this.previous;
    this.previous = snapshot;
    // The first snapshot only opens the first period.
    if (!start) return;
    this.times.push(this.services.clock.now());
    for (const entry of this.series) {
      const values = this.values.get(entry.name) ?? [];
      values.push(datapointOf(entry, start, snapshot) ?? null);
      values.splice(0, Math.max(0, values.length - this.capacity));
    }
    this.times.splice(0, Math.max(0, this.times.length - this.capacity));
  }
}
