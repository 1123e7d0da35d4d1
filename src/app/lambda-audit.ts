/**
 * The audit log on AWS (ADR 0010): the stream Lambda that reads the design's table appends to an
 * S3 bucket with Object Lock. It rides in the feed fan-out's Lambda, so the stream keeps its two
 * readers per shard. Without `PLAZA_AUDIT_BUCKET` there is none to write.
 */
import { S3AuditLog } from '../adapters/s3/s3-audit-log.ts';
import type { Config } from '../platform/config.ts';
import { auditConsumer, type StreamConsumer } from './stream-consumers.ts';

export function lambdaAuditConsumers(config: Pick<Config, 'auditBucket' | 'region'>): StreamConsumer[] {
  if (!config.auditBucket) return [];
  return [auditConsumer(new S3AuditLog({ bucket: config.auditBucket, region: config.region }), 'main')];
}
