import { dynamoDbSettings, openStores, tableDefinitions } from '../../app.ts';
import { provisionDynamoDbTables } from '../../adapters/dynamodb/dynamodb-stores.ts';
import { loadConfig } from '../../platform/config.ts';
import { createMetrics } from '../../platform/metrics.ts';
import { systemClock } from '../../ports/clock.ts';

export async function tableCreateCommand(): Promise<void> {
  const config = loadConfig();
  const tables = tableDefinitions(config);
  if (config.db.engine === 'dynamodb') {
    const where = config.db.dynamodb.endpoint ?? `AWS ${config.region}`;
    console.log(`Provisioning on DynamoDB (${where}) …`);
    for (const line of await provisionDynamoDbTables(dynamoDbSettings(config), [tables.main, tables.users])) {
      console.log(`  ${line}`);
    }
    return;
  }
  // Opening the SQLite stores creates any missing table; that is all there is to do.
  const stores = await openStores(config, systemClock, createMetrics({ defaultMetrics: false }));
  await stores.close();
  console.log(`Tables ${tables.main.name} and ${tables.users.name} are ready in ${config.db.sqlite.path}.`);
}
