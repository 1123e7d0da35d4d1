/**
 * The audit log and the analytics on AWS (ADR 0010): the stream Lambda that reads the design's
 * table appends to an S3 bucket with Object Lock, and counts the day's activity in the table
 * itself. Both ride in the feed fan-out's Lambda, so the stream keeps its two readers per shard.
 * Without `PLAZA_AUDIT_BUCKET` there is no audit log to write.
 */
import { DynamoDbAnalyticsStore } from '../adapters/dynamodb/dynamodb-analytics-store.ts';
import { S3AuditLog } from '../adapters/s3/s3-audit-log.ts';
import type { Config } from '../platform/config.ts';
import type { ItemStore } from '../ports/item-store/item-store.ts';
import { analyticsConsumer, auditConsumer, type StreamConsumer } from './stream-consumers.ts';

type AuditSettings = Pick<Config, 'auditBucket' | 'region' | 'storage'>;

/** The deployment's audit log (S3_ENDPOINT only where S3 is not AWS's: an S3-compatible test server). */
export function deployedAuditLog(config: AuditSettings): S3AuditLog | undefined {
  if (!config.auditBucket) return undefined;
  const { endpoint } = config.storage.s3;
  return new S3AuditLog({
    bucket: config.auditBucket,
    region: config.region,
    ...(endpoint ? { endpoint } : {}),
  });
}

export function lambdaAuditConsumers(config: AuditSettings): StreamConsumer[] {
  const audit = deployedAuditLog(config);
  return audit ? [auditConsumer(audit, 'main')] : [];
}

/** The audit log's consumer, and the analytics' on the table the Lambda reads. */
export function lambdaInsightConsumers(config: AuditSettings, table: ItemStore): StreamConsumer[] {
  return [...lambdaAuditConsumers(config), analyticsConsumer(new DynamoDbAnalyticsStore(table), 'main')];
}
