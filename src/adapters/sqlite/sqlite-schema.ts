/**
 * The SQL tables behind one logical table: its items (one column pair per
 * global secondary index, NULL when the item is not indexed) and its change
 * log, plus the stream consumers' checkpoints shared by all tables.
 */
import type Database from 'better-sqlite3';
import type { Item } from '../../ports/item-store/item-store.ts';
import { attributeOf } from '../../ports/item-store/rules.ts';
import type { TableDefinition } from '../../ports/item-store/table.ts';

/** Quotes an identifier for SQL. Table names come from configuration, so they are never interpolated raw. */
export function sqlName(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

export function sqliteTableNames(table: TableDefinition) {
  return {
    items: sqlName(`items_${table.name}`),
    changes: sqlName(`changes_${table.name}`),
  };
}

export function createSqliteTables(db: Database.Database, table: TableDefinition): void {
  const { items, changes } = sqliteTableNames(table);
  const indexColumns = table.indexes
    .map((index) => `${sqlName(`${index.name}_pk`)} TEXT, ${sqlName(`${index.name}_sk`)} TEXT`)
    .join(', ');
  db.exec(`
    CREATE TABLE IF NOT EXISTS ${items} (
      pk TEXT NOT NULL,
      sk TEXT NOT NULL,
      item TEXT NOT NULL,
      size INTEGER NOT NULL,
      expires INTEGER${indexColumns ? `, ${indexColumns}` : ''},
      PRIMARY KEY (pk, sk)
    ) WITHOUT ROWID;
    CREATE INDEX IF NOT EXISTS ${sqlName(`items_${table.name}_expires`)} ON ${items} (expires) WHERE expires IS NOT NULL;
    CREATE TABLE IF NOT EXISTS ${changes} (
      seq INTEGER PRIMARY KEY AUTOINCREMENT,
      at INTEGER NOT NULL,
      event_name TEXT NOT NULL,
      pk TEXT NOT NULL,
      sk TEXT NOT NULL,
      new_item TEXT,
      old_item TEXT,
      origin TEXT
    );
    CREATE INDEX IF NOT EXISTS ${sqlName(`changes_${table.name}_at`)} ON ${changes} (at);
    CREATE TABLE IF NOT EXISTS stream_checkpoints (
      table_name TEXT NOT NULL,
      consumer TEXT NOT NULL,
      seq INTEGER NOT NULL,
      PRIMARY KEY (table_name, consumer)
    ) WITHOUT ROWID;
  `);
  for (const index of table.indexes) {
    const pk = sqlName(`${index.name}_pk`);
    const sk = sqlName(`${index.name}_sk`);
    db.exec(
      `CREATE INDEX IF NOT EXISTS ${sqlName(`items_${table.name}_${index.name}`)} ON ${items} (${pk}, ${sk}, pk, sk) WHERE ${pk} IS NOT NULL`,
    );
  }
}

/** The items table's columns, in the order `itemRow` gives their values. */
export function itemColumns(table: TableDefinition): string[] {
  const indexColumns = table.indexes.flatMap((index) => [
    sqlName(`${index.name}_pk`),
    sqlName(`${index.name}_sk`),
  ]);
  return ['pk', 'sk', 'item', 'size', 'expires', ...indexColumns];
}

/** An item's row: its key, JSON, size, expiry (the TTL attribute) and, per index, its index keys or NULLs. */
export function itemRow(table: TableDefinition, item: Item, json: string, size: number): unknown[] {
  const ttl = attributeOf(item, table.ttlAttribute);
  const values: unknown[] = [item.PK, item.SK, json, size, typeof ttl === 'number' ? Math.floor(ttl) : null];
  for (const index of table.indexes) {
    const pk = attributeOf(item, index.partitionKey);
    const sk = attributeOf(item, index.sortKey);
    const indexed = typeof pk === 'string' && typeof sk === 'string';
    values.push(indexed ? pk : null, indexed ? sk : null);
  }
  return values;
}

export function upsertItemSql(table: TableDefinition): string {
  const columns = itemColumns(table);
  return `INSERT OR REPLACE INTO ${sqliteTableNames(table).items} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`;
}
