/**
 * The continuous off-machine copy (ADR 0012), wired: the target named by `backup.continuousTo`
 * (a directory through the file-system adapter, or S3), the SQLite engine's change log as the
 * source, the media store's created objects; and `plaza restore --from`, which reads it back.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { checkRestoreTarget } from '../adapters/fs/fs-backups.ts';
import { FsObjectStore } from '../adapters/fs/fs-object-store.ts';
import { S3ObjectStore } from '../adapters/s3/s3-object-store.ts';
import { restoringSqliteDatabase, SqliteChangeLogSource } from '../adapters/sqlite/sqlite-change-log-copy.ts';
import {
  ContinuousBackup,
  defaultContinuousBackupSettings,
} from '../domain/operations/backup-copy/continuous-backup.ts';
import { CopyStore } from '../domain/operations/backup-copy/copy-store.ts';
import { restoreFromCopy, type CopyRestoreResult } from '../domain/operations/backup-copy/restore-copy.ts';
import type { BackupTarget } from '../platform/backup-target.ts';
import type { Config } from '../platform/config.ts';
import { PlazaError } from '../platform/errors.ts';
import type { Log } from '../platform/logger.ts';
import type { Metrics } from '../platform/metrics.ts';
import type { Clock } from '../ports/clock.ts';
import type { ObjectStore } from '../ports/object-store/object-store.ts';
import { tableDefinitions } from './stores.ts';

/** The copy's objects: a directory, or a bucket and prefix. */
export function openCopyStore(target: BackupTarget): CopyStore {
  if (target.kind === 'directory') return new CopyStore(new FsObjectStore({ root: target.path }), '');
  return new CopyStore(
    new S3ObjectStore({ bucket: target.bucket, region: target.region, endpoint: target.endpoint }),
    target.prefix,
  );
}

/** Ships the data directory to `backup.continuousTo` (SQLite engine only), or nothing when it is not set. */
export function startContinuousBackup(
  config: Config,
  deps: { media: ObjectStore; metrics: Metrics; logger: Log; clock: Clock },
): ContinuousBackup | undefined {
  const target = config.backup.continuousTo;
  if (!target) return undefined;
  if (config.db.engine !== 'sqlite')
    throw new PlazaError(
      'ConfigurationError',
      'PLAZA_CONTINUOUS_BACKUP ships the SQLite engine; on DynamoDB use point-in-time recovery and global tables',
    );
  const tables = tableDefinitions(config);
  const backup = new ContinuousBackup({
    source: new SqliteChangeLogSource(config.db.sqlite.path, [tables.main, tables.users], deps.clock.now),
    copy: openCopyStore(target),
    // On S3 the media already live off the machine; on the file system they travel with the copy.
    media: config.storage.engine === 'fs' ? deps.media : undefined,
    dataDir: config.dataDir,
    databaseName: basename(config.db.sqlite.path),
    clock: deps.clock,
    logger: deps.logger,
    lag: deps.metrics.backupLag,
    settings: {
      ...defaultContinuousBackupSettings,
      shipIntervalMs: config.backup.shipIntervalMs,
      snapshotIntervalMs: config.backup.snapshotIntervalMs,
    },
  });
  backup.start();
  return backup;
}

export interface ContinuousRestoreRequest {
  from: BackupTarget;
  into: string;
  toTime: number | undefined;
  allowPartial: boolean;
}

/** A new data directory from the copy, built beside `into` and renamed into place when whole. */
export async function restoreFromContinuousBackup(
  config: Config,
  request: ContinuousRestoreRequest,
  now: number,
): Promise<CopyRestoreResult & { into: string }> {
  if (request.toTime !== undefined && request.toTime > now)
    throw new PlazaError(
      'BadInput',
      `${new Date(request.toTime).toISOString()} is in the future (it is now ${new Date(now).toISOString()})`,
    );
  const target = await checkRestoreTarget(request.into, config.dataDir);
  await mkdir(dirname(target), { recursive: true });
  const building = `${target}.restoring-${randomBytes(4).toString('hex')}`;
  await mkdir(building, { mode: 0o700 });
  const copy = openCopyStore(request.from);
  const tables = tableDefinitions(config);
  const media =
    config.storage.engine === 'fs' ? new FsObjectStore({ root: join(building, 'media') }) : undefined;
  try {
    const result = await restoreFromCopy({
      copy,
      from: request.from.url,
      building,
      toTime: request.toTime,
      allowPartial: request.allowPartial,
      tables: [tables.main.name, tables.users.name],
      openDatabase: (file) => restoringSqliteDatabase(file, [tables.main, tables.users]),
      mediaInto: media,
    });
    await media?.close();
    await rename(building, target);
    return { ...result, into: target };
  } catch (error) {
    await media?.close();
    await rm(building, { recursive: true, force: true });
    throw error;
  } finally {
    await copy.close();
  }
}
