/**
 * Child process for the crash test: writes through the SQLite engine in a loop
 * and reports each acknowledged write on stdout, until it is killed.
 */
import { openSqlite } from '../../src/adapters/sqlite/sqlite-database.ts';
import { SqliteItemStore } from '../../src/adapters/sqlite/sqlite-item-store.ts';
import { systemClock } from '../../src/ports/clock.ts';
import { noMeter } from '../../src/ports/item-store/meter.ts';
import { mainTable } from '../../src/ports/item-store/table.ts';

const [path, writerId] = process.argv.slice(2) as [string, string];
const store = new SqliteItemStore({
  db: openSqlite({ path, synchronous: 'FULL' }),
  table: mainTable('plaza'),
  clock: systemClock,
  meter: noMeter,
  region: 'us-west-1',
  sweepIntervalMs: 0,
});

const post = { PK: `POST#${writerId}`, SK: 'METADATA' };
for (let i = 0; ; i++) {
  // A like: the like item and the counter in one transaction, as the social API writes them.
  await store.transactWrite([
    { put: { PK: post.PK, SK: `LIKE#USER#${i}`, n: i }, conditions: [{ op: 'itemNotExists' }] },
    { update: { key: post, add: { likeCount: 1 } } },
  ]);
  process.stdout.write(`${i}\n`);
}
