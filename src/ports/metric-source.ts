import type { MetricStatistic } from './alarm-source.ts';

/** A series to read: a metric's statistic, or an expression over other queries (hidden ones). */
export type MetricQuery =
  | { id: string; metric: MetricStatistic; hidden?: boolean }
  | { id: string; expression: string; hidden?: boolean };

export interface MetricPoints {
  /** The start of each period (ms since the epoch), oldest first. */
  times: number[];
  values: (number | null)[];
}

/** Where a deployment's metrics are kept over time (CloudWatch's on AWS). */
export interface MetricSource {
  /** The visible queries' datapoints between `start` and `end` (ms), one per period, by query id. */
  read(
    queries: MetricQuery[],
    range: { start: number; end: number; periodSeconds: number },
  ): Promise<Record<string, MetricPoints>>;
}
