/**
 * The DynamoDB stream consumer for the home feed's fan-out and the notifications (one consumer:
 * stream-consumers.ts), as the server runs it on its change stream. A DynamoDB stream shard allows
 * two Lambda readers, and the other is the data lifecycle's.
 */
import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { feedFanOutConsumer } from '../../app/stream-consumers.ts';
import { consumeStreamEvent } from '../../edge/lambda/dynamodb-stream.ts';
import { once, openLambdaApp } from '../../app/lambda.ts';
import { loadConfig } from '../../platform/config.ts';

const ready = once(async () => {
  const app = openLambdaApp(loadConfig());
  return { consumer: feedFanOutConsumer(app.social), logger: app.logger };
});

export async function handler(event: DynamoDBStreamEvent, context?: Context): Promise<DynamoDBBatchResponse> {
  const { consumer, logger } = await ready();
  // Each record's lines carry its stream ids; the invocation's id ties a batch's lines together.
  const log = logger.child({ consumer: consumer.name, ...(context ? { reqId: context.awsRequestId } : {}) });
  return consumeStreamEvent(event, (records) => consumer.handle(records, log), log);
}
