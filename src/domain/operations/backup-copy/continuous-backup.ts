/**
 * The continuous off-machine copy (issue 22, ADR 0012): a snapshot of the database starts a
 * generation; after it, every round (once a second by default) ships the change records committed
 * since as one segment, and the media objects created since. The queue of what is not shipped yet
 * is the change log itself (durable, kept for its retention), so an unreachable target costs no
 * memory and loses nothing; the media queue is bounded, and past its bound the next round that
 * reaches the target compares the stores instead. `plaza_backup_lag_seconds` is the age of the
 * oldest change or object not shipped yet.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readFile, rm, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { filesUnder } from '../../../platform/files.ts';
import type { Log } from '../../../platform/logger.ts';
import type { GaugeMetric } from '../../../platform/metrics.ts';
import type { ChangeLogSource, LogPositions, RecordMark } from '../../../ports/change-log-copy.ts';
import type { Clock } from '../../../ports/clock.ts';
import type { ObjectStore } from '../../../ports/object-store/object-store.ts';
import {
  decodeSegment,
  encodeSegment,
  mediaDir,
  newGenerationId,
  segmentIndexOf,
  segmentName,
  segmentsDir,
  snapshotManifestName,
  snapshotName,
  snapshotsDir,
  type CarriedFile,
  type SnapshotManifest,
} from './copy-format.ts';
import type { CopyStore } from './copy-store.ts';

export interface ContinuousBackupSettings {
  shipIntervalMs: number;
  /** A new generation (a new snapshot) after this long, so a restore replays at most this much. */
  snapshotIntervalMs: number;
  /** Records per segment at most (a catching-up round ships several). */
  segmentRecords: number;
  /** Created media objects remembered for shipping; past this, the stores are compared instead. */
  mediaQueueLimit: number;
}

export const defaultContinuousBackupSettings: ContinuousBackupSettings = {
  shipIntervalMs: 1000,
  snapshotIntervalMs: 24 * 3600 * 1000,
  segmentRecords: 10_000,
  mediaQueueLimit: 10_000,
};

export interface ContinuousBackupServices {
  source: ChangeLogSource;
  copy: CopyStore;
  /** The live media, shipped as they are created. */
  media: ObjectStore | undefined;
  /**
   * Where the media's created events come from, when not from `media` itself: shipping runs in a
   * thread of its own, which reads the same files through a store of its own while the server's
   * store sees the writes.
   */
  mediaEvents?: Pick<ObjectStore, 'subscribe'>;
  /** The data directory: its identity/ and secrets/ travel with the copy; snapshots are staged in its tmp/. */
  dataDir: string;
  databaseName: string;
  clock: Clock;
  logger: Log;
  lag: GaugeMetric;
  settings: ContinuousBackupSettings;
}

/** Where shipping stands in one generation. */
interface Generation {
  id: string;
  takenAtMs: number;
  snapshotBytes: number;
  segmentBytes: number;
  nextIndex: number;
  positions: LogPositions;
  marks: Record<string, RecordMark | null>;
  /** The carried files as this generation holds them: path → SHA-256. */
  files: Map<string, string>;
}

/** The data directory's folders whose files a restore needs besides the database (the user pool's keys and ids). */
const carriedDirectories = ['identity', 'secrets'];

export class ContinuousBackup {
  private current: Generation | undefined;
  private next: Promise<Generation> | undefined;
  private nextReady: Generation | undefined;
  private readonly mediaQueue = new Map<string, number>();
  private reconcileMedia = true;
  private readonly startedAt: number;
  private timer: NodeJS.Timeout | undefined;
  private round: Promise<void> | undefined;
  private failingSince: number | undefined;
  private stopped = false;
  private readonly unsubscribe: (() => void) | undefined;

