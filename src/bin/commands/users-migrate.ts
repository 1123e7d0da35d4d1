import { createReadStream, existsSync } from 'node:fs';
import { openUserMigration } from '../../app/operations.ts';
import { readCsv } from '../../domain/identity/csv.ts';
import { migrateUsers } from '../../domain/social/migrate-users.ts';
import { loadConfig } from '../../platform/config.ts';
import { PlazaError } from '../../platform/errors.ts';

/**
 * `plaza users migrate <csv> --user-pool-id <id> [--endpoint <url>]`: a failover's user migration
 * (ADR 0016). The users of another pool's export are made in this pool through the Cognito API
 * (AWS credentials as the SDK finds them) and linked, in this installation's table, to the data
 * they had. Each then resets their password ("Forgot password").
 */
export async function usersMigrateCommand(
  file: string,
  options: { userPoolId?: string; endpoint?: string },
): Promise<void> {
  if (!existsSync(file)) throw new PlazaError('BadInput', `No file ${file}`);
  const config = loadConfig();
  const userPoolId = options.userPoolId ?? config.identity.userPoolId;
  if (!userPoolId)
    throw new PlazaError('BadInput', 'Which pool? Give --user-pool-id (or set COGNITO_USER_POOL_ID)');
  if (options.endpoint !== undefined && !URL.canParse(options.endpoint))
    throw new PlazaError('BadInput', `--endpoint ${options.endpoint} is not a URL`);
  const migration = await openUserMigration(config, {
    userPoolId,
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
  });
  const summary = await migrateUsers(readCsv(createReadStream(file)), migration.services).finally(() =>
    migration.close(),
  );
  for (const { line, message } of summary.skipped) console.error(`  line ${line}: skipped: ${message}`);
  console.log(
    `Migrated ${summary.migrated}, already there ${summary.present}, skipped ${summary.skipped.length}. ` +
      'Migrated users sign in after resetting their password (Forgot password).',
  );
  if (summary.skipped.length > 0) process.exitCode = 1;
}
