/**
 * The key design of Plaza's tables, defined once and used by both engines
 * (and by `plaza table create` and the CDK app).
 *
 * The main table follows ARCHITECTURE.md: PK/SK, three global secondary
 * indexes, a TTL attribute. The design's GSI1 ("POST") and GSI2 ("USER")
 * partition keys would put every post and every user into one partition, so
 * their partition values are sharded by the domain (see `domain/keys.ts`).
 */
export type IndexName = 'GSI1' | 'GSI2' | 'GSI3';

export interface IndexDefinition {
  name: IndexName;
  partitionKey: string;
  sortKey: string;
  /** ALL copies the whole item; KEYS_ONLY only the table and index keys. */
  projection: 'ALL' | 'KEYS_ONLY';
}

export interface TableDefinition {
  name: string;
  partitionKey: 'PK';
  sortKey: 'SK';
  indexes: readonly IndexDefinition[];
  /** Items whose TTL attribute (epoch seconds) is in the past are never returned and are swept. */
  ttlAttribute: string;
}

export const mainIndexes: readonly IndexDefinition[] = [
  // Posts by time (sharded by day).
  { name: 'GSI1', partitionKey: 'GSI1PK', sortKey: 'GSI1SK', projection: 'ALL' },
  // Users by username (sharded by first letter); keys only, as in the design.
  { name: 'GSI2', partitionKey: 'GSI2PK', sortKey: 'GSI2SK', projection: 'KEYS_ONLY' },
  // Items by entity type and creation time.
  { name: 'GSI3', partitionKey: 'GSI3PK', sortKey: 'GSI3SK', projection: 'ALL' },
];

/** The design's single table. */
export function mainTable(name: string): TableDefinition {
  return { name, partitionKey: 'PK', sortKey: 'SK', indexes: mainIndexes, ttlAttribute: 'ttl' };
}

/** The user pool's own table (identity data is kept apart from the social data). */
export function usersTable(name: string): TableDefinition {
  return {
    name,
    partitionKey: 'PK',
    sortKey: 'SK',
    indexes: [{ name: 'GSI1', partitionKey: 'GSI1PK', sortKey: 'GSI1SK', projection: 'ALL' }],
    ttlAttribute: 'ttl',
  };
}

export function findIndex(table: TableDefinition, name: IndexName): IndexDefinition | undefined {
  return table.indexes.find((index) => index.name === name);
}
