/**
 * The deployment's CloudWatch alarms (DescribeAlarms), those whose names start with the stack's
 * prefix (`plaza-<stage>-`), with what each watches so the console can draw its threshold.
 */
import {
  CloudWatchClient,
  DescribeAlarmsCommand,
  type MetricAlarm,
  type MetricStat,
} from '@aws-sdk/client-cloudwatch';
import type { AlarmSource, AlarmSourceState, AlarmView, MetricStatistic } from '../../ports/alarm-source.ts';

const states = new Set<AlarmSourceState>(['OK', 'ALARM', 'INSUFFICIENT_DATA']);

function statisticOf(stat: MetricStat | undefined): MetricStatistic | undefined {
  const metric = stat?.Metric;
  if (!stat?.Stat || !metric?.Namespace || !metric.MetricName) return undefined;
  return {
    namespace: metric.Namespace,
    metricName: metric.MetricName,
    dimensions: Object.fromEntries((metric.Dimensions ?? []).map((d) => [d.Name ?? '', d.Value ?? ''])),
    statistic: stat.Stat,
  };
}

/** A single-metric alarm's fields, or a metric-math alarm's expression and the metrics it names. */
function watchesOf(alarm: MetricAlarm): AlarmView['watches'] {
  if (alarm.Namespace && alarm.MetricName) {
    return {
      metric: {
        namespace: alarm.Namespace,
        metricName: alarm.MetricName,
        dimensions: Object.fromEntries((alarm.Dimensions ?? []).map((d) => [d.Name ?? '', d.Value ?? ''])),
        statistic: alarm.ExtendedStatistic ?? alarm.Statistic ?? '',
      },
    };
  }
  const queries = alarm.Metrics ?? [];
  const expression = queries.find((query) => query.Expression && query.ReturnData !== false)?.Expression;
  if (!expression) return undefined;
  const metrics: Record<string, MetricStatistic> = {};
  for (const query of queries) {
    const statistic = statisticOf(query.MetricStat);
    if (query.Id && statistic) metrics[query.Id] = statistic;
  }
  return { expression, metrics };
}

function periodOf(alarm: MetricAlarm): number {
  return alarm.Period ?? alarm.Metrics?.find((query) => query.MetricStat?.Period)?.MetricStat?.Period ?? 60;
}

export function cloudWatchAlarmSource(options: {
  /** Only alarms whose names start with it (`plaza-dev-`). */
  namePrefix: string;
  region: string;
  client?: Pick<CloudWatchClient, 'send'>;
}): AlarmSource {
  const client = options.client ?? new CloudWatchClient({ region: options.region });
  return {
    async list() {
      const alarms: AlarmView[] = [];
      let NextToken: string | undefined;
      do {
        const page = await client.send(
          new DescribeAlarmsCommand({
            AlarmNamePrefix: options.namePrefix,
            AlarmTypes: ['MetricAlarm'],
            MaxRecords: 100,
            ...(NextToken ? { NextToken } : {}),
          }),
        );
        for (const alarm of page.MetricAlarms ?? []) {
          const state = alarm.StateValue as AlarmSourceState;
          alarms.push({
            name: alarm.AlarmName ?? '',
            description: alarm.AlarmDescription,
            state: states.has(state) ? state : 'INSUFFICIENT_DATA',
            reason: alarm.StateReason ?? '',
            stateChangedAt: (alarm.StateUpdatedTimestamp ?? new Date(0)).toISOString(),
            threshold: alarm.Threshold ?? 0,
            periodSeconds: periodOf(alarm),
            watches: watchesOf(alarm),
          });
        }
        NextToken = page.NextToken;
      } while (NextToken);
      return alarms.sort((a, b) => a.name.localeCompare(b.name));
    },
  };
}
