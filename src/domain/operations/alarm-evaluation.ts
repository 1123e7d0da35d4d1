/**
 * How an alarm rule turns metrics into a state, as CloudWatch does: one
 * datapoint per period (a statistic over the period), then the last N
 * datapoints against the threshold, with missing data treated as the rule
 * says. Pure functions of snapshots of the metrics, so tests drive them with
 * any clock.
 */
import { PlazaError } from '../../platform/errors.ts';
import type { AlarmRule } from './alarm-rules.ts';

/** What names a series of datapoints: an alarm's metric, or a chart's. */
export type SeriesRule = Pick<AlarmRule, 'metric' | 'denominator' | 'statistic' | 'labels'>;

/** A metric family as prom-client's `getMetricsAsJSON()` gives it. */
export interface MetricFamily {
  name: string;
  /** "counter", "gauge", "histogram" or "summary" (prom-client declares it as an enum). */
  type: unknown;
  values: readonly MetricSample[];
}

export interface MetricSample {
  value: number;
  labels: Partial<Record<string, string | number>>;
  /** Histograms: which series (`<name>_bucket`, `_sum`, `_count`). */
  metricName?: string;
}

export type MetricSnapshot = ReadonlyMap<string, MetricFamily>;

/** A copy of the metrics at one moment (prom-client hands out its live objects, which keep counting). */
export function snapshotOf(families: readonly MetricFamily[]): MetricSnapshot {
  return new Map(
    families.map((family) => [
      family.name,
      {
        name: family.name,
        type: family.type,
        values: family.values.map(({ value, labels, metricName }) => ({
          value,
          labels: { ...labels },
          ...(metricName === undefined ? {} : { metricName }),
        })),
      },
    ]),
  );
}

export type AlarmState = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';

/** A period's value, or undefined when the period has no data. */
export type Datapoint = number | undefined;

const matches = (rule: SeriesRule, sample: MetricSample) =>
  Object.entries(rule.labels ?? {}).every(([name, value]) => String(sample.labels[name] ?? '') === value);

/** The sum of the rule's series, or undefined when the family has none of them. */
function total(rule: SeriesRule, family: MetricFamily | undefined, metricName?: string): number | undefined {
  if (!family) return undefined;
  let sum: number | undefined;
  for (const sample of family.values) {
    if (metricName !== undefined && sample.metricName !== metricName) continue;
    if (!matches(rule, sample)) continue;
    sum = (sum ?? 0) + sample.value;
  }
  return sum;
}

/** Cumulative bucket counts by upper bound, over the rule's series. */
function buckets(rule: SeriesRule, family: MetricFamily | undefined): Map<number, number> {
  const byBound = new Map<number, number>();
  for (const sample of family?.values ?? []) {
    if (sample.metricName !== `${family?.name}_bucket` || !matches(rule, sample)) continue;
    const le = sample.labels.le;
    const bound = le === '+Inf' ? Number.POSITIVE_INFINITY : Number(le);
    byBound.set(bound, (byBound.get(bound) ?? 0) + sample.value);
  }
  return byBound;
}

/** The q-quantile (0..1) of the observations between two snapshots, interpolated within a bucket as Prometheus does. */
function quantile(q: number, start: Map<number, number>, end: Map<number, number>): number | undefined {
  const bounds = [...end.keys()].sort((a, b) => a - b);
  const counts = bounds.map((bound) => (end.get(bound) ?? 0) - (start.get(bound) ?? 0));
  const count = counts[counts.length - 1] ?? 0;
  if (count <= 0) return undefined;
  const rank = q * count;
  let lowerBound = 0;
  let lowerCount = 0;
  for (let i = 0; i < bounds.length; i++) {
    const bound = bounds[i] as number;
    const cumulative = counts[i] as number;
    if (cumulative >= rank) {
      if (bound === Number.POSITIVE_INFINITY) return lowerBound;
      const inBucket = cumulative - lowerCount;
      return inBucket === 0 ? bound : lowerBound + (bound - lowerBound) * ((rank - lowerCount) / inBucket);
    }
    lowerBound = bound;
    lowerCount = cumulative;
  }
  return lowerBound;
}

function percentile(statistic: string): number | undefined {
  return /^p\d/.test(statistic) ? Number(statistic.slice(1)) / 100 : undefined;
}

/** The statistics each kind of metric supports. */
function supported(type: unknown, statistic: string): boolean {
  if (type === 'counter') return statistic === 'Sum';
  if (type === 'gauge') return ['Average', 'Minimum', 'Maximum', 'Sum', 'SampleCount'].includes(statistic);
  if (type === 'histogram')
    return ['Average', 'Sum', 'SampleCount'].includes(statistic) || percentile(statistic) !== undefined;
  return false;
}

/** Refuses rules that name a metric the registry does not have, or a statistic it cannot give. */
export function checkRules(rules: readonly AlarmRule[], snapshot: MetricSnapshot): void {
  const problems: string[] = [];
  for (const rule of rules) {
    for (const name of [rule.metric, ...(rule.denominator ? [rule.denominator] : [])]) {
      const family = snapshot.get(name);
      if (!family) problems.push(`alarm ${rule.name}: no metric named ${name}`);
      else if (!supported(family.type, rule.statistic))
        problems.push(
          `alarm ${rule.name}: ${name} is a ${String(family.type)}; it has no ${rule.statistic} statistic`,
        );
    }
  }
  if (problems.length > 0)
    throw new PlazaError('ConfigurationError', `Invalid alarm rules:\n  ${problems.join('\n  ')}`);
}

