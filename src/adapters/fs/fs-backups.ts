/**
 * Backups of a data directory, kept under DATA_DIR/backups/<id>/: the SQLite
 * file (an online, consistent copy), the user pool's keys and ids
 * (identity/) and the install's secrets (secrets/), and a manifest of the
 * media objects; manifest.json lists every file with its size and SHA-256
 * and each table's change-log position, which point-in-time restore starts
 * from. A backup appears under its id only once complete.
 *
 * Restores build a new data directory beside the target and rename it into
 * place when it is whole and passes SQLite's integrity check; they never
 * write into the live data directory.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import {
  chmod,
  lstat,
  mkdir,
  readdir,
  readFile,
  realpath,
  rename,
  rm,
  stat,
  writeFile,
} from 'node:fs/promises';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { PlazaError } from '../../platform/errors.ts';
import { filesUnder } from '../../platform/files.ts';
import type { Clock } from '../../ports/clock.ts';
import type { TableDefinition } from '../../ports/item-store/table.ts';
import type { ObjectStore } from '../../ports/object-store/object-store.ts';
import { backupSqliteDatabase, integrityCheck, replayChangeLog } from '../sqlite/sqlite-backup.ts';

export interface BackupFile {
  /** Relative to the backup's directory (and to the data directory it restores). */
  path: string;
  bytes: number;
  sha256: string;
}

export interface MediaObject {
  key: string;
  bytes: number;
  /** S3's ETag: what says the bytes are the same. */
  etag: string;
  contentType: string;
  lastModified: string;
}

export interface BackupManifest {
  format: 1;
  id: string;
  engine: 'sqlite';
  /** When the backup began, and the moment its database copy is consistent with (ISO and ms). */
  createdAt: string;
  takenAt: string;
  takenAtMs: number;
  completedAt: string;
  /** Per table, the sequence number of the last change record the backup holds. */
  tables: Record<string, { changeLogPosition: number }>;
  database: { path: string; pages: number; pageSize: number };
  files: BackupFile[];
  /** The media objects at backup time, listed in media.json (the objects themselves stay in the object store). */
  media: { objects: number; bytes: number };
}

export interface RestoreResult {
  backup: BackupManifest;
  into: string;
  /** Change records replayed per table (point-in-time restore). */
  replayed: Record<string, number>;
  /** Objects copied from the live object store, and those changed or gone since the backup. */
  media: { restored: number; missing: string[]; note?: string };
}

export interface LocalBackupsOptions {
  dataDir: string;
  /** The live SQLite file. */
  databasePath: string;
  tables: readonly TableDefinition[];
  clock: Clock;
  /** The live object store: listed into each backup's media manifest, and read back by restores. */
  objects?: ObjectStore;
  /** A file-system object store in a restored data directory; absent when objects stay where they are (S3). */
  objectsIn?: (dataDir: string) => ObjectStore;
}

/** The directories of the data directory that a backup carries, besides the database. */
const carriedDirectories = ['identity', 'secrets'];

async function sha256Of(path: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(path), hash);
  return hash.digest('hex');
}

/** Copies a file and returns the SHA-256 of what was written, read as it was copied. */
async function copyWithHash(
  from: string,
  to: string,
  mode: number,
): Promise<{ bytes: number; sha256: string }> {
  await mkdir(dirname(to), { recursive: true, mode: 0o700 });
  const hash = createHash('sha256');
  let bytes = 0;
  const source = createReadStream(from);
  source.on('data', (chunk) => {
    hash.update(chunk);
    bytes += chunk.length;
  });
  await pipeline(source, createWriteStream(to, { mode }));
  return { bytes, sha256: hash.digest('hex') };
}

/** Every file under a directory, as paths relative to it (none when it does not exist). */
async function relativeFilesUnder(dir: string): Promise<string[]> {
  return (await filesUnder(dir)).map((path) => relative(dir, path)).sort();
}

const toKey = (path: string) => path.split(sep).join('/');

function backupId(at: number): string {
  return new Date(at).toISOString().replace(/[-:.]/g, '');
}

/**
 * Backups of a SQLite data directory under DATA_DIR/backups: the database through SQLite's backup
 * API, the identity and secrets files, and a manifest of the media, each file with its SHA-256.
 */
export class LocalBackups {
  readonly backupsDir: string;
  private readonly dataDir: string;
  private readonly databaseName: string;

  constructor(private readonly options: LocalBackupsOptions) {
    this.dataDir = resolve(options.dataDir);
    this.backupsDir = join(this.dataDir, 'backups');
    this.databaseName = basename(options.databasePath);
  }

