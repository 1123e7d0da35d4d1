/** The main table on a SQLite file as tests open it: no background TTL sweep, no capacity metering. */
import type Database from 'better-sqlite3';
import { openSqlite, type SqliteOptions } from '../../src/adapters/sqlite/sqlite-database.ts';
import { SqliteItemStore } from '../../src/adapters/sqlite/sqlite-item-store.ts';
import { systemClock, type Clock } from '../../src/ports/clock.ts';
import { noMeter } from '../../src/ports/item-store/meter.ts';
import { mainTable } from '../../src/ports/item-store/table.ts';

export const testTable = mainTable('plaza');

export function openSqliteStore(
  path: string,
  options: { synchronous?: SqliteOptions['synchronous']; clock?: Clock } = {},
): { db: Database.Database; store: SqliteItemStore } {
  const db = openSqlite({ path, ...(options.synchronous ? { synchronous: options.synchronous } : {}) });
  const store = new SqliteItemStore({
    db,
    table: testTable,
    clock: options.clock ?? systemClock,
    meter: noMeter,
    region: 'us-west-1',
    sweepIntervalMs: 0,
  });
  return { db, store };
}