  constructor(private readonly services: ContinuousBackupServices) {
    this.startedAt = services.clock.now();
    this.unsubscribe = (services.mediaEvents ?? services.media)?.subscribe((event) => {
      if (event.type !== 'created' || this.mediaQueue.has(event.key)) return;
      if (this.mediaQueue.size >= services.settings.mediaQueueLimit) this.reconcileMedia = true;
      else this.mediaQueue.set(event.key, services.clock.now());
    });
  }

  /** Ships every `shipIntervalMs` until stopped; a round starts only once the last one ended. */
  start(): void {
    const schedule = () => {
      if (this.stopped) return;
      this.timer = setTimeout(() => {
        this.round = this.shipOnce().finally(schedule);
      }, this.services.settings.shipIntervalMs);
      this.timer.unref();
    };
    this.round = this.shipOnce().finally(schedule);
  }

  /** One round: resume or start a generation, ship the changes and media waiting. Never throws. */
  async shipOnce(): Promise<void> {
    try {
      await this.shipRound();
      if (this.failingSince !== undefined)
        this.services.logger.info(
          { unreachableForSeconds: (this.services.clock.now() - this.failingSince) / 1000 },
          'continuous backup: the target is reachable again, caught up',
        );
      this.failingSince = undefined;
    } catch (error) {
      if (this.failingSince === undefined) {
        this.failingSince = this.services.clock.now();
        this.services.logger.warn(
          { err: error },
          'continuous backup: shipping failed; changes wait in the change log and are shipped when the target answers',
        );
      }
    } finally {
      this.updateLag();
    }
  }

  /** Ships what is waiting, then stops (the server's shutdown). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.round;
    await this.next?.catch(() => undefined);
    if (this.current) await this.shipOnce();
    this.unsubscribe?.();
    this.services.source.close();
  }

  /** Seconds since the oldest change or created object that is not shipped yet (0 when none). */
  lagSeconds(): number {
    const now = this.services.clock.now();
    const oldestChange = this.current
      ? this.services.source.oldestAfter(this.current.positions)
      : this.startedAt;
    let oldest = oldestChange ?? now;
    for (const at of this.mediaQueue.values()) oldest = Math.min(oldest, at);
    return Math.max(0, (now - oldest) / 1000);
  }

  /** The generation being shipped and its next segment (for the CLI and tests). */
  status(): { generation: string | undefined; nextSegment: number; pendingMedia: number } {
    return {
      generation: this.current?.id,
      nextSegment: this.current?.nextIndex ?? 0,
      pendingMedia: this.mediaQueue.size,
    };
  }

  private updateLag(): void {
    try {
      this.services.lag.set(this.lagSeconds());
    } catch (error) {
      this.services.logger.warn({ err: error }, 'continuous backup: the lag could not be read');
    }
  }

  private async shipRound(): Promise<void> {
    if (this.nextReady) {
      this.current = this.nextReady;
      this.nextReady = undefined;
      this.next = undefined;
    }
    if (this.current && !this.services.source.continues(this.current.marks)) {
      // The log was trimmed past what was shipped (the target was away longer than its retention).
      this.services.logger.warn(
        { generation: this.current.id },
        'continuous backup: the change log no longer reaches back to the copy; starting a new generation',
      );
      this.current = undefined;
    }
    if (!this.current) {
      // A copy that cannot be read back (a damaged segment) is not gone on from: a new snapshot starts.
      const resumed = await this.resume().catch((error: unknown) => {
        this.services.logger.warn({ err: error }, 'continuous backup: the copy could not be read back');
        return undefined;
      });
      this.current = resumed ?? (await this.startGeneration());
      this.reconcileMedia = true;
    }
    await this.shipChanges(this.current);
    await this.shipMedia();
    const due =
      this.services.clock.now() - this.current.takenAtMs >= this.services.settings.snapshotIntervalMs ||
      this.current.segmentBytes > Math.max(this.current.snapshotBytes, 64 * 1024 * 1024);
    if (due && !this.next && !this.stopped) {
      // The old generation goes on shipping until the new snapshot is whole at the target.
      this.next = this.startGeneration();
      this.next.then(
        (generation) => (this.nextReady = generation),
        (error: unknown) => {
          this.next = undefined;
          this.services.logger.warn(
            { err: error },
            'continuous backup: a new snapshot failed; retried later',
          );
        },
      );
    }
  }