  async read(id: string): Promise<BackupManifest> {
    if (!/^[0-9A-Za-z-]+$/.test(id)) throw new PlazaError('BadInput', `${id} is not a backup id`);
    try {
      return JSON.parse(await readFile(join(this.backupsDir, id, 'manifest.json'), 'utf8')) as BackupManifest;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT')
        throw new PlazaError(
          'BadInput',
          `No backup ${id} in ${this.backupsDir} (plaza backup list shows them)`,
        );
      throw error;
    }
  }

  async list(): Promise<BackupManifest[]> {
    let names: string[];
    try {
      names = await readdir(this.backupsDir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const manifests = await Promise.all(
      names.filter((name) => !name.startsWith('.')).map((name) => this.read(name)),
    );
    return manifests.sort((a, b) => a.takenAtMs - b.takenAtMs || a.id.localeCompare(b.id));
  }

  async create(progress?: (copiedPages: number, totalPages: number) => void): Promise<BackupManifest> {
    const { clock } = this.options;
    const createdAt = clock.now();
    let id = backupId(createdAt);
    await mkdir(this.backupsDir, { recursive: true, mode: 0o700 });
    const taken = new Set(await readdir(this.backupsDir));
    for (let n = 2; taken.has(id); n++) id = `${backupId(createdAt)}-${n}`;
    const partial = join(this.backupsDir, `.${id}.partial-${randomBytes(4).toString('hex')}`);
    await mkdir(partial, { mode: 0o700 });
    try {
      const database = await backupSqliteDatabase({
        source: this.options.databasePath,
        destination: join(partial, this.databaseName),
        now: () => clock.now(),
        ...(progress ? { onProgress: progress } : {}),
      });
      await chmod(join(partial, this.databaseName), 0o600);
      const files: BackupFile[] = [];
      const databaseFile = join(partial, this.databaseName);
      files.push({
        path: this.databaseName,
        bytes: (await stat(databaseFile)).size,
        sha256: await sha256Of(databaseFile),
      });
      for (const directory of carriedDirectories) {
        for (const path of await relativeFilesUnder(join(this.dataDir, directory))) {
          const copied = await copyWithHash(
            join(this.dataDir, directory, path),
            join(partial, directory, path),
            0o600,
          );
          files.push({ path: toKey(join(directory, path)), ...copied });
        }
      }
      const objects: MediaObject[] = [];
      let cursor: string | undefined;
      do {
        const page = await this.options.objects?.list('', { limit: 1000, ...(cursor ? { cursor } : {}) });
        for (const info of page?.items ?? [])
          objects.push({
            key: info.key,
            bytes: info.size,
            etag: info.etag,
            contentType: info.contentType,
            lastModified: info.lastModified.toISOString(),
          });
        cursor = page?.cursor;
      } while (cursor);
      await writeFile(join(partial, 'media.json'), `${JSON.stringify(objects)}\n`, { mode: 0o600 });
      files.push({
        path: 'media.json',
        bytes: (await stat(join(partial, 'media.json'))).size,
        sha256: await sha256Of(join(partial, 'media.json')),
      });
      const manifest: BackupManifest = {
        format: 1,
        id,
        engine: 'sqlite',
        createdAt: new Date(createdAt).toISOString(),
        takenAt: new Date(database.takenAt).toISOString(),
        takenAtMs: database.takenAt,
        completedAt: new Date(clock.now()).toISOString(),
        tables: Object.fromEntries(
          Object.entries(database.changeLogPositions).map(([table, position]) => [
            table,
            { changeLogPosition: position },
          ]),
        ),
        database: { path: this.databaseName, pages: database.pages, pageSize: database.pageSize },
        files,
        media: { objects: objects.length, bytes: objects.reduce((sum, object) => sum + object.bytes, 0) },
      };
      await writeFile(join(partial, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`, {
        mode: 0o600,
      });
      await rename(partial, join(this.backupsDir, id));
      return manifest;
    } catch (error) {
      await rm(partial, { recursive: true, force: true });
      throw error;
    }
  }

  /** The backup as it was taken, in a new data directory. */
  async restore(id: string, into: string): Promise<RestoreResult> {
    return this.materialize(await this.read(id), into, async () => ({}));
  }

  /**
   * The data as it was at `time` (ms): the newest backup taken at or before it, brought
   * forward with the change log. `time` must lie within the log's retention.
   */
  async restoreToTime(time: number, into: string, retentionMs: number): Promise<RestoreResult> {
    const now = this.options.clock.now();
    const iso = (ms: number) => new Date(ms).toISOString();
    if (!Number.isFinite(time))
      throw new PlazaError('BadInput', 'The time to restore to is not a valid time');
    if (time > now) throw new PlazaError('BadInput', `${iso(time)} is in the future (it is now ${iso(now)})`);
    if (time < now - retentionMs)
      throw new PlazaError(
        'BadInput',
        `${iso(time)} is before the change log's retention window: the earliest time to restore to is ${iso(now - retentionMs)}`,
      );
    const backups = await this.list();
    const base = backups.filter((backup) => backup.takenAtMs <= time).at(-1);
    if (!base)
      throw new PlazaError(
        'BadInput',
        backups.length === 0
          ? `No backups in ${this.backupsDir}: point-in-time restore starts from one (plaza backup create)`
          : `No backup was taken at or before ${iso(time)}; the oldest is from ${backups[0]?.takenAt}`,
      );
    const known = new Set(this.options.tables.map((table) => table.name));
    const unknown = Object.keys(base.tables).filter((name) => !known.has(name));
    if (unknown.length > 0)
      throw new PlazaError(
        'BadInput',
        `Backup ${base.id} holds tables this configuration does not name: ${unknown.join(', ')}`,
      );
    return this.materialize(base, into, async (building) =>
      replayChangeLog({
        source: this.options.databasePath,
        target: join(building, base.database.path),
        tables: this.options.tables,
        after: Object.fromEntries(
          Object.entries(base.tables).map(([name, table]) => [name, table.changeLogPosition]),
        ),
        upTo: time,
      }),
    );
  }

  private checkTarget(into: string): Promise<string> {
    return checkRestoreTarget(into, this.dataDir);
  }

  /** Builds the backup's data directory beside the target, lets `finish` work on it, then renames it into place. */
  private async materialize(
    manifest: BackupManifest,
    into: string,
    finish: (building: string) => Promise<Record<string, number>>,
  ): Promise<RestoreResult> {
    const target = await this.checkTarget(into);
    await mkdir(dirname(target), { recursive: true });
    const building = `${target}.restoring-${randomBytes(4).toString('hex')}`;
    await mkdir(building, { mode: 0o700 });
    try {
      const from = join(this.backupsDir, manifest.id);
      for (const file of manifest.files) {
        if (file.path === 'media.json') continue;
        const copied = await copyWithHash(join(from, file.path), join(building, file.path), 0o600);
        if (copied.sha256 !== file.sha256)
          throw new PlazaError(
            'BadInput',
            `Backup ${manifest.id} is damaged: ${file.path} does not match its SHA-256`,
          );
      }
      const media = await this.restoreObjects(
        JSON.parse(await readFile(join(from, 'media.json'), 'utf8')) as MediaObject[],
        building,
      );
      const replayed = await finish(building);
      const problems = integrityCheck(join(building, manifest.database.path));
      if (problems.length !== 1 || problems[0] !== 'ok')
        throw new PlazaError(
          'InternalFailure',
          `The restored database fails integrity_check: ${problems.join('; ')}`,
        );
      await rename(building, target);
      return { backup: manifest, into: target, replayed, media };
    } catch (error) {
      await rm(building, { recursive: true, force: true });
      throw error;
    }
  }

  /**
   * The listed objects, copied from the live store where unchanged (same ETag). Changed or
   * deleted ones are named: bringing those back is the job of object versions (S3 versioning).
   */
  private async restoreObjects(objects: MediaObject[], building: string): Promise<RestoreResult['media']> {
    const { objects: live, objectsIn } = this.options;
    if (!live || !objectsIn)
      return {
        restored: 0,
        missing: [],
        ...(objects.length ? { note: `the ${objects.length} listed objects stay in the object store` } : {}),
      };
    const target = objectsIn(building);
    const missing: string[] = [];
    let restored = 0;
    try {
      for (const object of objects) {
        const current = await live.get(object.key);
        if (!current || current.info.etag !== object.etag) {
          current?.body.destroy();
          missing.push(object.key);
          continue;
        }
        await target.put(object.key, current.body, {
          contentType: current.info.contentType,
          metadata: current.info.metadata,
          contentLength: current.info.size,
        });
        restored++;
      }
    } finally {
      await target.close();
    }
    return { restored, missing };
  }
}

/** Refuses a target that is the live data directory (or holds it), is not a directory, or is not empty. */
export async function checkRestoreTarget(into: string, liveDataDir: string): Promise<string> {
  const target = resolve(into);
  const real = await realpath(target).catch(() => target);
  const live = await realpath(liveDataDir).catch(() => liveDataDir);
  if (real === live || live.startsWith(`${real}${sep}`))
    throw new PlazaError(
      'BadInput',
      `${into} is the live data directory${real === live ? '' : "'s parent"}: restore into a new, empty directory`,
    );
  const info = await lstat(target).catch(() => undefined);
  if (info && !info.isDirectory()) throw new PlazaError('BadInput', `${into} exists and is not a directory`);
  if (info && (await readdir(target)).length > 0)
    throw new PlazaError('BadInput', `${into} is not empty: restore into a new, empty directory`);
  return target;
}

export function localBackups(options: LocalBackupsOptions): LocalBackups {
  return new LocalBackups(options);
}
