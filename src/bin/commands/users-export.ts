import { once } from 'node:events';
import { poolUserSource, userPoolCsv } from '../../domain/identity/export-users.ts';
import type { UserSource } from '../../ports/user-source.ts';
import { loadConfig } from '../../platform/config.ts';
import { openExistingStores } from '../../app/operations.ts';

/**
 * The pool's users on standard output: Cognito's user-import CSV (GetCSVHeader's columns; what
 * `plaza users import` and a Cognito import job read), or JSON lines with status and dates too.
 */
export async function usersExportCommand(options: { format: 'csv' | 'json' }): Promise<void> {
  const config = loadConfig();
  const stores = await openExistingStores(config);
  // Respect the pipe's pace: a large pool is not held in memory.
  const write = async (text: string) => {
    if (!process.stdout.write(text)) await once(process.stdout, 'drain');
  };
  const source = poolUserSource({ users: stores.users });
  const counted = { users: 0 };
  try {
    const lines = options.format === 'csv' ? userPoolCsv(source, counted) : jsonLines(source, counted);
    for await (const line of lines) await write(line);
  } finally {
    await stores.close();
  }
  const count = counted.users;
  console.error(`plaza: exported ${count} user${count === 1 ? '' : 's'}`);
}

async function* jsonLines(source: UserSource, counted: { users: number }): AsyncGenerator<string> {
  for await (const user of source.users()) {
    yield `${JSON.stringify(user)}\n`;
    counted.users++;
  }
}
