/**
 * The composition root: the one place that turns typed configuration into
 * adapters and hands them to the edge. Entries (the server, the CLI, Lambda
 * handlers) call `createApp` and nothing below this file knows which engines
 * were chosen.
 */
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type Database from 'better-sqlite3';
import { openDynamoDbStores, type DynamoDbSettings } from './adapters/dynamodb/dynamodb-stores.ts';
import { openSqlite } from './adapters/sqlite/sqlite-database.ts';
import { SqliteItemStore } from './adapters/sqlite/sqlite-item-store.ts';
import { registerHealthRoutes } from './edge/http/health-routes.ts';
import type { Config } from './platform/config.ts';
import { createLogger, type Logger } from './platform/logger.ts';
import { createMetrics, type Metrics } from './platform/metrics.ts';
import { systemClock, type Clock } from './ports/clock.ts';
import type { ItemStore } from './ports/item-store/item-store.ts';
import { mainTable, usersTable, type TableDefinition } from './ports/item-store/table.ts';

export interface Stores {
  /** The design's single table. */
  main: ItemStore;
  /** The user pool's table. */
  users: ItemStore;
  close(): Promise<void>;
}

export interface App {
  config: Config;
  logger: Logger;
  metrics: Metrics;
  clock: Clock;
  stores: Stores;
  server: FastifyInstance;
  /** Starts listening; resolves to the base URL. */
  listen(): Promise<string>;
  close(): Promise<void>;
}

export interface AppOverrides {
  clock?: Clock;
  logger?: Logger;
}

/** The tables Plaza uses, named from configuration. */
export function tableDefinitions(config: Config): { main: TableDefinition; users: TableDefinition } {
  return { main: mainTable(config.db.table), users: usersTable(config.db.usersTable) };
}

export async function openStores(config: Config, clock: Clock, metrics: Metrics): Promise<Stores> {
  const tables = tableDefinitions(config);
  if (config.db.engine === 'sqlite') {
    const db: Database.Database = openSqlite(config.db.sqlite);
    const open = (table: TableDefinition) =>
      new SqliteItemStore({
        db,
        table,
        clock,
        meter: metrics.capacityMeter,
        region: config.region,
        sweepIntervalMs: config.db.ttlSweepMs,
        changeRetentionMs: config.db.changeRetentionMs,
      });
    const main = open(tables.main);
    const users = open(tables.users);
    return {
      main,
      users,
      async close() {
        await main.close();
        await users.close();
        db.close();
      },
    };
  }
  const [main, users] = openDynamoDbStores({
    ...dynamoDbSettings(config),
    tables: [tables.main, tables.users],
    clock,
    meter: metrics.capacityMeter,
  }) as ItemStore[] as [ItemStore, ItemStore];
  return {
    main,
    users,
    async close() {
      await main.close();
      await users.close();
    },
  };
}

/** Where the DynamoDB engine connects: an explicit endpoint (DynamoDB Local, Alternator) or AWS. */
export function dynamoDbSettings(config: Config): DynamoDbSettings {
  return { endpoint: config.db.dynamodb.endpoint, region: config.region };
}

export async function createApp(config: Config, overrides: AppOverrides = {}): Promise<App> {
  const logger = overrides.logger ?? createLogger({ level: config.logLevel });
  const clock = overrides.clock ?? systemClock;
  const metrics = createMetrics();
  const stores = await openStores(config, clock, metrics);

  const server: FastifyInstance = Fastify({ loggerInstance: logger as FastifyBaseLogger });
  registerHealthRoutes(server, {
    async ready() {
      await stores.main.get({ PK: 'HEALTH', SK: 'READY' });
    },
  });

  let closed = false;
  return {
    config,
    logger,
    metrics,
    clock,
    stores,
    server,
    async listen() {
      await server.listen({ port: config.port, host: config.host });
      const address = server.server.address();
      const port = typeof address === 'object' && address ? address.port : config.port;
      return `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
    },
    async close() {
      if (closed) return;
      closed = true;
      await server.close();
      await stores.close();
    },
  };
}
