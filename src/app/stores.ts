/** The item stores: the design's single table and the user pool's, on SQLite or DynamoDB. */
import type Database from 'better-sqlite3';
import type { DynamoDbSettings } from '../adapters/dynamodb/dynamodb-stores.ts';
import { startSqliteCheckpointer, type SqliteCheckpointer } from '../adapters/sqlite/sqlite-checkpointer.ts';
import { openSqlite } from '../adapters/sqlite/sqlite-database.ts';
import { SqliteItemStore } from '../adapters/sqlite/sqlite-item-store.ts';
import type { Config } from '../platform/config.ts';
import type { Log } from '../platform/logger.ts';
import { type Metrics } from '../platform/metrics.ts';
import { type Clock } from '../ports/clock.ts';
import type { ItemStore } from '../ports/item-store/item-store.ts';
import { mainTable, usersTable, type TableDefinition } from '../ports/item-store/table.ts';
import { observedItemStore } from '../ports/item-store/observed-item-store.ts';

export interface Stores {
  /** The design's single table. */
  main: ItemStore;
  /** The user pool's table. */
  users: ItemStore;
  close(): Promise<void>;
}

/** The tables Plaza uses, named from configuration. */
export function tableDefinitions(config: Config): { main: TableDefinition; users: TableDefinition } {
  return { main: mainTable(config.db.table), users: usersTable(config.db.usersTable) };
}

/**
 * The item stores. `server`: a long-running process, whose SQLite file is checkpointed by a thread
 * of its own rather than inside its commits (sqlite-checkpointer.ts); the CLI's short runs keep
 * SQLite's automatic checkpoints.
 */
export async function openStores(
  config: Config,
  clock: Clock,
  metrics: Metrics,
  options: { server?: { logger: Log } } = {},
): Promise<Stores> {
  const tables = tableDefinitions(config);
  let main: ItemStore;
  let users: ItemStore;
  let db: Database.Database | undefined;
  let checkpointer: SqliteCheckpointer | undefined;
  if (config.db.engine === 'sqlite') {
    const sqlite = openSqlite(config.db.sqlite);
    db = sqlite;
    const logger = options.server?.logger;
    if (logger && !sqlite.memory)
      checkpointer = startSqliteCheckpointer(sqlite, {
        onError: (message) =>
          logger.warn({ message }, 'sqlite: a WAL checkpoint failed; the next one tries again'),
      });
    const open = (table: TableDefinition) =>
      new SqliteItemStore({
        db: sqlite,
        table,
        clock,
        meter: metrics.capacityMeter,
        region: config.region,
        sweepIntervalMs: config.db.ttlSweepMs,
        changeRetentionMs: config.db.changeRetentionMs,
        rowCacheBytes: config.db.sqlite.rowCacheBytes,
      });
    main = open(tables.main);
    users = open(tables.users);
  } else {
    // The AWS SDK is loaded where it is used, as every engine's adapter is (see objects.ts): its
    // clients are a good part of a process's start, which one machine should not pay for.
    const { openDynamoDbStores } = await import('../adapters/dynamodb/dynamodb-stores.ts');
    [main, users] = openDynamoDbStores({
      ...dynamoDbSettings(config),
      tables: [tables.main, tables.users],
      clock,
      meter: metrics.capacityMeter,
    }) as ItemStore[] as [ItemStore, ItemStore];
  }
  if (metrics.enabled) {
    main = observedItemStore(main, metrics.storeRequests);
    users = observedItemStore(users, metrics.storeRequests);
  }
  return {
    main,
    users,
    async close() {
      await main.close();
      await users.close();
      await checkpointer?.stop();
      db?.close();
    },
  };
}

/** Where the DynamoDB engine connects: an explicit endpoint (DynamoDB Local, Alternator) or AWS. */
export function dynamoDbSettings(config: Config): DynamoDbSettings {
  return { endpoint: config.db.dynamodb.endpoint, region: config.region };
}
