/**
 * The data lifecycle's DynamoDB stream consumer: erasure then data export, the consumer the server
 * runs on its change stream (app/stream-consumers.ts). With the feed fan-out, the table's stream
 * has two readers per shard, as AWS advises.
 */
import { rm } from 'node:fs/promises';
import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { dataLifecycleConsumer } from '../../app/stream-consumers.ts';
import { consumeStreamEvent } from '../../edge/lambda/dynamodb-stream.ts';
import { lambdaDataExportServices, lambdaPrivacyServices, once, openLambdaApp } from '../../app/lambda.ts';
import { loadConfig } from '../../platform/config.ts';

const ready = once(async () => {
  const app = openLambdaApp(loadConfig());
  return { privacy: lambdaPrivacyServices(app), exports: lambdaDataExportServices(app), logger: app.logger };
});

export async function handler(event: DynamoDBStreamEvent, context?: Context): Promise<DynamoDBBatchResponse> {
  const { privacy, exports, logger } = await ready();
  const log = logger.child({
    consumer: 'data-lifecycle',
    ...(context ? { reqId: context.awsRequestId } : {}),
  });
  // An instance runs one invocation at a time, and one that timed out mid-archive left its temp
  // file behind in ephemeral storage: clear it, or the next archive may find no room.
  if (exports.tmpDir) await rm(exports.tmpDir, { recursive: true, force: true });
  const consumer = dataLifecycleConsumer(privacy, exports);
  try {
    return await consumeStreamEvent(event, (records) => consumer.handle(records, log), log);
  } finally {
    // One API cache flush for the batch, records that failed included: what they erased is gone too.
    // A failed flush fails the batch, which is retried whole (every erasure and export step is idempotent).
    const requests = await privacy.flushForgotten();
    if (requests > 0) log.info({ requests }, 'API cache flushed');
  }
}
