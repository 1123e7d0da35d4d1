/**
 * The data lifecycle's DynamoDB stream consumer, as the server runs its two change-log consumers:
 * erasure (privacy/cascade-deletions.ts) then data export (privacy/build-data-export.ts), on each
 * record. One function reads the stream for both, so the table's stream has two readers per shard
 * (this and the feed fan-out), as AWS advises. Both are idempotent and act on disjoint records
 * (the event filters pass the union), so running both on every record changes nothing for either.
 */
import { rm } from 'node:fs/promises';
import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { buildDataExports } from '../../domain/privacy/build-data-export.ts';
import { cascadeDeletions } from '../../domain/privacy/cascade-deletions.ts';
import { consumeStreamEvent } from '../../edge/lambda/dynamodb-stream.ts';
import { lambdaDataExportServices, lambdaPrivacyServices, once, openLambdaApp } from '../../lambda-app.ts';
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
  const builder = { ...exports, logger: log };
  try {
    return await consumeStreamEvent(
      event,
      async (records) => {
        await cascadeDeletions(records, privacy, log);
        await buildDataExports(records, builder);
      },
      log,
    );
  } finally {
    // One API cache flush for the batch, records that failed included: what they erased is gone too.
    // A failed flush fails the batch, which is retried whole (every erasure and export step is idempotent).
    const requests = await privacy.flushForgotten();
    if (requests > 0) log.info({ requests }, 'API cache flushed');
  }
}
