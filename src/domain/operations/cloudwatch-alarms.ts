/**
 * The alarm rules as CloudWatch alarms, for the CDK app: each Prometheus
 * metric of the rules maps to the CloudWatch metric of the service it stands
 * for (AppSync, Cognito, DynamoDB), with that service's dimensions and units.
 * A rule with a denominator, or a metric that is the sum of several
 * CloudWatch metrics, becomes a metric-math expression.
 *
 * The output is plain data in the shape of aws-cdk-lib's `Alarm`,
 * `Metric` and `MathExpression` props (periods in seconds), so the stack
 * builds each alarm with a few lines and this module needs no CDK.
 */
import { PlazaError } from '../../platform/errors.ts';
import type { AlarmRule } from './alarm-rules.ts';

/** The deployed resources the metrics are about (CDK tokens are fine). */
export interface AlarmResources {
  graphqlApiId: string;
  userPoolId: string;
  userPoolClientId: string;
  tableName: string;
}

export interface CloudWatchMetricSpec {
  namespace: string;
  metricName: string;
  dimensionsMap: Record<string, string>;
  statistic: string;
  periodSeconds: number;
}

export interface CloudWatchExpressionSpec {
  expression: string;
  usingMetrics: Record<string, CloudWatchMetricSpec>;
  periodSeconds: number;
  label: string;
}

export interface CloudWatchAlarmSpec {
  alarmName: string;
  alarmDescription: string | undefined;
  metric: CloudWatchMetricSpec | CloudWatchExpressionSpec;
  threshold: number;
  comparisonOperator: AlarmRule['comparison'];
  evaluationPeriods: number;
  datapointsToAlarm: number;
  treatMissingData: AlarmRule['treatMissingData'];
}

interface Mapping {
  namespace: string;
  /** Several names: the Prometheus metric is their sum. */
  metricNames: (labels: Record<string, string>) => string[];
  dimensions: (resources: AlarmResources, labels: Record<string, string>) => Record<string, string>;
  /** CloudWatch reports this metric in milliseconds where Prometheus has seconds. */
  milliseconds?: boolean;
}

const appSync = (...names: string[]): Mapping => ({
  namespace: 'AWS/AppSync',
  metricNames: () => names,
  dimensions: (resources) => ({ GraphQLAPIId: resources.graphqlApiId }),
});

const cognito = (name: string): Mapping => ({
  namespace: 'AWS/Cognito',
  metricNames: () => [name],
  dimensions: (resources) => ({
    UserPool: resources.userPoolId,
    UserPoolClient: resources.userPoolClientId,
  }),
});

const tableName = (resources: AlarmResources, labels: Record<string, string>) =>
  labels.table ?? resources.tableName;

const capacity = (name: string): Mapping => ({
  namespace: 'AWS/DynamoDB',
  metricNames: () => [name],
  dimensions: (resources, labels) => ({
    TableName: tableName(resources, labels),
    ...(labels.index ? { GlobalSecondaryIndexName: labels.index } : {}),
  }),
});

function needsOperation(metric: string, labels: Record<string, string>): string {
  if (!labels.operation)
    throw new PlazaError(
      'ConfigurationError',
      `${metric} becomes DynamoDB's SuccessfulRequestLatency, which CloudWatch keeps per operation: give the rule labels.operation (GetItem, Query, …)`,
    );
  return labels.operation;
}

