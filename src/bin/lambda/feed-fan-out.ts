/**
 * The DynamoDB stream consumer for the home feed's fan-out: the consumer the server runs on its change stream.
 * Notifications run here too, after the fan-out on each batch: a DynamoDB stream shard allows two
 * Lambda readers, and the other is the data lifecycle's. Both are idempotent, so a batch that fails
 * in either is retried whole.
 */
import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { feedFanOutConsumer, notificationsConsumer } from '../../app/stream-consumers.ts';
import { consumeStreamEvent } from '../../edge/lambda/dynamodb-stream.ts';
import { once, openLambdaApp } from '../../app/lambda.ts';
import { loadConfig } from '../../platform/config.ts';

const ready = once(async () => {
  const app = openLambdaApp(loadConfig());
  return {
    consumers: [feedFanOutConsumer(app.social), notificationsConsumer(app.social)],
    logger: app.logger,
  };
});

export async function handler(event: DynamoDBStreamEvent, context?: Context): Promise<DynamoDBBatchResponse> {
  const { consumers, logger } = await ready();
  // Each record's lines carry its stream ids; the invocation's id ties a batch's lines together.
  const log = logger.child({ consumer: 'feed-fan-out', ...(context ? { reqId: context.awsRequestId } : {}) });
  return consumeStreamEvent(
    event,
    async (records) => {
      for (const consumer of consumers)
        await consumer.handle(records, log.child({ consumer: consumer.name }));
    },
    log,
  );
}
