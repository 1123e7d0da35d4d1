/**
 * Plaza's Prometheus histogram, made for the observations every request makes (its latency, each
 * item-store call's) and used for every histogram, exposed through prom-client's registry in prom-client's own shape, so /metrics,
 * `getMetricsAsJSON` and the alarms read it as any other metric. prom-client's Histogram builds
 * and looks up a string of the labels on every observation, about 0.5 µs, five times a feed
 * request; here a label set's series is found once (`recorder`), and an observation is a bucket
 * search and three additions.
 */
import type { Metric, MetricValueWithName, Registry } from 'prom-client';

type Labels<L extends string> = Partial<Record<L, string | number>>;

interface Series<L extends string> {
  labels: Labels<L>;
  /** Observations per bucket, not cumulative; the last slot is above every bound. */
  counts: Float64Array;
  sum: number;
  count: number;
}

export class FastHistogram<L extends string = string> {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  readonly name: string;
  readonly help: string;
  private readonly upperBounds: readonly number[];
  private readonly labelNames: readonly L[];
  private series = new Map<string, Series<L>>();

  constructor(options: {
    name: string;
    help: string;
    buckets: readonly number[];
    labelNames?: readonly L[];
    registers: Registry[];
  }) {
    this.name = options.name;
    this.help = options.help;
    this.upperBounds = [...options.buckets].sort((a, b) => a - b);
    this.labelNames = options.labelNames ?? [];
    // As prom-client's: a histogram without labels shows its zeros before anything is observed.
    if (this.labelNames.length === 0) this.seriesOf({});
    for (const registry of options.registers) registry.registerMetric(this as unknown as Metric);
  }

  /** Observes `value` (seconds, say) under `labels`, as prom-client's `observe`. */
  observe(labels: Labels<L>, value: number): void;
  observe(value: number): void;
  observe(labelsOrValue: Labels<L> | number, value?: number): void {
    if (typeof labelsOrValue === 'number') this.record(this.seriesOf({}), labelsOrValue);
    else this.record(this.seriesOf(labelsOrValue), value as number);
  }

  /** Observes under one label set, its series found now rather than on every observation. */
  recorder(labels: Labels<L>): (value: number) => void {
    const series = this.seriesOf(labels);
    return (value) => this.record(series, value);
  }

  /** The values as prom-client's Histogram gives them: each series' buckets, +Inf, sum and count. */
  async get() {
    // Buckets carry prom-client's `exemplar: null` (this histogram keeps no exemplars).
    const values: (MetricValueWithName<string> & { exemplar?: null })[] = [];
    for (const { labels, counts, sum, count } of this.series.values()) {
      let cumulative = 0;
      this.upperBounds.forEach((le, i) => {
        cumulative += counts[i] as number;
        values.push({
          labels: { le, ...labels },
          value: cumulative,
          metricName: `${this.name}_bucket`,
          exemplar: null,
        });
      });
      values.push({
        labels: { le: '+Inf', ...labels },
        value: count,
        metricName: `${this.name}_bucket`,
        exemplar: null,
      });
      values.push({ labels: { ...labels }, value: sum, metricName: `${this.name}_sum` });
      values.push({ labels: { ...labels }, value: count, metricName: `${this.name}_count` });
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }

  /** Forgets every series (as prom-client's reset, which leaves no zeros behind either). */
  reset(): void {
    this.series = new Map();
  }

  private seriesOf(labels: Labels<L>): Series<L> {
    for (const name in labels) {
      if (!this.labelNames.includes(name)) {
        throw new Error(
          `Added label "${name}" is not included in initial labelset: ${String(this.labelNames)}`,
        );
      }
    }
    const id = this.labelNames.map((name) => String(labels[name] ?? '')).join('\u0000');
    let series = this.series.get(id);
    if (!series) {
      series = {
        labels: { ...labels },
        counts: new Float64Array(this.upperBounds.length + 1),
        sum: 0,
        count: 0,
      };
      this.series.set(id, series);
    }
    return series;
  }

  private record(series: Series<L>, value: number): void {
    if (!Number.isFinite(value)) throw new TypeError(`Value is not a valid number: ${value}`);
    const bounds = this.upperBounds;
    let bucket = 0;
    while (bucket < bounds.length && value > (bounds[bucket] as number)) bucket++;
    series.counts[bucket] = (series.counts[bucket] ?? 0) + 1;
    series.sum += value;
    series.count++;
  }
}
