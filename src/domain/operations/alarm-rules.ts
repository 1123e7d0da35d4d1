/**
 * The default alarm rules: the design's HighErrorRate (threshold 10, two
 * evaluation periods, missing data not breaching) and alarms on the other
 * CloudWatch metrics the design watches. plaza.config.json's `alarms.rules`
 * replaces this set.
 */
import type { AlarmRule } from '../../platform/operations-settings.ts';

export type { AlarmRule };

export const defaultAlarmRules: readonly AlarmRule[] = [
  {
    name: 'HighErrorRate',
    description: 'More than 10% of API requests failed in two consecutive 5-minute periods.',
    metric: 'plaza_errors_total',
    denominator: 'plaza_requests_total',
    statistic: 'Sum',
    threshold: 10,
    comparison: 'GreaterThanThreshold',
    periodSeconds: 300,
    evaluationPeriods: 2,
    treatMissingData: 'notBreaching',
  },
  {
    name: 'HighLatency',
    description: 'p99 request latency above 1 s in 3 of the last 5 minutes.',
    metric: 'plaza_latency_seconds',
    statistic: 'p99',
    threshold: 1,
    comparison: 'GreaterThanThreshold',
    periodSeconds: 60,
    evaluationPeriods: 5,
    datapointsToAlarm: 3,
    treatMissingData: 'notBreaching',
  },
  {
    name: 'ItemStoreThrottling',
    description: 'The item store refused requests for throughput.',
    metric: 'plaza_throttled_requests_total',
    statistic: 'Sum',
    threshold: 0,
    comparison: 'GreaterThanThreshold',
    periodSeconds: 60,
    evaluationPeriods: 1,
    treatMissingData: 'notBreaching',
  },
  {
    name: 'SignInThrottles',
    description: 'More than 100 sign-ins refused by lockouts or rate limits in 5 minutes.',
    metric: 'plaza_sign_in_throttles_total',
    statistic: 'Sum',
    threshold: 100,
    comparison: 'GreaterThanThreshold',
    periodSeconds: 300,
    evaluationPeriods: 1,
    treatMissingData: 'notBreaching',
  },
];

/**
 * Joins the default rules when the continuous off-machine copy is on (ADR 0012): the copy stayed
 * more than 10 s behind for a whole minute (target unreachable, or shipping slower than writes).
 * A local rule only: on AWS, DynamoDB's PITR and global tables stand in for the copy.
 */
export const backupLagAlarmRule: AlarmRule = {
  name: 'BackupLag',
  description: 'The continuous off-machine copy stayed more than 10 s behind for a minute.',
  metric: 'plaza_backup_lag_seconds',
  statistic: 'Minimum',
  threshold: 10,
  comparison: 'GreaterThanThreshold',
  periodSeconds: 60,
  evaluationPeriods: 1,
  treatMissingData: 'notBreaching',
};
