/** The DynamoDB stream consumer that erases what deletions leave (privacy/cascade-deletions.ts), as the server runs it. */
import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { cascadeDeletions } from '../../domain/privacy/cascade-deletions.ts';
import { consumeStreamEvent } from '../../edge/lambda/dynamodb-stream.ts';
import { lambdaPrivacyServices, once, openLambdaApp } from '../../lambda-app.ts';
import { loadConfig } from '../../platform/config.ts';

const ready = once(async () => {
  const app = openLambdaApp(loadConfig());
  return { privacy: lambdaPrivacyServices(app), logger: app.logger };
});

export async function handler(event: DynamoDBStreamEvent, context?: Context): Promise<DynamoDBBatchResponse> {
  const { privacy, logger } = await ready();
  const log = logger.child({
    consumer: 'data-lifecycle',
    ...(context ? { reqId: context.awsRequestId } : {}),
  });
  try {
    return await consumeStreamEvent(event, (records) => cascadeDeletions(records, privacy, log), log);
  } finally {
    // One API cache flush for the batch, records that failed included: what they erased is gone too.
    // A failed flush fails the batch, which is retried whole (every erasure is idempotent).
    const requests = await privacy.flushForgotten();
    if (requests > 0) log.info({ requests }, 'API cache flushed');
  }
}
