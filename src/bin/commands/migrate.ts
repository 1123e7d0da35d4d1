import { backfillOwnerIndex } from '../../domain/privacy/backfill-owner-index.ts';
import { loadConfig } from '../../platform/config.ts';
import { openExistingStores } from '../../app/operations.ts';

/**
 * `plaza migrate`: brings data written by earlier versions up to this one (the owner index, ADR
 * 0008). The server does it on its first start; this is for tables only Lambdas use (on AWS).
 */
export async function migrateCommand(): Promise<void> {
  const config = loadConfig();
  const stores = await openExistingStores(config);
  const started = performance.now();
  let shown = 0;
  try {
    const indexed = await backfillOwnerIndex({ store: stores.main }, (count) => {
      if (!process.stderr.isTTY || performance.now() - shown < 250) return;
      shown = performance.now();
      process.stderr.write(`\r  ${count} likes, comments and media indexed by owner`);
    });
    if (process.stderr.isTTY) process.stderr.write('\n');
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    console.error(`plaza: ${indexed} earlier likes, comments and media indexed by owner in ${seconds} s`);
  } finally {
    await stores.close();
  }
}
