/** Opens DynamoDB-engine stores for a set of tables, sharing one client. */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import type { Clock } from '../../ports/clock.ts';
import type { CapacityMeter } from '../../ports/item-store/meter.ts';
import type { TableDefinition } from '../../ports/item-store/table.ts';
import { DynamoDbItemStore } from './dynamodb-item-store.ts';
import { checkpointTableName, createTables } from './dynamodb-tables.ts';

export interface DynamoDbSettings {
  /** A DynamoDB-compatible endpoint; AWS's regional endpoint when absent. */
  endpoint: string | undefined;
  region: string;
  /** Explicit credentials (DynamoDB Local); the AWS SDK's default chain when absent. */
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

export function dynamoDbClients(settings: DynamoDbSettings) {
  const common = {
    region: settings.region,
    ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
    ...(settings.credentials ? { credentials: settings.credentials } : {}),
  };
  return { client: new DynamoDBClient(common), streamsClient: new DynamoDBStreamsClient(common) };
}

export function openDynamoDbStores(
  settings: DynamoDbSettings & {
    tables: TableDefinition[];
    clock: Clock;
    meter: CapacityMeter;
    streamPollMs?: number;
  },
): DynamoDbItemStore[] {
  const { client, streamsClient } = dynamoDbClients(settings);
  return settings.tables.map(
    (table) =>
      new DynamoDbItemStore({
        client,
        streamsClient,
        table,
        checkpointTable: checkpointTableName(table.name),
        clock: settings.clock,
        meter: settings.meter,
        region: settings.region,
        ...(settings.streamPollMs !== undefined ? { streamPollMs: settings.streamPollMs } : {}),
      }),
  );
}

export async function provisionDynamoDbTables(
  settings: DynamoDbSettings,
  tables: TableDefinition[],
): Promise<string[]> {
  const { client, streamsClient } = dynamoDbClients(settings);
  try {
    const lines: string[] = [];
    for (const table of tables) lines.push(...(await createTables(client, table)));
    return lines;
  } finally {
    client.destroy();
    streamsClient.destroy();
  }
}
