/**
 * Metrics over time from CloudWatch (GetMetricData): one request for every series of a chart
 * page, expressions included, paged by NextToken; each series' datapoints put in time order
 * with the periods CloudWatch has no data for left null.
 */
import {
  CloudWatchClient,
  GetMetricDataCommand,
  type MetricDataQuery,
  type MetricDataResult,
} from '@aws-sdk/client-cloudwatch';
import type { MetricPoints, MetricQuery, MetricSource } from '../../ports/metric-source.ts';

function toQuery(query: MetricQuery, periodSeconds: number): MetricDataQuery {
  const ReturnData = !query.hidden;
  if ('expression' in query)
    return { Id: query.id, Expression: query.expression, Period: periodSeconds, ReturnData };
  const { metric } = query;
  return {
    Id: query.id,
    ReturnData,
    MetricStat: {
      Metric: {
        Namespace: metric.namespace,
        MetricName: metric.metricName,
        Dimensions: Object.entries(metric.dimensions).map(([Name, Value]) => ({ Name, Value })),
      },
      Period: periodSeconds,
      Stat: metric.statistic,
    },
  };
}

/** Every period of the range, each with its value or null. */
function pointsOf(
  results: MetricDataResult[],
  range: { start: number; end: number; periodSeconds: number },
): MetricPoints {
  const byTime = new Map<number, number>();
  for (const result of results) {
    (result.Timestamps ?? []).forEach((time, index) => {
      const value = result.Values?.[index];
      if (value !== undefined) byTime.set(time.getTime(), value);
    });
  }
  const step = range.periodSeconds * 1000;
  const first = Math.floor(range.start / step) * step;
  const times: number[] = [];
  for (let time = first; time < range.end; time += step) times.push(time);
  return { times, values: times.map((time) => byTime.get(time) ?? null) };
}

export function cloudWatchMetricSource(options: {
  region: string;
  client?: Pick<CloudWatchClient, 'send'>;
}): MetricSource {
  const client = options.client ?? new CloudWatchClient({ region: options.region });
  return {
    async read(queries, range) {
      const results: MetricDataResult[] = [];
      let NextToken: string | undefined;
      do {
        const page = await client.send(
          new GetMetricDataCommand({
            MetricDataQueries: queries.map((query) => toQuery(query, range.periodSeconds)),
            StartTime: new Date(range.start),
            EndTime: new Date(range.end),
            ScanBy: 'TimestampAscending',
            ...(NextToken ? { NextToken } : {}),
          }),
        );
        results.push(...(page.MetricDataResults ?? []));
        NextToken = page.NextToken;
      } while (NextToken);
      const series: Record<string, MetricPoints> = {};
      for (const query of queries.filter((q) => !q.hidden)) {
        series[query.id] = pointsOf(
          results.filter((result) => result.Id === query.id),
          range,
        );
      }
      return series;
    },
  };
}
