/** The local backups (SQLite engine): where they are kept and what they copy. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  localBackups,
  type BackupManifest,
  type LocalBackups,
  type RestoreResult,
} from '../adapters/fs/fs-backups.ts';
import type { BackupSummary } from '../edge/http/console-routes.ts';
import { FsObjectStore } from '../adapters/fs/fs-object-store.ts';
import type { Config } from '../platform/config.ts';
import { PlazaError } from '../platform/errors.ts';
import { systemClock } from '../ports/clock.ts';
import { openObjects } from './objects.ts';
import { tableDefinitions } from './stores.ts';

export type { RestoreResult };

/**
 * The backups of the configured data directory (SQLite engine only: DynamoDB has its own backups and
 * PITR), and the work done with them, after which the object store is closed.
 */
export async function withBackups<T>(config: Config, work: (backups: LocalBackups) => Promise<T>) {
  if (config.db.engine !== 'sqlite')
    throw new PlazaError(
      'BadInput',
      'Backups here are of the SQLite engine; on DynamoDB use its on-demand backups and point-in-time recovery (the CDK stack turns them on)',
    );
  if (!existsSync(config.db.sqlite.path))
    throw new PlazaError(
      'BadInput',
      `No Plaza data at ${config.db.sqlite.path}: set DATA_DIR to an existing data directory`,
    );
  const tables = tableDefinitions(config);
  const { objects } = await openObjects(
    config,
    () => config.publicUrl ?? `http://${config.host}:${config.port}`,
  );
  try {
    return await work(
      localBackups({
        dataDir: config.dataDir,
        databasePath: config.db.sqlite.path,
        tables: [tables.main, tables.users],
        clock: systemClock,
        objects,
        // Restores copy the objects into the new data directory; an S3 bucket keeps its own.
        ...(config.storage.engine === 'fs'
          ? { objectsIn: (dataDir: string) => new FsObjectStore({ root: join(dataDir, 'media') }) }
          : {}),
      }),
    );
  } finally {
    await objects.close();
  }
}

/** A backup as the operator console lists it. */
export function backupSummary(manifest: BackupManifest): BackupSummary {
  return {
    id: manifest.id,
    createdAt: manifest.createdAt,
    completedAt: manifest.completedAt,
    databaseBytes: manifest.files.reduce((sum, file) => sum + file.bytes, 0),
    mediaObjects: manifest.media.objects,
    mediaBytes: manifest.media.bytes,
  };
}
