/**
 * The failover's user migration (ADR 0016): the users of a pool's export (Cognito's user-import
 * CSV, `cognito:username` holding the user's `sub` in the exported pool) made again in another
 * pool, and each new user linked to the Plaza id their items carry, so that after a password
 * reset they find their own posts, follows and likes. Safe to run again: users already made and
 * linked are counted, not made twice; a user the job made but did not link (it stopped between
 * the two) is linked on the next run.
 */
import { isPlazaError, PlazaError } from '../../platform/errors.ts';
import type { MigrationPool } from '../../ports/migration-pool.ts';
import type { CsvRecord } from '../identity/csv.ts';
import { mfaColumn, usernameColumn } from '../identity/get-csv-header.ts';
import type { UserAliases } from './user-aliases.ts';

export interface MigrateServices {
  pool: MigrationPool;
  aliases: UserAliases;
}

export interface MigrationNote {
  line: number;
  message: string;
}

export interface MigrationSummary {
  /** Made in the pool and linked to their data by this run. */
  migrated: number;
  /** Already in the pool as the same Plaza user (an earlier run, or the pool they signed up in). */
  present: number;
  skipped: MigrationNote[];
}

/** Columns that describe the export, not a user attribute the pool takes. */
const notAttributes = new Set(['email', usernameColumn, mfaColumn, 'sub']);

interface Row {
  exportedSub: string;
  email: string;
  attributes: Record<string, string>;
  smsMfa: boolean;
}

function readRow(columns: string[], fields: string[]): Row {
  if (fields.length !== columns.length)
    throw new PlazaError('BadInput', `${fields.length} fields where the header has ${columns.length}`);
  const values = Object.fromEntries(columns.map((column, index) => [column, (fields[index] ?? '').trim()]));
  const exportedSub = values[usernameColumn] ?? '';
  const email = values.email ?? '';
  if (!exportedSub) throw new PlazaError('BadInput', `no ${usernameColumn}: not a user of the exported pool`);
  if (!email) throw new PlazaError('BadInput', 'no email');
  // A reset code goes to a verified address only, and Cognito's own import refuses the row too.
  if (values.email_verified?.toLowerCase() !== 'true')
    throw new PlazaError('BadInput', `${email}: the email was never verified; the user signs up again`);
  const attributes = Object.fromEntries(
    Object.entries(values).filter(([column, value]) => value !== '' && !notAttributes.has(column)),
  );
  const smsMfa = values[mfaColumn]?.toLowerCase() === 'true' && attributes.phone_number_verified === 'true';
  return { exportedSub, email, attributes, smsMfa };
}

/** One row: the user made (or found) in the pool, linked, and given a password no one knows. */
async function migrateRow(row: Row, services: MigrateServices): Promise<'migrated' | 'present'> {
  // A user exported from a pool that was itself refilled is known by the id their link names.
  const userId = await services.aliases.userIdOf(row.exportedSub);
  const user = await services.pool.createUser({ email: row.email, attributes: row.attributes });
  if (!user.created) {
    if ((await services.aliases.userIdOf(user.sub)) === userId) return 'present';
    // Only the job makes users that no one has signed in as; anyone else chose this account.
    if (user.status !== 'FORCE_CHANGE_PASSWORD')
      throw new PlazaError(
        'Conflict',
        `${row.email} signed up in this pool before the migration (as ${user.sub}): not linked to ${userId}`,
      );
  }
  // Linked before the user can sign in, so no token of theirs is ever read as a new user's.
  await services.aliases.link({ sub: user.sub, username: user.username, userId });
  await services.pool.finish(user, { smsMfa: row.smsMfa });
  return 'migrated';
}

/**
 * Migrates the users of an export, one at a time (the file may be as large as the pool).
 * A row's own problem (unverified email, taken by another account) skips it; a failure of the
 * pool or the table stops the run, which can be started again.
 */
export async function migrateUsers(
  records: AsyncIterable<CsvRecord>,
  services: MigrateServices,
  onProgress: (summary: MigrationSummary) => void = () => undefined,
): Promise<MigrationSummary> {
  const summary: MigrationSummary = { migrated: 0, present: 0, skipped: [] };
  let columns: string[] | undefined;
  for await (const { line, fields } of records) {
    if (!columns) {
      columns = fields.map((column) => column.trim());
      for (const required of ['email', usernameColumn])
        if (!columns.includes(required))
          throw new PlazaError('BadInput', `line ${line}: the header has no ${required} column`);
      continue;
    }
    try {
      summary[await migrateRow(readRow(columns, fields), services)] += 1;
    } catch (error) {
      if (!isPlazaError(error, 'BadInput') && !isPlazaError(error, 'Conflict')) throw error;
      summary.skipped.push({ line, message: error.message });
    }
    onProgress(summary);
  }
  if (!columns) throw new PlazaError('BadInput', 'The file is empty: the first line must be the CSV header');
  return summary;
}
