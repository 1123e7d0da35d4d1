/**
 * The failover's user migration (ADR 0016), run by the operator on the failover stack:
 * `aws lambda invoke --function-name <UsersMigrate> --payload '{"key":"user-pool-exports/<date>.csv"}'`.
 * The export's users are made in this stack's pool and linked to the data they had. Safe to run
 * again, as it may be when a large pool outlasts the 15 minutes a Lambda has.
 */
import type { Context } from 'aws-lambda';
import { lambdaUserMigration, once } from '../../app/lambda.ts';
import { readCsv } from '../../domain/identity/csv.ts';
import { migrateUsers, type MigrationSummary } from '../../domain/social/migrate-users.ts';
import { loadConfig } from '../../platform/config.ts';
import { PlazaError } from '../../platform/errors.ts';

const services = once(async () => lambdaUserMigration(loadConfig()));

export async function handler(event: { key?: unknown }, context?: Context): Promise<MigrationSummary> {
  const key = event.key;
  if (typeof key !== 'string' || !key.endsWith('.csv'))
    throw new PlazaError('BadInput', 'Give the export to migrate: {"key": "user-pool-exports/<date>.csv"}');
  const ready = await services();
  const logger = ready.logger.child({
    job: 'users-migrate',
    key,
    ...(context ? { reqId: context.awsRequestId } : {}),
  });
  const object = await ready.exports.get(key);
  if (!object) throw new PlazaError('NotFound', `No export ${key} in the exports bucket`);
  const summary = await migrateUsers(readCsv(object.body), ready.migration);
  for (const note of summary.skipped) logger.warn(note, 'user not migrated');
  logger.info(
    { migrated: summary.migrated, present: summary.present, skipped: summary.skipped.length },
    'users migrated',
  );
  return summary;
}
