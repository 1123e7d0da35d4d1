import { createReadStream, existsSync } from 'node:fs';
import { join } from 'node:path';
import { argon2PasswordHasher } from '../../adapters/argon2/argon2-password-hasher.ts';
import { nodeIds } from '../../adapters/ids/node-ids.ts';
import { readCsv } from '../../domain/identity/csv.ts';
import { importUsers, type ImportSummary } from '../../domain/identity/import-users.ts';
import type { PoolIdentity } from '../../domain/identity/pool-identity.ts';
import { loadConfig } from '../../platform/config.ts';
import { PlazaError } from '../../platform/errors.ts';
import { readJsonFileSync } from '../../platform/json-file.ts';
import { systemClock } from '../../ports/clock.ts';
import { openExistingStores } from './open-data.ts';

/**
 * `plaza users import <csv>`: users from Cognito's user-import CSV into the embedded pool, each
 * RESET_REQUIRED (they set a password with a mailed code). Rows that cannot be imported are
 * listed with their lines; the exit code says whether any was skipped.
 */
export async function usersImportCommand(file: string): Promise<void> {
  const config = loadConfig();
  if (config.identity.mode === 'cognito')
    throw new PlazaError(
      'BadInput',
      'PLAZA_IDENTITY is cognito: import into Amazon Cognito with its import job',
    );
  if (!existsSync(file)) throw new PlazaError('BadInput', `No file ${file}`);
  const identity = readJsonFileSync(join(config.dataDir, 'identity', 'pool.json')) as
    PoolIdentity | undefined;
  if (!identity)
    throw new PlazaError('BadInput', `No user pool under ${config.dataDir}: start Plaza once first`);
  const stores = await openExistingStores(config);
  let shown = 0;
  const show = (summary: ImportSummary, done = false) => {
    if (!done && performance.now() - shown < 250) return;
    shown = performance.now();
    const line = `  ${summary.imported} imported, ${summary.skipped.length} skipped`;
    if (process.stderr.isTTY) process.stderr.write(`\r${line}${done ? '\n' : ''}`);
    else if (done) console.error(line);
  };
  let summary: ImportSummary;
  try {
    summary = await importUsers(
      readCsv(createReadStream(file)),
      {
        users: stores.users,
        clock: systemClock,
        ids: nodeIds(systemClock),
        hasher: argon2PasswordHasher(),
        // The import needs only the pool's id (users' SRP verifiers are bound to it).
        pool: { ...identity, issuer: '', ...config.userPool },
      },
      show,
    );
  } finally {
    await stores.close();
  }
  show(summary, true);
  for (const { line, message } of summary.warnings) console.error(`  line ${line}: ${message}`);
  for (const { line, message } of summary.skipped) console.error(`  line ${line}: skipped: ${message}`);
  if (summary.malformed) console.error(`  ${summary.malformed}: the rest of the file was not read`);
  const { imported, skipped } = summary;
  console.log(
    `Imported ${imported} user${imported === 1 ? '' : 's'}, skipped ${skipped.length}. ` +
      'Imported users must reset their password (ForgotPassword, then ConfirmForgotPassword) to sign in.',
  );
  if (skipped.length > 0 || summary.malformed) process.exitCode = 1;
}
