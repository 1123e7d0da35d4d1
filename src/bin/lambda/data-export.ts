/** The DynamoDB stream consumer that builds and removes data exports (privacy/build-data-export.ts), as the server runs it. */
import { rm } from 'node:fs/promises';
import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { buildDataExports } from '../../domain/privacy/build-data-export.ts';
import { consumeStreamEvent } from '../../edge/lambda/dynamodb-stream.ts';
import { lambdaDataExportServices, once, openLambdaApp } from '../../lambda-app.ts';
import { loadConfig } from '../../platform/config.ts';

const ready = once(async () => {
  const app = openLambdaApp(loadConfig());
  return { exports: lambdaDataExportServices(app), logger: app.logger };
});

export async function handler(event: DynamoDBStreamEvent, context?: Context): Promise<DynamoDBBatchResponse> {
  const { exports, logger } = await ready();
  const log = logger.child({ consumer: 'data-export', ...(context ? { reqId: context.awsRequestId } : {}) });
  // An instance runs one invocation at a time, and one that timed out mid-archive left its temp
  // file behind in ephemeral storage: clear it, or the next archive may find no room.
  if (exports.tmpDir) await rm(exports.tmpDir, { recursive: true, force: true });
  return consumeStreamEvent(event, (records) => buildDataExports(records, { ...exports, logger: log }), log);
}
