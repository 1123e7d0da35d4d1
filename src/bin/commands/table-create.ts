import { openStores } from '../../app.ts';
import { loadConfig } from '../../platform/config.ts';
import { createMetrics } from '../../platform/metrics.ts';
import { systemClock } from '../../ports/clock.ts';

export async function tableCreateCommand(): Promise<void> {
  const config = loadConfig();
  // Opening the stores creates any missing table; on SQLite that is all there is to do.
  const stores = await openStores(config, systemClock, createMetrics({ defaultMetrics: false }));
  await stores.close();
  console.log(`Tables ${config.db.table} and ${config.db.usersTable} are ready (${config.db.engine}).`);
}
