import { once } from 'node:events';
import { csvRow } from '../../domain/identity/csv.ts';
import { csvFields, exportUsers } from '../../domain/identity/export-users.ts';
import { csvHeader } from '../../domain/identity/get-csv-header.ts';
import { loadConfig } from '../../platform/config.ts';
import { openExistingStores } from '../../app/operations.ts';

/**
 * The pool's users on standard output: Cognito's user-import CSV (GetCSVHeader's columns; what
 * `plaza users import` and a Cognito import job read), or JSON lines with status and dates too.
 */
export async function usersExportCommand(options: { format: 'csv' | 'json' }): Promise<void> {
  const config = loadConfig();
  const stores = await openExistingStores(config);
  const header = csvHeader();
  // Respect the pipe's pace: a large pool is not held in memory.
  const write = async (text: string) => {
    if (!process.stdout.write(text)) await once(process.stdout, 'drain');
  };
  let count = 0;
  try {
    if (options.format === 'csv') await write(csvRow(header));
    for await (const user of exportUsers({ users: stores.users })) {
      await write(options.format === 'csv' ? csvRow(csvFields(user, header)) : `${JSON.stringify(user)}\n`);
      count++;
    }
  } finally {
    await stores.close();
  }
  console.error(`plaza: exported ${count} user${count === 1 ? '' : 's'}`);
}
