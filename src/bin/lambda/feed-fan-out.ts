/** The DynamoDB stream consumer: the home feed's fan-out, as the local server runs it on its change stream. */
import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { fanOutFeed } from '../../domain/social/feed-fan-out.ts';
import { consumeStreamEvent } from '../../edge/lambda/dynamodb-stream.ts';
import { once, openLambdaApp } from '../../lambda-app.ts';
import { loadConfig } from '../../platform/config.ts';

const app = once(async () => openLambdaApp(loadConfig()));

export async function handler(event: DynamoDBStreamEvent, context?: Context): Promise<DynamoDBBatchResponse> {
  const { social, logger } = await app();
  // Each record's lines carry its stream ids; the invocation's id ties a batch's lines together.
  const log = logger.child({ consumer: 'feed-fan-out', ...(context ? { reqId: context.awsRequestId } : {}) });
  return consumeStreamEvent(event, (records) => fanOutFeed(records, social, log), log);
}