/** One metric's value over a period: counters and histograms from the change between the period's snapshots, gauges from the samples taken in it. */
function metricValue(
  rule: SeriesRule,
  name: string,
  start: MetricSnapshot,
  end: MetricSnapshot,
  gaugeSamples: readonly MetricSnapshot[],
): Datapoint {
  const family = end.get(name);
  if (!family) return undefined;
  const { statistic } = rule;
  if (family.type === 'counter') {
    const now = total(rule, family);
    return now === undefined ? undefined : now - (total(rule, start.get(name)) ?? 0);
  }
  if (family.type === 'gauge') {
    const values = gaugeSamples
      .map((snapshot) => total(rule, snapshot.get(name)))
      .filter((value) => value !== undefined);
    if (values.length === 0) return undefined;
    if (statistic === 'Maximum') return Math.max(...values);
    if (statistic === 'Minimum') return Math.min(...values);
    if (statistic === 'Sum') return values.reduce((a, b) => a + b, 0);
    if (statistic === 'SampleCount') return values.length;
    return values.reduce((a, b) => a + b, 0) / values.length;
  }
  if (family.type === 'histogram') {
    const delta = (series: string) =>
      (total(rule, family, `${name}_${series}`) ?? 0) -
      (total(rule, start.get(name), `${name}_${series}`) ?? 0);
    const count = delta('count');
    if (count <= 0) return undefined;
    if (statistic === 'SampleCount') return count;
    if (statistic === 'Sum') return delta('sum');
    if (statistic === 'Average') return delta('sum') / count;
    const q = percentile(statistic);
    return q === undefined ? undefined : quantile(q, buckets(rule, start.get(name)), buckets(rule, family));
  }
  return undefined;
}

/**
 * The rule's datapoint for the period between two snapshots. With a
 * denominator: 100 × metric / denominator, missing when the denominator did
 * not move (no requests, no error rate).
 */
export function datapointOf(
  rule: SeriesRule,
  start: MetricSnapshot,
  end: MetricSnapshot,
  gaugeSamples: readonly MetricSnapshot[] = [end],
): Datapoint {
  const value = metricValue(rule, rule.metric, start, end, gaugeSamples);
  if (!rule.denominator) return value;
  const denominator = metricValue(rule, rule.denominator, start, end, gaugeSamples);
  if (denominator === undefined || denominator === 0) return undefined;
  return (100 * (value ?? 0)) / denominator;
}

export function breaches(rule: Pick<AlarmRule, 'comparison' | 'threshold'>, value: number): boolean {
  switch (rule.comparison) {
    case 'GreaterThanThreshold':
      return value > rule.threshold;
    case 'GreaterThanOrEqualToThreshold':
      return value >= rule.threshold;
    case 'LessThanThreshold':
      return value < rule.threshold;
    case 'LessThanOrEqualToThreshold':
      return value <= rule.threshold;
  }
}

const comparisonWords: Record<AlarmRule['comparison'], string> = {
  GreaterThanThreshold: 'greater than',
  GreaterThanOrEqualToThreshold: 'greater than or equal to',
  LessThanThreshold: 'less than',
  LessThanOrEqualToThreshold: 'less than or equal to',
};

export interface Evaluation {
  state: AlarmState;
  reason: string;
}

/**
 * The alarm's state from its datapoints (oldest first): ALARM when at least
 * `datapointsToAlarm` of the last `evaluationPeriods` breach, after missing
 * datapoints are treated as the rule says (`ignore` keeps the state while the
 * newest datapoint is missing; `missing` gives INSUFFICIENT_DATA when all are).
 */
export function evaluateAlarm(
  rule: AlarmRule,
  datapoints: readonly Datapoint[],
  previous: AlarmState,
): Evaluation {
  const n = rule.evaluationPeriods;
  const m = rule.datapointsToAlarm ?? n;
  const window: Datapoint[] = datapoints.slice(-n);
  while (window.length < n) window.unshift(undefined);
  const present = window.filter((value) => value !== undefined);
  if (rule.treatMissingData === 'ignore' && window[n - 1] === undefined)
    return {
      state: previous,
      reason: 'The newest datapoint is missing; the state is kept (missing data ignored).',
    };
  if (rule.treatMissingData === 'missing' && present.length === 0)
    return {
      state: 'INSUFFICIENT_DATA',
      reason: `Insufficient Data: ${n} datapoint${n === 1 ? ' was' : 's were'} unknown.`,
    };
  const breaching = window.filter((value) =>
    value === undefined ? rule.treatMissingData === 'breaching' : breaches(rule, value),
  ).length;
  const shown = present.map((value) => Number(value.toFixed(4))).join(', ');
  const words = comparisonWords[rule.comparison];
  if (breaching >= m)
    return {
      state: 'ALARM',
      reason: `Threshold Crossed: ${breaching} out of the last ${n} datapoints [${shown}] were ${words} the threshold (${rule.threshold}).`,
    };
  return {
    state: 'OK',
    reason: `Threshold Crossed: ${breaching} out of the last ${n} datapoints [${shown}] were ${words} the threshold (${rule.threshold}); ${m} needed to alarm.`,
  };
}
