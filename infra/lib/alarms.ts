/**
 * CloudWatch alarms on one SNS topic: the design's HighErrorRate (server
 * errors: AppSync 5XX, and resolver failures that are Plaza's fault, counted
 * from the resolver's logs so a user's bad input never pages anyone), Lambda
 * errors and throttles, DynamoDB throttles, and the feed's lag and
 * dead letters.
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
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { FilterPattern, MetricFilter } from 'aws-cdk-lib/aws-logs';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';

const period = Duration.minutes(5);

export interface AlarmRule {
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
      workers: Record<string, NodejsFunction>;
      table: Table;
      feedFanOut: NodejsFunction;
      /** Queues where failed events are set aside, by name. */
      deadLetters: Record<string, Queue>;
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

    const rules: AlarmRule[] = [
      {
        name: 'HighErrorRate',
        description: 'AppSync answered with server errors (5XX)',
        metric: sum(
          new Metric({
            namespace: 'AWS/AppSync',
            metricName: '5XXError',
            dimensionsMap: { GraphQLAPIId: props.api.apiId },
          }),
        ),
        threshold: 10,
        evaluationPeriods: 2,
      },
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
      ...Object.entries(props.workers).flatMap(([name, fn]): AlarmRule[] => [
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
        name: 'TableThrottles',
        description: 'DynamoDB throttled reads or writes on the table',
        metric: new MathExpression({
          expression: 'reads + writes',
          usingMetrics: {
            reads: sum(props.table.metric('ReadThrottleEvents')),
            writes: sum(props.table.metric('WriteThrottleEvents')),
          },
          period,
          label: 'Throttle events',
        }),
        threshold: 1,
        evaluationPeriods: 1,
      },
      {
        name: 'FeedLag',
        description: 'Home feeds are more than 5 minutes behind new posts',
        metric: props.feedFanOut.metric('IteratorAge', { statistic: 'Maximum', period }),
        threshold: 5 * 60 * 1000,
        evaluationPeriods: 2,
      },
      ...Object.entries(props.deadLetters).map(([name, queue]): AlarmRule => ({
        name,
        description: `Events set aside in ${name} after their retries`,
        metric: queue.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', period }),
        threshold: 1,
        evaluationPeriods: 1,
      })),
    ];
    const action = new SnsAction(this.topic);
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
