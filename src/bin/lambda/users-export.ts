/**
 * The user pool's weekly export (EventBridge, on the table's backup schedule): Cognito's
 * user-import CSV of every user, to `user-pool-exports/<date>.csv` in the exports bucket.
 */
import type { Context } from 'aws-lambda';
import { once, lambdaUserPoolExportServices } from '../../app/lambda.ts';
import { storeUserPoolExport } from '../../domain/identity/store-user-pool-export.ts';
import { loadConfig } from '../../platform/config.ts';

const services = once(async () => lambdaUserPoolExportServices(loadConfig()));

export async function handler(
  _event: unknown,
  context?: Context,
): Promise<{ key: string; users: number; bytes: number }> {
  const ready = await services();
  const logger = ready.logger.child({
    job: 'users-export',
    ...(context ? { reqId: context.awsRequestId } : {}),
  });
  return storeUserPoolExport({ ...ready, logger });
}
