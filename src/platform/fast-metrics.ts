/**
 * Plaza's Prometheus counter and histogram, made for what every request counts (its latency, each
 * item-store call's latency and capacity) and used for every counter and histogram. They are
 * exposed through prom-client's registry in prom-client's own shape, so /metrics,
 * `getMetricsAsJSON` and the alarms read them as any other metric.
 *
 * prom-client builds a string of the labels on every `inc` or `observe` and looks it up as an
 * object's property (0.3-0.6 µs each, several times a request). Here a label set's series is
 * found once (`incrementer`, `recorder`), and counting is an addition or two.
 */
import type { Metric, MetricValueWithName, Registry } from 'prom-client';

type Labels<L extends string> = Partial<Record<L, string | number>>;

interface MetricOptions<L extends string> {
  name: string;
  help: string;
  labelNames?: readonly L[];
  registers: Registry[];
}

/** One metric's series, by label set; what prom-client's registry asks of a metric. */
abstract class LabelledMetric<L extends string, S extends { labels: Labels<L> }> {
  abstract readonly type: 'counter' | 'histogram';
  readonly aggregator = 'sum';
  readonly name: string;
  readonly help: string;
  protected readonly labelNames: readonly L[];
  protected series = new Map<string, S>();

  constructor(options: MetricOptions<L>) {
    this.name = options.name;
    this.help = options.help;
    this.labelNames = options.labelNames ?? [];
  }

  protected register(registries: Registry[]): void {
    for (const registry of registries) registry.registerMetric(this as unknown as Metric);
  }

  /** Forgets every series, as prom-client's reset. */
  reset(): void {
    this.series = new Map();
  }

  protected abstract newSeries(labels: Labels<L>): S;

  protected seriesOf(labels: Labels<L>): S {
    for (const name in labels) {
      if (!this.labelNames.includes(name)) {
        throw new Error(
          `Added label "${name}" is not included in initial labelset: ${String(this.labelNames)}`,
        );
      }
    }
    const id = this.labelNames.map((name) => String(labels[name] ?? '')).join('\u0000');
    let series = this.series.get(id);
    if (!series) this.series.set(id, (series = this.newSeries({ ...labels })));
    return series;
  }
}

interface CounterSeries<L extends string> {
  labels: Labels<L>;
  value: number;
}

export class FastCounter<L extends string = string> extends LabelledMetric<L, CounterSeries<L>> {
  readonly type = 'counter';

  constructor(options: MetricOptions<L>) {
    super(options);
    this.reset();
    this.register(options.registers);
  }

  /** As prom-client's: a counter without labels is shown at zero, from the start and after a reset. */
  override reset(): void {
    super.reset();
    if (this.labelNames.length === 0) this.seriesOf({});
  }

  /** Adds `value` (1 if not given) under `labels`, as prom-client's `inc`. */
  inc(labels: Labels<L>, value?: number): void;
  inc(value?: number): void;
  inc(labelsOrValue?: Labels<L> | number, value?: number): void {
    if (typeof labelsOrValue === 'object') add(this.seriesOf(labelsOrValue), value);
    else add(this.seriesOf({}), labelsOrValue);
  }

  /** Counts under one label set, its series found now rather than on every `inc`. */
  incrementer(labels: Labels<L>): (value?: number) => void {
    const series = this.seriesOf(labels);
    return (value) => add(series, value);
  }

  /** The values as prom-client's Counter gives them. */
  async get() {
    const values = [...this.series.values()].map(({ value, labels }) => ({ value, labels }));
    return { help: this.help, name: this.name, type: this.type, values, aggregator: this.aggregator };
  }

  protected newSeries(labels: Labels<L>): CounterSeries<L> {
    return { labels, value: 0 };
  }
}

function add(series: CounterSeries<string>, value = 1): void {
  if (!Number.isFinite(value)) throw new TypeError(`Value is not a valid number: ${value}`);
  if (value < 0) throw new Error('It is not possible to decrease a counter');
  series.value += value;
}

interface HistogramSeries<L extends string> {
  labels: Labels<L>;
  /** Observations per bucket, not cumulative; the last slot is above every bound. */
  counts: Float64Array;
  sum: number;
  count: number;
}

export class FastHistogram<L extends string = string> extends LabelledMetric<L, HistogramSeries<L>> {
  readonly type = 'histogram';
  private readonly upperBounds: readonly number[];

  constructor(options: MetricOptions<L> & { buckets: readonly number[] }) {
    super(options);
    this.upperBounds = [...options.buckets].sort((a, b) => a - b);
    // As prom-client's: a histogram without labels shows its zeros before anything is observed.
    if (this.labelNames.length === 0) this.seriesOf({});
    this.register(options.registers);
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

  protected newSeries(labels: Labels<L>): HistogramSeries<L> {
    return { labels, counts: new Float64Array(this.upperBounds.length + 1), sum: 0, count: 0 };
  }

  private record(series: HistogramSeries<L>, value: number): void {
    if (!Number.isFinite(value)) throw new TypeError(`Value is not a valid number: ${value}`);
    const bounds = this.upperBounds;
    let bucket = 0;
    while (bucket < bounds.length && value > (bounds[bucket] as number)) bucket++;
    series.counts[bucket] = (series.counts[bucket] ?? 0) + 1;
    series.sum += value;
    series.count++;
  }
}