  /** The newest generation at the target, when this database's change log goes on from where it ends. */
  private async resume(): Promise<Generation | undefined> {
    const { copy, source } = this.services;
    const manifests = await copy.list(snapshotsDir);
    const newest = manifests.at(-1);
    if (!newest) return undefined;
    const manifest = JSON.parse(String(await copy.get(newest.key))) as SnapshotManifest;
    const segments = await copy.list(segmentsDir(manifest.generation));
    const last = segments.at(-1);
    let generation: Generation = {
      id: manifest.generation,
      takenAtMs: manifest.takenAtMs,
      snapshotBytes: manifest.database.storedBytes,
      segmentBytes: segments.reduce((sum, segment) => sum + segment.size, 0),
      nextIndex: 1,
      positions: manifest.positions,
      marks: manifest.marks,
      // Files changed since the snapshot may already be in a segment; shipping them again is harmless.
      files: new Map(manifest.files.map((file) => [file.path, file.sha256])),
    };
    if (last) {
      const index = segmentIndexOf(last.key);
      const segment = await decodeSegment((await copy.get(last.key)) ?? Buffer.alloc(0)).catch(
        () => undefined,
      );
      if (index === undefined || !segment) return undefined;
      generation = {
        ...generation,
        nextIndex: index + 1,
        positions: segment.header.through,
        marks: segment.header.marks,
      };
    }
    if (!source.continues(generation.marks)) {
      this.services.logger.info(
        { generation: generation.id },
        'continuous backup: this database does not continue the newest generation at the target; starting a new one',
      );
      return undefined;
    }
    return generation;
  }

