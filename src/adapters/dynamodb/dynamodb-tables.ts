/**
 * Provisioning (`plaza table create`): the design's table with its global
 * secondary indexes, on-demand billing, a NEW_AND_OLD_IMAGES stream and TTL,
 * plus the small table that keeps stream consumers' checkpoints. Idempotent:
 * what exists is left as it is.
 */
import {
  CreateTableCommand,
  DescribeTableCommand,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import type { TableDefinition } from '../../ports/item-store/table.ts';

export function checkpointTableName(table: string): string {
  return `${table}-checkpoints`;
}

async function exists(client: DynamoDBClient, name: string): Promise<boolean> {
  try {
    await client.send(new DescribeTableCommand({ TableName: name }));
    return true;
  } catch (error) {
    if ((error as { name?: string }).name === 'ResourceNotFoundException') return false;
    throw error;
  }
}

/** Creates the table, its indexes, its stream and TTL, and its checkpoint table. Returns what it did, line by line. */
export async function createTables(client: DynamoDBClient, table: TableDefinition): Promise<string[]> {
  const done: string[] = [];
  if (await exists(client, table.name)) {
    done.push(`table ${table.name} exists`);
  } else {
    const keyAttributes = new Set([
      'PK',
      'SK',
      ...table.indexes.flatMap((index) => [index.partitionKey, index.sortKey]),
    ]);
    await client.send(
      new CreateTableCommand({
        TableName: table.name,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [...keyAttributes].map((name) => ({ AttributeName: name, AttributeType: 'S' })),
        KeySchema: [
          { AttributeName: 'PK', KeyType: 'HASH' },
          { AttributeName: 'SK', KeyType: 'RANGE' },
        ],
        ...(table.indexes.length > 0
          ? {
              GlobalSecondaryIndexes: table.indexes.map((index) => ({
                IndexName: index.name,
                KeySchema: [
                  { AttributeName: index.partitionKey, KeyType: 'HASH' },
                  { AttributeName: index.sortKey, KeyType: 'RANGE' },
                ],
                Projection: { ProjectionType: index.projection },
              })),
            }
          : {}),
        StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' },
      }),
    );
    done.push(
      `created table ${table.name} with ${table.indexes.map((index) => index.name).join(', ') || 'no indexes'}`,
    );
  }
  await waitUntilTableExists({ client, maxWaitTime: 300 }, { TableName: table.name });
  try {
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: table.name,
        TimeToLiveSpecification: { Enabled: true, AttributeName: table.ttlAttribute },
      }),
    );
    done.push(`enabled TTL on ${table.name}.${table.ttlAttribute}`);
  } catch (error) {
    // Enabling TTL twice is an error on DynamoDB; being enabled is what we want.
    if (!/already enabled/i.test((error as Error).message)) throw error;
    done.push(`TTL on ${table.name}.${table.ttlAttribute} is enabled`);
  }
  const checkpoints = checkpointTableName(table.name);
  if (await exists(client, checkpoints)) {
    done.push(`table ${checkpoints} exists`);
  } else {
    await client.send(
      new CreateTableCommand({
        TableName: checkpoints,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: 'PK', AttributeType: 'S' },
          { AttributeName: 'SK', AttributeType: 'S' },
        ],
        KeySchema: [
          { AttributeName: 'PK', KeyType: 'HASH' },
          { AttributeName: 'SK', KeyType: 'RANGE' },
        ],
      }),
    );
    done.push(`created table ${checkpoints}`);
  }
  await waitUntilTableExists({ client, maxWaitTime: 300 }, { TableName: checkpoints });
  return done;
}
