/** Every ItemStore engine, opened on a fresh table, for tests that compare them. */
import { openSqliteStore, testTable } from '../support/sqlite-store.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import { openDynamoDbStores, provisionDynamoDbTables } from '../../src/adapters/dynamodb/dynamodb-stores.ts';
import { systemClock } from '../../src/ports/clock.ts';
import { DynamoDBClient, ScanCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { sqliteTableNames } from '../../src/adapters/sqlite/sqlite-schema.ts';
import type { Item, ItemStore } from '../../src/ports/item-store/item-store.ts';
import { noMeter } from '../../src/ports/item-store/meter.ts';
import { mainTable } from '../../src/ports/item-store/table.ts';
import { localCredentials } from '../support/dynamodb-local.ts';

export interface EngineHarness {
  name: string;
  store: ItemStore;
  close(): Promise<void>;
  /**
   * Every stored item, expired or not, read around the port (SQL rows; a DynamoDB Scan of the
   * table and of each index): what a model check walks to find what a deletion left behind.
   */
  walk(): Promise<Item[]>;
  /** DynamoDB Local answers a transaction whose update cannot apply with a top-level ValidationException (AWS cancels it). */
  transactionDataErrorIsTopLevel?: boolean;
}

async function sqlite(): Promise<EngineHarness> {
  const dir = mkdtempSync(join(tmpdir(), 'plaza-engines-'));
  const { db, store } = openSqliteStore(join(dir, 'plaza.sqlite'), { synchronous: 'NORMAL' });
  return {
    name: 'sqlite',
    store,
    async walk() {
      const { items } = sqliteTableNames(testTable);
      return db
        .prepare<[], { item: string }>(`SELECT item FROM ${items}`)
        .all()
        .map((row) => JSON.parse(row.item) as Item);
    },
    async close() {
      await store.close();
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function dynamodb(): Promise<EngineHarness> {
  const settings = {
    endpoint: inject('dynamodbEndpoint'),
    region: 'us-west-1',
    credentials: localCredentials,
  };
  const table = mainTable(`engines-${Date.now().toString(36)}`);
  await provisionDynamoDbTables(settings, [table]);
  const [store] = openDynamoDbStores({ ...settings, tables: [table], clock: systemClock, meter: noMeter });
  return {
    name: 'dynamodb',
    store: store as ItemStore,
    async walk() {
      const client = new DynamoDBClient(settings);
      const found: Item[] = [];
      try {
        for (const indexName of [undefined, ...table.indexes.map((index) => index.name)]) {
          let start: Record<string, AttributeValue> | undefined;
          do {
            const page = await client.send(
              new ScanCommand({ TableName: table.name, IndexName: indexName, ExclusiveStartKey: start }),
            );
            found.push(...(page.Items ?? []).map((item) => unmarshall(item) as Item));
            start = page.LastEvaluatedKey;
          } while (start);
        }
      } finally {
        client.destroy();
      }
      return found;
    },
    close: () => (store as ItemStore).close(),
    transactionDataErrorIsTopLevel: true,
  };
}

export function engines(): (() => Promise<EngineHarness>)[] {
  return [sqlite, dynamodb];
}
