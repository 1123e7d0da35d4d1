import { existsSync } from 'node:fs';
import { openStores, type Stores } from '../../app.ts';
import type { Config } from '../../platform/config.ts';
import { PlazaError } from '../../platform/errors.ts';
import { createMetrics } from '../../platform/metrics.ts';
import { systemClock } from '../../ports/clock.ts';

/** The stores of an existing installation (the commands that read data never make a new one). */
export async function openExistingStores(config: Config): Promise<Stores> {
  if (config.db.engine === 'sqlite' && !existsSync(config.db.sqlite.path))
    throw new PlazaError(
      'BadInput',
      `No Plaza data at ${config.db.sqlite.path}: start the server first, or set DATA_DIR to an existing data directory`,
    );
  return openStores(config, systemClock, createMetrics({ defaultMetrics: false }));
}
