/**
 * Child process for the erasure crash test: runs the data lifecycle's consumer on an existing
 * SQLite data file, reporting each write it makes on stdout, slowed so the test can kill it
 * with SIGKILL in the middle of a cascade.
 */
import { openSqliteStore } from '../support/sqlite-store.ts';
import { FsObjectStore } from '../../src/adapters/fs/fs-object-store.ts';
import { cascadeDeletions } from '../../src/domain/privacy/cascade-deletions.ts';
import { systemClock } from '../../src/ports/clock.ts';
import type { ItemStore } from '../../src/ports/item-store/item-store.ts';

const [path, objectsRoot] = process.argv.slice(2) as [string, string];
const { store: sqlite } = openSqliteStore(path, { synchronous: 'FULL' });
let writes = 0;
const reported =
  <A extends unknown[], R>(write: (...args: A) => Promise<R>) =>
  async (...args: A): Promise<R> => {
    const result = await write(...args);
    process.stdout.write(`${++writes}\n`);
    await new Promise((resolve) => setTimeout(resolve, 5));
    return result;
  };
const store: ItemStore = Object.assign(Object.create(sqlite) as ItemStore, {
  batchWrite: reported(sqlite.batchWrite.bind(sqlite)),
  transactWrite: reported(sqlite.transactWrite.bind(sqlite)),
  delete: reported(sqlite.delete.bind(sqlite)),
});
const privacy = {
  store,
  objects: new FsObjectStore({ root: objectsRoot }),
  cdn: { invalidate: async () => {} },
  clock: systemClock,
};
sqlite.changes.subscribe('data-lifecycle', (records) => cascadeDeletions(records, privacy), {
  pollIntervalMs: 20,
});
