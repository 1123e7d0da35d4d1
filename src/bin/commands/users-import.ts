import { createReadStream, existsSync } from 'node:fs';
import { readCsv } from '../../domain/identity/csv.ts';
import { importUsers, type ImportSummary } from '../../domain/identity/import-users.ts';
import { loadConfig } from '../../platform/config.ts';
import { PlazaError } from '../../platform/errors.ts';
import { openEmbeddedPool } from '../../app/operations.ts';

/**
 * `plaza users import <csv>`: users from Cognito's user-import CSV into the embedded pool, each
 * RESET_REQUIRED (they set a password with a mailed code). Rows that cannot be imported are
 * listed with their lines; the exit code says whether any was skipped.
 */
export async function usersImportCommand(file: string): Promise<void> {
  if (!existsSync(file)) throw new PlazaError('BadInput', `No file ${file}`);
  const pool = await openEmbeddedPool(loadConfig());
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
    summary = await importUsers(readCsv(createReadStream(file)), pool.services, show);
  } finally {
    await pool.close();
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