  /** A snapshot of the database and the carried files, as a new generation at the target. */
  private async startGeneration(): Promise<Generation> {
    const { source, copy, clock, dataDir, databaseName, logger } = this.services;
    const id = newGenerationId(clock.now());
    const staging = join(dataDir, 'tmp', `continuous-backup-${id}`);
    await mkdir(staging, { recursive: true, mode: 0o700 });
    try {
      const file = join(staging, databaseName);
      const snapshot = await source.snapshot(file);
      const compressed = `${file}.gz`;
      const hash = createHash('sha256');
      const hashing = new Transform({
        transform(chunk: Buffer, _encoding, callback) {
          hash.update(chunk);
          callback(null, chunk);
        },
      });
      // Megabyte chunks: a 1 GB snapshot in a thousand writes rather than sixty thousand.
      await pipeline(
        createReadStream(file, { highWaterMark: 1 << 20 }),
        hashing,
        createGzip({ level: 1, chunkSize: 1 << 20 }),
        createWriteStream(compressed, { highWaterMark: 1 << 20 }),
      );
      const [bytes, storedBytes] = [(await stat(file)).size, (await stat(compressed)).size];
      await copy.put(snapshotName(id), createReadStream(compressed), {
        contentType: 'application/gzip',
        contentLength: storedBytes,
      });
      const files = await this.carriedFiles();
      const manifest: SnapshotManifest = {
        format: 1,
        generation: id,
        takenAt: new Date(snapshot.takenAt).toISOString(),
        takenAtMs: snapshot.takenAt,
        positions: snapshot.positions,
        marks: snapshot.marks,
        database: { name: databaseName, bytes, sha256: hash.digest('hex'), storedBytes },
        files,
      };
      // Written last: a generation without its manifest is an unfinished one, which restores skip.
      await copy.put(snapshotManifestName(id), Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`), {
        contentType: 'application/json',
      });
      logger.info(
        { generation: id, bytes, storedBytes },
        'continuous backup: snapshot shipped, a new generation',
      );
      return {
        id,
        takenAtMs: snapshot.takenAt,
        snapshotBytes: storedBytes,
        segmentBytes: 0,
        nextIndex: 1,
        positions: snapshot.positions,
        marks: snapshot.marks,
        files: new Map(files.map((file) => [file.path, file.sha256])),
      };
    } finally {
      await rm(staging, { recursive: true, force: true });
    }
  }

  private async carriedFiles(): Promise<CarriedFile[]> {
    const files: CarriedFile[] = [];
    for (const directory of carriedDirectories) {
      const root = join(this.services.dataDir, directory);
      for (const path of (await filesUnder(root)).sort()) {
        const content = await readFile(path).catch(() => undefined);
        if (!content) continue;
        files.push({
          path: [directory, ...relative(root, path).split(sep)].join('/'),
          sha256: createHash('sha256').update(content).digest('hex'),
          content: content.toString('base64'),
        });
      }
    }
    return files;
  }

  /** Ships the change records after the generation's positions, a segment at a time. */
  private async shipChanges(generation: Generation): Promise<void> {
    const { source, copy, clock, settings } = this.services;
    const current = await this.carriedFiles();
    let files = current.filter((file) => generation.files.get(file.path) !== file.sha256);
    const filesAt = clock.now();
    for (;;) {
      const records = source.read(generation.positions, settings.segmentRecords);
      if (records.length === 0 && files.length === 0) return;
      const through = { ...generation.positions };
      const marks = { ...generation.marks };
      for (const record of records) {
        through[record.table] = record.seq;
        marks[record.table] = { seq: record.seq, at: record.at, pk: record.pk, sk: record.sk };
      }
      const body = await encodeSegment(
        {
          format: 1,
          generation: generation.id,
          index: generation.nextIndex,
          after: generation.positions,
          through,
          marks,
          records: records.length,
          firstAt: records[0]?.at ?? filesAt,
          lastAt: records.at(-1)?.at ?? filesAt,
          files,
          filesAt,
        },
        records,
      );
      await copy.put(segmentName(generation.id, generation.nextIndex), body, {
        contentType: 'application/gzip',
      });
      generation.positions = through;
      generation.marks = marks;
      generation.nextIndex++;
      generation.segmentBytes += body.length;
      for (const file of files) generation.files.set(file.path, file.sha256);
      files = [];
      if (records.length === 0) return;
    }
  }

  /** Copies the created media objects to the copy's media/, or compares the stores when the queue overflowed. */
  private async shipMedia(): Promise<void> {
    const { media, copy } = this.services;
    if (!media) return;
    if (this.reconcileMedia) {
      const shipped = new Map((await copy.list(mediaDir)).map((o) => [o.key.slice(mediaDir.length), o.size]));
      let cursor: string | undefined;
      do {
        const page = await media.list('', { limit: 1000, ...(cursor ? { cursor } : {}) });
        for (const info of page.items)
          if (shipped.get(info.key) !== info.size && !this.mediaQueue.has(info.key))
            this.mediaQueue.set(info.key, info.lastModified.getTime());
        cursor = page.cursor;
        // Compared in pages, shipped as it goes: the queue stays within its bound.
        await this.drainMediaQueue();
      } while (cursor);
      this.reconcileMedia = false;
    }
    await this.drainMediaQueue();
  }

  private async drainMediaQueue(): Promise<void> {
    const { media, copy } = this.services;
    if (!media) return;
    for (const key of [...this.mediaQueue.keys()]) {
      const found = await media.get(key);
      if (found)
        await copy.put(`${mediaDir}${key}`, found.body, {
          contentType: found.info.contentType,
          metadata: found.info.metadata,
          contentLength: found.info.size,
        });
      this.mediaQueue.delete(key);
    }
  }
}
