import { once } from 'node:events';
import { exportUsers } from '../../domain/identity/export-users.ts';
import { loadConfig } from '../../platform/config.ts';
import { openExistingStores } from './open-data.ts';

/** The pool's users as JSON lines on standard output. */
export async function usersExportCommand(): Promise<void> {
  const config = loadConfig();
  const stores = await openExistingStores(config);
  let count = 0;
  try {
    for await (const user of exportUsers({ users: stores.users })) {
      // Respect the pipe's pace: a large pool is not held in memory.
      if (!process.stdout.write(`${JSON.stringify(user)}\n`)) await once(process.stdout, 'drain');
      count++;
    }
  } finally {
    await stores.close();
  }
  console.error(`plaza: exported ${count} user${count === 1 ? '' : 's'}`);
}
