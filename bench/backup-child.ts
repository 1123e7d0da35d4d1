/**
 * Takes backups of a data directory one after another, in a process of its
 * own (as `plaza backup create` runs beside the server), until its standard
 * input closes; then prints how many it took and how long they took.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { localBackups } from '../src/adapters/fs/fs-backups.ts';
import { systemClock } from '../src/ports/clock.ts';
import { mainTable, usersTable } from '../src/ports/item-store/table.ts';

const [dataDir] = process.argv.slice(2) as [string];
const backups = localBackups({
  dataDir,
  databasePath: join(dataDir, 'plaza.sqlite'),
  tables: [mainTable('plaza'), usersTable('plaza-users')],
  clock: systemClock,
});
let stop = false;
process.stdin.on('end', () => (stop = true)).resume();
console.log(JSON.stringify({ ready: true }));
let taken = 0;
let busyMs = 0;
while (!stop) {
  const started = performance.now();
  const manifest = await backups.create();
  busyMs += performance.now() - started;
  rmSync(join(backups.backupsDir, manifest.id), { recursive: true, force: true });
  taken++;
}
console.log(JSON.stringify({ taken, busyMs }));
