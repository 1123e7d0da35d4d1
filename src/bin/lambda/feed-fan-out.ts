/**
 * The DynamoDB stream consumer for the home feed's fan-out and the notifications (one consumer:
 * stream-consumers.ts), as the server runs it on its change stream; with the audit log (ADR 0010)
 * when its bucket is set, and the daily analytics, counted in the table. A DynamoDB stream shard
 * allows two Lambda readers, and the other is the data lifecycle's. All are idempotent, so a batch
 * that fails in any is retried whole. The notifications it sees written are published to AppSync
 * for onNotification (PLAZA_APPSYNC_URL).
 */
import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { feedFanOutConsumer } from '../../app/stream-consumers.ts';
import { consumeStreamEvent } from '../../edge/lambda/dynamodb-stream.ts';
import { lambdaNotificationPublishing, once, openLambdaApp } from '../../app/lambda.ts';
import { lambdaInsightConsumers } from '../../app/lambda-audit.ts';
import { loadConfig } from '../../platform/config.ts';

const ready = once(async () => {
  const app = openLambdaApp(loadConfig());
  return {
    consumer: feedFanOutConsumer(app.social, lambdaNotificationPublishing(app)),
    audit: lambdaInsightConsumers(app.config, app.social.store),
    logger: app.logger,
  };
});

export async function handler(event: DynamoDBStreamEvent, context?: Context): Promise<DynamoDBBatchResponse> {
  const { consumer, audit, logger } = await ready();
  // Each record's lines carry its stream ids; the invocation's id ties a batch's lines together.
  const log = logger.child({ consumer: consumer.name, ...(context ? { reqId: context.awsRequestId } : {}) });
  return consumeStreamEvent(
    event,
    async (records) => {
      await consumer.handle(records, log);
      for (const each of audit) await each.handle(records, log.child({ consumer: each.name }));
    },
    log,
  );
}
