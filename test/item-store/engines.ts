/** Every ItemStore engine, opened on a fresh table, for tests that compare them. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqlite } from '../../src/adapters/sqlite/sqlite-database.ts';
import { SqliteItemStore } from '../../src/adapters/sqlite/sqlite-item-store.ts';
import { systemClock } from '../../src/ports/clock.ts';
import type { ItemStore } from '../../src/ports/item-store/item-store.ts';
import { noMeter } from '../../src/ports/item-store/meter.ts';
import { mainTable } from '../../src/ports/item-store/table.ts';

export interface EngineHarness {
  name: string;
  store: ItemStore;
  close(): Promise<void>;
}

async function sqlite(): Promise<EngineHarness> {
  const dir = mkdtempSync(join(tmpdir(), 'plaza-engines-'));
  const db = openSqlite({ path: join(dir, 'plaza.sqlite'), synchronous: 'NORMAL' });
  const store = new SqliteItemStore({
    db,
    table: mainTable('plaza'),
    clock: systemClock,
    meter: noMeter,
    region: 'us-west-1',
    sweepIntervalMs: 0,
  });
  return {
    name: 'sqlite',
    store,
    async close() {
      await store.close();
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function engines(): (() => Promise<EngineHarness>)[] {
  return [sqlite];
}
