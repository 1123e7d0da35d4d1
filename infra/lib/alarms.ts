/**
 * CloudWatch alarms on one SNS topic. First the local server's alarm rules
 * (the design's HighErrorRate and the rest, or the config file's set),
 * turned into CloudWatch alarms by `cloudWatchAlarms()`; then what only the
 * AWS column has: resolver failures that are Plaza's fault (counted from the
 * resolver's logs, so a user's bad input never pages anyone), Lambda errors
 * and throttles, the feed's lag and the dead-letter queues.
 */
import { Duration } from 'aws-cdk-lib';
import type { GraphqlApi } from 'aws-cdk-lib/aws-appsync';
import {
  Alarm,
  ComparisonOperator,
  MathExpression,
  Metric,
  TreatMissingData,
  type IMetric,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { FilterPattern, MetricFilter } from 'aws-cdk-lib/aws-logs';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import {
  cloudWatchAlarms,
  type CloudWatchAlarmSpec,
  type CloudWatchMetricSpec,
} from '../../src/domain/operations/cloudwatch-alarms.ts';
import type { AlarmRule } from '../../src/domain/operations/alarm-rules.ts';

const period = Duration.minutes(5);

function toMetric(spec: CloudWatchAlarmSpec['metric']): IMetric {
  const metric = (m: CloudWatchMetricSpec) =>
    new Metric({
      namespace: m.namespace,
      metricName: m.metricName,
      dimensionsMap: m.dimensionsMap,
      statistic: m.statistic,
      period: Duration.seconds(m.periodSeconds),
    });
  if (!('expression' in spec)) return metric(spec);
  return new MathExpression({
    expression: spec.expression,
    usingMetrics: Object.fromEntries(Object.entries(spec.usingMetrics).map(([id, m]) => [id, metric(m)])),
    period: Duration.seconds(spec.periodSeconds),
    label: spec.label,
  });
}

export interface InfraAlarm {
  name: string;
  description: string;
  metric: IMetric;
  threshold: number;
  evaluationPeriods: number;
}

export class PlazaAlarms extends Construct {
  readonly topic: Topic;
  readonly alarms: Alarm[] = [];

  constructor(
    scope: Construct,
    id: string,
    props: {
      stage: string;
      alarmEmail: string | undefined;
      api: GraphqlApi;
      resolver: NodejsFunction;
      /** Functions whose every error is a fault (no user input reaches them as an error). */
      workers: Record<string, IFunction>;
      table: ITableV2;
      /** The local server's rules, as plaza.config.json sets them. */
      rules: readonly AlarmRule[];
      userPool: { userPoolId: string };
      client: { userPoolClientId: string };
      feedFanOut: NodejsFunction;
      /** Queues where failed events are set aside, by name. */
      deadLetters: Record<string, Queue>;
      /** The secondary region's replication (disaster-recovery.ts). */
      recovery: InfraAlarm[];
    },
  ) {
    super(scope, id);
    this.topic = new Topic(this, 'Topic', { displayName: `Plaza ${props.stage} alarms`, enforceSSL: true });
    if (props.alarmEmail) this.topic.addSubscription(new EmailSubscription(props.alarmEmail));

    const namespace = `Plaza/${props.stage}`;
    // The resolver logs errorType InternalFailure for every failure that is not a catalogued user error.
    new MetricFilter(this, 'ResolverInternalFailures', {
      logGroup: props.resolver.logGroup,
      filterPattern: FilterPattern.stringValue('$.errorType', '=', 'InternalFailure'),
      metricNamespace: namespace,
      metricName: 'ResolverInternalFailures',
      metricValue: '1',
      defaultValue: 0,
    });
    const sum = (metric: Metric) => metric.with({ statistic: 'Sum', period });

    const rules: InfraAlarm[] = [
      {
        name: 'ResolverFailures',
        description: 'Resolvers failed for reasons other than the request (bugs, throttling, timeouts)',
        metric: sum(new Metric({ namespace, metricName: 'ResolverInternalFailures' })),
        threshold: 10,
        evaluationPeriods: 2,
      },
      {
        name: 'ResolverThrottles',
        description: 'The resolver Lambda was throttled (account concurrency)',
        metric: sum(props.resolver.metricThrottles()),
        threshold: 1,
        evaluationPeriods: 1,
      },
      ...Object.entries(props.workers).flatMap(([name, fn]): InfraAlarm[] => [
        {
          name: `${name}Errors`,
          description: `${name} failed`,
          metric: sum(fn.metricErrors()),
          threshold: 1,
          evaluationPeriods: 1,
        },
        {
          name: `${name}Throttles`,
          description: `${name} was throttled`,
          metric: sum(fn.metricThrottles()),
          threshold: 1,
          evaluationPeriods: 1,
        },
      ]),
      {
        name: 'FeedLag',
        description: 'Home feeds are more than 5 minutes behind new posts',
        metric: props.feedFanOut.metric('IteratorAge', { statistic: 'Maximum', period }),
        threshold: 5 * 60 * 1000,
        evaluationPeriods: 2,
      },
      ...Object.entries(props.deadLetters).map(([name, queue]): InfraAlarm => ({
        name,
        description: `Events set aside in ${name} after their retries`,
        metric: queue.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', period }),
        threshold: 1,
        evaluationPeriods: 1,
      })),
      ...props.recovery,
    ];
    const action = new SnsAction(this.topic);
    const specs = cloudWatchAlarms(props.rules, {
      graphqlApiId: props.api.apiId,
      userPoolId: props.userPool.userPoolId,
      userPoolClientId: props.client.userPoolClientId,
      tableName: props.table.tableName,
    });
    for (const spec of specs) {
      const alarm = new Alarm(this, `Rule${spec.alarmName}`, {
        alarmName: `plaza-${props.stage}-${spec.alarmName}`,
        ...(spec.alarmDescription ? { alarmDescription: spec.alarmDescription } : {}),
        metric: toMetric(spec.metric),
        threshold: spec.threshold,
        comparisonOperator: spec.comparisonOperator as ComparisonOperator,
        evaluationPeriods: spec.evaluationPeriods,
        datapointsToAlarm: spec.datapointsToAlarm,
        treatMissingData: spec.treatMissingData as TreatMissingData,
      });
      alarm.addAlarmAction(action);
      this.alarms.push(alarm);
    }
    for (const rule of rules) {
      const alarm = new Alarm(this, rule.name, {
        alarmName: `plaza-${props.stage}-${rule.name}`,
        alarmDescription: rule.description,
        metric: rule.metric,
        threshold: rule.threshold,
        evaluationPeriods: rule.evaluationPeriods,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
      alarm.addAlarmAction(action);
      this.alarms.push(alarm);
    }
  }
}
