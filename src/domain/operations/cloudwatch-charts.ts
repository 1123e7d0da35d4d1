/**
 * The operator console's charts on AWS: the same series as the server's (metric-history.ts), read
 * from CloudWatch over the last hour through the same mapping as the CloudWatch alarms
 * (cloudwatch-alarms.ts), each with the thresholds of the deployed alarms that watch exactly it.
 */
import type { AlarmSource, AlarmView, MetricStatistic } from '../../ports/alarm-source.ts';
import type { Clock } from '../../ports/clock.ts';
import type { MetricQuery, MetricSource } from '../../ports/metric-source.ts';
import {
  cloudWatchAlarm,
  type AlarmResources,
  type CloudWatchExpressionSpec,
  type CloudWatchMetricSpec,
} from './cloudwatch-alarms.ts';
import { chartedSeries, type SeriesHistory } from './metric-history.ts';

export interface CloudWatchChart {
  name: string;
  title: string;
  unit: string;
  metric: CloudWatchMetricSpec | CloudWatchExpressionSpec;
}

/** The charted series in CloudWatch's terms; those CloudWatch keeps in milliseconds are charted in ms. */
export function cloudWatchCharts(resources: AlarmResources, periodSeconds: number): CloudWatchChart[] {
  return chartedSeries.map((series) => {
    const spec = cloudWatchAlarm(
      {
        name: series.name,
        metric: series.metric,
        ...(series.denominator ? { denominator: series.denominator } : {}),
        statistic: series.statistic,
        threshold: 1,
        comparison: 'GreaterThanThreshold',
        periodSeconds,
        evaluationPeriods: 1,
        treatMissingData: 'missing',
      },
      resources,
    );
    // cloudWatchAlarm scales a threshold of 1 (s) to 1000 where CloudWatch counts milliseconds.
    const unit = spec.threshold === 1000 ? 'ms' : series.unit;
    return { name: series.name, title: series.title, unit, metric: spec.metric };
  });
}

const statisticOf = (spec: CloudWatchMetricSpec): MetricStatistic => ({
  namespace: spec.namespace,
  metricName: spec.metricName,
  dimensions: spec.dimensionsMap,
  statistic: spec.statistic,
});

const sameStatistic = (a: MetricStatistic, b: MetricStatistic) =>
  a.namespace === b.namespace &&
  a.metricName === b.metricName &&
  a.statistic === b.statistic &&
  JSON.stringify(Object.entries(a.dimensions).sort()) === JSON.stringify(Object.entries(b.dimensions).sort());

/** Whether a deployed alarm watches exactly the chart's series (the same statistic, or the same expression over the same ones). */
function watchesChart(alarm: AlarmView, chart: CloudWatchChart): boolean {
  const watches = alarm.watches;
  if (!watches) return false;
  if ('metricName' in chart.metric)
    return 'metric' in watches && sameStatistic(watches.metric, statisticOf(chart.metric));
  const { expression, usingMetrics } = chart.metric;
  if (!('expression' in watches) || watches.expression !== expression) return false;
  const ids = Object.keys(usingMetrics);
  return (
    ids.length === Object.keys(watches.metrics).length &&
    ids.every((id) => {
      const watched = watches.metrics[id];
      return watched !== undefined && sameStatistic(watched, statisticOf(usingMetrics[id]!));
    })
  );
}

/** A chart's queries: its metric, or its expression (ids prefixed per chart) over hidden metrics. */
function queriesOf(chart: CloudWatchChart, id: string): MetricQuery[] {
  if ('metricName' in chart.metric) return [{ id, metric: statisticOf(chart.metric) }];
  const { expression, usingMetrics } = chart.metric;
  const renamed = expression.replace(/\b([a-z]\d+)\b/g, (name) =>
    name in usingMetrics ? `${id}${name}` : name,
  );
  return [
    ...Object.entries(usingMetrics).map(([name, spec]) => ({
      id: `${id}${name}`,
      metric: statisticOf(spec),
      hidden: true,
    })),
    { id, expression: renamed },
  ];
}

export interface CloudWatchHistoryServices {
  metrics: MetricSource;
  alarms: AlarmSource;
  charts: readonly CloudWatchChart[];
  clock: Clock;
  periodSeconds: number;
  /** How far back the charts go. */
  windowSeconds: number;
}

/** The charts' last window, one datapoint per period (its end, as the server's history), with the alarms' thresholds. */
export async function cloudWatchHistory(
  services: CloudWatchHistoryServices,
): Promise<{ periodSeconds: number; series: SeriesHistory[] }> {
  const { charts, periodSeconds } = services;
  const end = services.clock.now();
  const ids = charts.map((_, index) => `c${index}`);
  const [points, alarms] = await Promise.all([
    services.metrics.read(
      charts.flatMap((chart, index) => queriesOf(chart, ids[index]!)),
      { start: end - services.windowSeconds * 1000, end, periodSeconds },
    ),
    services.alarms.list(),
  ]);
  const series = charts.map((chart, index): SeriesHistory => {
    const read = points[ids[index]!] ?? { times: [], values: [] };
    return {
      name: chart.name,
      title: chart.title,
      unit: chart.unit,
      times: read.times.map((time) => time + periodSeconds * 1000),
      values: read.values,
      thresholds: alarms
        .filter((alarm) => watchesChart(alarm, chart))
        .map((alarm) => ({ alarm: alarm.name, value: alarm.threshold, periodSeconds: alarm.periodSeconds })),
    };
  });
  return { periodSeconds, series };
}
