/** The cost report's inputs: the usage the server measured, the pool's users, the bytes stored. */
import type { Stores } from './stores.ts';
import { join } from 'node:path';
import type { Config } from '../platform/config.ts';
import { parseMeasuredUsage } from '../domain/operations/usage-recorder.ts';
import type { MeasuredUsage, Projection } from '../domain/operations/cost.ts';
import { measureCost } from '../domain/operations/measure-cost.ts';
import { directoryBytes, filesBytes } from '../adapters/fs/fs-sizes.ts';
import { readJsonFile } from '../platform/json-file.ts';

/** Where the server keeps the usage it measured (read by `plaza cost`). */
export function usageFile(config: Config): string {
  return join(config.dataDir, 'usage.json');
}

/** What usage.json is, for the message when it is empty or corrupt. */
export const usageFileDescription = {
  holds: 'the usage the server measured for the cost report (plaza cost, GET /admin/cost)',
  remedy:
    'Restore it from a backup, or delete it to measure anew (the usage counted so far is lost); ' +
    'the server sets a corrupt one aside itself.',
};

/** The projected monthly bill: the measured usage, the pool's users and the bytes stored. */
export function costReportOf(
  config: Config,
  stores: Stores,
  measuredUsage: () => Promise<MeasuredUsage | undefined> = async () =>
    parseMeasuredUsage(await readJsonFile(usageFile(config), usageFileDescription)),
  projection: Projection = {},
) {
  return measureCost(projection, {
    users: stores.users,
    measuredUsage,
    prices: config.operations.prices,
    async storedBytes() {
      const notes: string[] = [];
      // On the file system every version counts, as S3 bills noncurrent versions too.
      const objectBytes = config.storage.engine === 'fs' ? await directoryBytes(config.storage.root) : 0;
      if (config.storage.engine !== 'fs')
        notes.push('Objects in S3 are not measured here (see the bucket in the AWS console).');
      if (config.db.engine !== 'sqlite') {
        notes.push('Table storage is not measured on DynamoDB (see the table in the AWS console).');
        return { tableBytes: 0, objectBytes, notes };
      }
      const { path } = config.db.sqlite;
      return { tableBytes: await filesBytes([path, `${path}-wal`]), objectBytes, notes };
    },
  });
}
