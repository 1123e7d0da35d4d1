import { describe, expect, it } from 'vitest';
import { defaultAlarmRules, type AlarmRule } from './alarm-rules.ts';
import { cloudWatchAlarm, cloudWatchAlarms } from './cloudwatch-alarms.ts';

const resources = {
  graphqlApiId: 'api123',
  userPoolId: 'us-west-1_Pool',
  userPoolClientId: 'client1',
  tableName: 'plaza',
};

const base: AlarmRule = {
  name: 'R',
  metric: 'plaza_sign_in_throttles_total',
  statistic: 'Sum',
  threshold: 5,
  comparison: 'GreaterThanOrEqualToThreshold',
  periodSeconds: 60,
  evaluationPeriods: 3,
  datapointsToAlarm: 2,
  treatMissingData: 'ignore',
};

describe('alarm rules as CloudWatch alarms', () => {
  it("make the design's HighErrorRate a metric-math error rate over AppSync's metrics", () => {
    const rule = defaultAlarmRules.find((r) => r.name === 'HighErrorRate')!;
    const alarm = cloudWatchAlarm(rule, resources);
    expect(alarm).toMatchObject({
      alarmName: 'HighErrorRate',
      threshold: 10,
      comparisonOperator: 'GreaterThanThreshold',
      evaluationPeriods: 2,
      datapointsToAlarm: 2,
      treatMissingData: 'notBreaching',
      metric: {
        expression: '100 * (m0 + m1) / (d0)',
        periodSeconds: 300,
        usingMetrics: {
          m0: { namespace: 'AWS/AppSync', metricName: '4XXError', dimensionsMap: { GraphQLAPIId: 'api123' } },
          m1: { namespace: 'AWS/AppSync', metricName: '5XXError', statistic: 'Sum' },
          d0: { namespace: 'AWS/AppSync', metricName: 'Requests' },
        },
      },
    });
  });

  it('keep a single metric plain, with its dimensions and CloudWatch units', () => {
    expect(cloudWatchAlarm(base, resources)).toEqual({
      alarmName: 'R',
      alarmDescription: undefined,
      metric: {
        namespace: 'AWS/Cognito',
        metricName: 'SignInThrottles',
        dimensionsMap: { UserPool: 'us-west-1_Pool', UserPoolClient: 'client1' },
        statistic: 'Sum',
        periodSeconds: 60,
      },
      threshold: 5,
      comparisonOperator: 'GreaterThanOrEqualToThreshold',
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
      treatMissingData: 'ignore',
    });
    // AppSync reports latency in milliseconds.
    const latency = cloudWatchAlarm(
      { ...base, metric: 'plaza_latency_seconds', statistic: 'p99', threshold: 1 },
      resources,
    );
    expect(latency.threshold).toBe(1000);
    expect(latency.metric).toMatchObject({
      namespace: 'AWS/AppSync',
      metricName: 'Latency',
      statistic: 'p99',
    });
    const capacity = cloudWatchAlarm(
      { ...base, metric: 'plaza_consumed_read_capacity_units_total', labels: { index: 'GSI1' } },
      resources,
    );
    expect(capacity.metric).toMatchObject({
      namespace: 'AWS/DynamoDB',
      metricName: 'ConsumedReadCapacityUnits',
      dimensionsMap: { TableName: 'plaza', GlobalSecondaryIndexName: 'GSI1' },
    });
  });

  it("map throttles per operation, or per table as DynamoDB's read and write throttle events", () => {
    const perTable = cloudWatchAlarm({ ...base, metric: 'plaza_throttled_requests_total' }, resources);
    expect(perTable.metric).toMatchObject({
      expression: 'm0 + m1',
      usingMetrics: { m0: { metricName: 'ReadThrottleEvents' }, m1: { metricName: 'WriteThrottleEvents' } },
    });
    const perOperation = cloudWatchAlarm(
      { ...base, metric: 'plaza_throttled_requests_total', labels: { operation: 'Query' } },
      resources,
    );
    expect(perOperation.metric).toMatchObject({
      metricName: 'ThrottledRequests',
      dimensionsMap: { TableName: 'plaza', Operation: 'Query' },
    });
  });

  it('turn every default rule into an alarm, and refuse what CloudWatch does not have', () => {
    expect(cloudWatchAlarms(defaultAlarmRules, resources).map((a) => a.alarmName)).toEqual(
      defaultAlarmRules.map((r) => r.name),
    );
    expect(() => cloudWatchAlarm({ ...base, metric: 'plaza_process_cpu_seconds_total' }, resources)).toThrow(
      /has no CloudWatch counterpart/,
    );
    expect(() =>
      cloudWatchAlarm(
        { ...base, metric: 'plaza_successful_request_latency_seconds', statistic: 'p99' },
        resources,
      ),
    ).toThrow(/labels.operation/);
  });
});
