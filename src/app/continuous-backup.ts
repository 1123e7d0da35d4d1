/**
 * The continuous off-machine copy (ADR 0012), wired: the target named by `backup.continuousTo`
 * (a directory through the file-system adapter, or S3), the SQLite engine's change log as the
 * source, the media store's created objects; and `plaza restore --from`, which reads it back.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { checkRestoreTarget } from '../adapters/fs/fs-backups.ts';
import { FsObjectStore } from '../adapters/fs/fs-object-store.ts';
import { restoringSqliteDatabase } from '../adapters/sqlite/sqlite-change-log-copy.ts';
import {
  defaultContinuousBackupSettings,
  type ContinuousBackupSettings,
} from '../domain/operations/backup-copy/continuous-backup.ts';
import { CopyStore } from '../domain/operations/backup-copy/copy-store.ts';
import { restoreFromCopy, type CopyRestoreResult } from '../domain/operations/backup-copy/restore-copy.ts';
import type { BackupTarget } from '../platform/backup-target.ts';
import type { Config } from '../platform/config.ts';
import { PlazaError } from '../platform/errors.ts';
import type { Log } from '../platform/logger.ts';
import type { GaugeMetric, Metrics } from '../platform/metrics.ts';
import type { ObjectEvent, ObjectStore } from '../ports/object-store/object-store.ts';
import type { TableDefinition } from '../ports/item-store/table.ts';
import { tableDefinitions } from './stores.ts';

/** The copy's objects: a directory, or a bucket and prefix. */
export async function openCopyStore(target: BackupTarget): Promise<CopyStore> {
  if (target.kind === 'directory') return new CopyStore(new FsObjectStore({ root: target.path }), '');
  // Loaded here only, as objects.ts loads the AWS engines' adapters.
  const { S3ObjectStore } = await import('../adapters/s3/s3-object-store.ts');
  return new CopyStore(
    new S3ObjectStore({ bucket: target.bucket, region: target.region, endpoint: target.endpoint }),
    target.prefix,
  );
}

/** What the shipping thread is started with (structured-cloned into it). */
export interface ShippingSettings {
  target: BackupTarget;
  databasePath: string;
  databaseName: string;
  tables: TableDefinition[];
  /** The file-system media store's root; absent on S3, where the media already live off the machine. */
  mediaRoot: string | undefined;
  dataDir: string;
  logLevel: string;
  shipping: ContinuousBackupSettings;
}

/** The server's messages to the shipping thread: a created media object, a question for the lag, the end. */
export type ToShipping = { type: 'media'; event: ObjectEvent } | { type: 'lag' } | { type: 'stop' };
/** The shipping thread's messages: the copy's lag (after each round, and when asked), and that it has stopped. */
export type FromShipping = { type: 'lag'; seconds: number } | { type: 'stopped' };

/** The shipping thread, as the server holds it. */
export interface ContinuousBackupThread {
  /** Seconds since the oldest change or created object not shipped yet, as the thread reads it now. */
  lagSeconds(): Promise<number>;
  /** Ships what was written until now, then ends the thread (the server's shutdown). */
  stop(): Promise<void>;
}

/**
 * Ships the data directory to `backup.continuousTo` (SQLite engine only) from a thread of its own,
 * or nothing when it is not set.
 */
export function startContinuousBackup(
  config: Config,
  deps: { media: ObjectStore; metrics: Metrics; logger: Log },
): ContinuousBackupThread | undefined {
  const target = config.backup.continuousTo;
  if (!target) return undefined;
  if (config.db.engine !== 'sqlite')
    throw new PlazaError(
      'ConfigurationError',
      'PLAZA_CONTINUOUS_BACKUP ships the SQLite engine; on DynamoDB use point-in-time recovery and global tables',
    );
  const tables = tableDefinitions(config);
  // On S3 the media already live off the machine; on the file system they travel with the copy.
  const mediaOnDisk = config.storage.engine === 'fs';
  return startShippingThread(
    {
      target,
      databasePath: config.db.sqlite.path,
      databaseName: basename(config.db.sqlite.path),
      tables: [tables.main, tables.users],
      mediaRoot: mediaOnDisk ? config.storage.root : undefined,
      dataDir: config.dataDir,
      logLevel: config.logLevel,
      shipping: {
        ...defaultContinuousBackupSettings,
        shipIntervalMs: config.backup.shipIntervalMs,
        snapshotIntervalMs: config.backup.snapshotIntervalMs,
      },
    },
    {
      media: mediaOnDisk ? deps.media : undefined,
      lag: deps.metrics.backupLag,
      logger: deps.logger,
    },
  );
}

/**
 * Starts shipping in continuous-backup-thread.ts: the server's thread forwards the media store's
 * created objects to it and keeps the lag gauge it reports.
 */
export function startShippingThread(
  settings: ShippingSettings,
  deps: { media: ObjectStore | undefined; lag: GaugeMetric; logger: Log },
): ContinuousBackupThread {
  // The thread compiles its TypeScript as the server does (bin/plaza.js): tsx registered first.
  const thread = new URL('./continuous-backup-thread.ts', import.meta.url).href;
  const tsx = import.meta.resolve('tsx/esm/api');
  const worker = new Worker(
    `import(${JSON.stringify(tsx)}).then(({ register }) => { register(); return import(${JSON.stringify(thread)}); });`,
    { eval: true, workerData: settings, name: 'continuous-backup' },
  );
  const tell = (message: ToShipping) => worker.postMessage(message);
  const asked: { resolve(seconds: number): void; reject(error: Error): void }[] = [];
  let ended: Error | undefined;
  let stopping = false;
  const end = () => {
    ended ??= new Error('continuous backup: the shipping thread has ended');
    for (const question of asked.splice(0)) question.reject(ended);
  };
  const stopped = new Promise<void>((resolve) => {
    worker.on('message', (message: FromShipping) => {
      if (message.type === 'stopped') return resolve();
      deps.lag.set(message.seconds);
      for (const question of asked.splice(0)) question.resolve(message.seconds);
    });
    worker.once('exit', () => {
      // A thread that ended unasked ships nothing more: the lag it can no longer report is endless,
      // which the lag alarm sees.
      if (!stopping) deps.lag.set(Number.POSITIVE_INFINITY);
      end();
      resolve();
    });
  });
  worker.on('error', (error) =>
    deps.logger.error({ err: error }, 'continuous backup: the shipping thread failed; nothing is shipped'),
  );
  const unsubscribe = deps.media?.subscribe((event) => {
    if (event.type === 'created') tell({ type: 'media', event });
  });
  return {
    lagSeconds() {
      if (ended) return Promise.reject(ended);
      tell({ type: 'lag' });
      return new Promise((resolve, reject) => asked.push({ resolve, reject }));
    },
    async stop() {
      unsubscribe?.();
      stopping = true;
      if (!ended) tell({ type: 'stop' });
      await stopped;
      end();
      await worker.terminate();
    },
  };
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
  const copy = await openCopyStore(request.from);
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
