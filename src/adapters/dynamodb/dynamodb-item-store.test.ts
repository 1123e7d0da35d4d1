import { inject } from 'vitest';
import { ManualClock } from '../../ports/clock.ts';
import { itemStoreContract } from '../../ports/item-store/item-store.contract.ts';
import { noMeter } from '../../ports/item-store/meter.ts';
import { mainTable } from '../../ports/item-store/table.ts';
import { openDynamoDbStores, provisionDynamoDbTables } from './dynamodb-stores.ts';

itemStoreContract('dynamodb (DynamoDB Local)', async () => {
  const settings = {
    endpoint: inject('dynamodbEndpoint'),
    region: 'us-west-1',
    credentials: { accessKeyId: 'plazalocal', secretAccessKey: 'plazalocal' },
  };
  const table = mainTable(`contract-${Date.now().toString(36)}`);
  await provisionDynamoDbTables(settings, [table]);
  const clock = new ManualClock(Date.now());
  const [store] = openDynamoDbStores({
    ...settings,
    tables: [table],
    clock,
    meter: noMeter,
    streamPollMs: 50,
  });
  return {
    store: store!,
    clock,
    close: () => store!.close(),
    quirks: { transactionDataErrorIsTopLevel: true },
  };
});