const mappings: Record<string, Mapping> = {
  plaza_requests_total: appSync('Requests'),
  plaza_errors_total: appSync('4XXError', '5XXError'),
  plaza_latency_seconds: { ...appSync('Latency'), milliseconds: true },
  plaza_connected_clients: appSync('ActiveConnections'),
  plaza_sign_in_successes_total: cognito('SignInSuccesses'),
  plaza_sign_in_throttles_total: cognito('SignInThrottles'),
  plaza_token_refresh_successes_total: cognito('TokenRefreshSuccesses'),
  plaza_consumed_read_capacity_units_total: capacity('ConsumedReadCapacityUnits'),
  plaza_consumed_write_capacity_units_total: capacity('ConsumedWriteCapacityUnits'),
  // Per operation DynamoDB reports ThrottledRequests; per table, its read and write throttle events.
  plaza_throttled_requests_total: {
    namespace: 'AWS/DynamoDB',
    metricNames: (labels) =>
      labels.operation ? ['ThrottledRequests'] : ['ReadThrottleEvents', 'WriteThrottleEvents'],
    dimensions: (resources, labels) => ({
      TableName: tableName(resources, labels),
      ...(labels.operation ? { Operation: labels.operation } : {}),
    }),
  },
  plaza_successful_request_latency_seconds: {
    namespace: 'AWS/DynamoDB',
    metricNames: () => ['SuccessfulRequestLatency'],
    dimensions: (resources, labels) => ({
      TableName: tableName(resources, labels),
      Operation: needsOperation('plaza_successful_request_latency_seconds', labels),
    }),
    milliseconds: true,
  },
};

function mappingOf(rule: AlarmRule, metric: string): Mapping {
  const mapping = mappings[metric];
  if (!mapping)
    throw new PlazaError(
      'ConfigurationError',
      `alarm ${rule.name}: ${metric} has no CloudWatch counterpart (known: ${Object.keys(mappings).join(', ')})`,
    );
  return mapping;
}

/** The CloudWatch metrics (one or more, summed) that stand for a Prometheus metric. */
function cloudWatchMetrics(
  rule: AlarmRule,
  metric: string,
  resources: AlarmResources,
): CloudWatchMetricSpec[] {
  const mapping = mappingOf(rule, metric);
  const labels = rule.labels ?? {};
  return mapping.metricNames(labels).map((metricName) => ({
    namespace: mapping.namespace,
    metricName,
    dimensionsMap: mapping.dimensions(resources, labels),
    // Prometheus counters are read as their increase per period: CloudWatch's Sum.
    statistic: rule.statistic,
    periodSeconds: rule.periodSeconds,
  }));
}

export function cloudWatchAlarm(rule: AlarmRule, resources: AlarmResources): CloudWatchAlarmSpec {
  const numerator = cloudWatchMetrics(rule, rule.metric, resources);
  const denominator = rule.denominator ? cloudWatchMetrics(rule, rule.denominator, resources) : [];
  let metric: CloudWatchMetricSpec | CloudWatchExpressionSpec;
  if (numerator.length === 1 && denominator.length === 0) {
    metric = numerator[0] as CloudWatchMetricSpec;
  } else {
    const usingMetrics: Record<string, CloudWatchMetricSpec> = {};
    const sum = (specs: CloudWatchMetricSpec[], prefix: string) =>
      specs
        .map((spec, i) => {
          const id = `${prefix}${i}`;
          usingMetrics[id] = spec;
          return id;
        })
        .join(' + ');
    const top = sum(numerator, 'm');
    const expression = denominator.length ? `100 * (${top}) / (${sum(denominator, 'd')})` : top;
    metric = { expression, usingMetrics, periodSeconds: rule.periodSeconds, label: rule.name };
  }
  const scale = !rule.denominator && mappingOf(rule, rule.metric).milliseconds ? 1000 : 1;
  return {
    alarmName: rule.name,
    alarmDescription: rule.description,
    metric,
    threshold: rule.threshold * scale,
    comparisonOperator: rule.comparison,
    evaluationPeriods: rule.evaluationPeriods,
    datapointsToAlarm: rule.datapointsToAlarm ?? rule.evaluationPeriods,
    treatMissingData: rule.treatMissingData,
  };
}

/** Every rule as a CloudWatch alarm; throws ConfigurationError for a rule that cannot be one. */
export function cloudWatchAlarms(
  rules: readonly AlarmRule[],
  resources: AlarmResources,
): CloudWatchAlarmSpec[] {
  return rules.map((rule) => cloudWatchAlarm(rule, resources));
}
