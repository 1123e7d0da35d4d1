/**
 * Rebuilds a data directory from the continuous off-machine copy (ADR 0012): the newest
 * generation whose snapshot was taken at or before the time, its snapshot checked against its
 * SHA-256, then its segments applied in order up to the time. A missing or damaged segment stops
 * the restore with its name; with `allowPartial` the restore ends at the last good point instead.
 */
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { PlazaError } from '../../../platform/errors.ts';
import type { ChangeLogRecord, RestoringDatabase } from '../../../ports/change-log-copy.ts';
import type { ObjectStore } from '../../../ports/object-store/object-store.ts';
import {
  DamagedSegment,
  decodeSegment,
  mediaDir,
  segmentIndexOf,
  segmentName,
  segmentsDir,
  snapshotName,
  snapshotsDir,
  type CarriedFile,
  type Segment,
  type SnapshotManifest,
} from './copy-format.ts';
import type { CopyStore } from './copy-store.ts';

export interface CopyRestoreOptions {
  copy: CopyStore;
  /** The copy's address, as the operator gave it (for messages). */
  from: string;
  /** The new data directory being built (empty). */
  building: string;
  /** Restore to this time (ms); the newest point the copy holds when absent. */
  toTime: number | undefined;
  /** Restore up to the last good point when a segment is missing or damaged, instead of stopping. */
  allowPartial: boolean;
  /** The tables this configuration names: a copy of others is refused before anything is written. */
  tables: readonly string[];
  openDatabase: (file: string) => RestoringDatabase;
  /** Where the media objects go in the new data directory; absent when they stay in a bucket. */
  mediaInto: ObjectStore | undefined;
}

export interface CopyRestoreResult {
  generation: string;
  snapshotAt: string;
  segments: number;
  records: number;
  /** The time of the last change applied (the snapshot's when none was). */
  restoredTo: string;
  /** Set when the restore stopped early at a missing or damaged segment (allowPartial). */
  stoppedAt: { segment: string; reason: string } | undefined;
  media: number;
}

const iso = (ms: number) => new Date(ms).toISOString();

async function generations(copy: CopyStore, from: string): Promise<SnapshotManifest[]> {
  const names = await copy.list(snapshotsDir);
  if (names.length === 0)
    throw new PlazaError(
      'BadInput',
      `No continuous backup at ${from}: it holds no generation with a snapshot`,
    );
  const manifests: SnapshotManifest[] = [];
  for (const name of names) {
    const text = await copy.get(name.key);
    try {
      manifests.push(JSON.parse(String(text)) as SnapshotManifest);
    } catch {
      throw new PlazaError('BadInput', `The copy at ${from} is damaged: ${name.key} is not readable JSON`);
    }
  }
  return manifests.sort((a, b) => a.takenAtMs - b.takenAtMs);
}

function pickGeneration(
  manifests: SnapshotManifest[],
  toTime: number | undefined,
  from: string,
): SnapshotManifest {
  const base =
    toTime === undefined ? manifests.at(-1) : manifests.filter((m) => m.takenAtMs <= toTime).at(-1);
  if (!base)
    throw new PlazaError(
      'BadInput',
      `The copy at ${from} begins at ${manifests[0]?.takenAt} (its oldest snapshot): nothing to restore as of ${iso(toTime ?? 0)}`,
    );
  return base;
}

async function restoreSnapshot(copy: CopyStore, manifest: SnapshotManifest, file: string): Promise<void> {
  const name = snapshotName(manifest.generation);
  const found = await copy.stream(name);
  if (!found) throw new PlazaError('BadInput', `The copy is damaged: ${name} is missing`);
  const hash = createHash('sha256');
  const hashing = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      callback(null, chunk);
    },
  });
  try {
    // Megabyte chunks: a 1 GB snapshot in a thousand writes rather than sixty thousand.
    await pipeline(
      found.body,
      createGunzip({ chunkSize: 1 << 20 }),
      hashing,
      createWriteStream(file, { mode: 0o600, highWaterMark: 1 << 20 }),
    );
  } catch (error) {
    throw new PlazaError('BadInput', `The copy is damaged: ${name} is corrupt (${(error as Error).message})`);
  }
  if (hash.digest('hex') !== manifest.database.sha256)
    throw new PlazaError('BadInput', `The copy is damaged: ${name} does not match its SHA-256`);
}

/** Where a copy may put files in the data directory: identity/ and secrets/, nothing that climbs out. */
const carriedPath = /^(identity|secrets)(\/(?!\.\.?(\/|$))[A-Za-z0-9._-]+)+$/;

async function writeCarriedFiles(building: string, files: readonly CarriedFile[]): Promise<void> {
  for (const file of files) {
    if (!carriedPath.test(file.path))
      throw new PlazaError(
        'BadInput',
        `The copy is damaged: it names a file outside identity/ and secrets/ (${file.path})`,
      );
    const path = join(building, ...file.path.split('/'));
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    await writeFile(path, Buffer.from(file.content, 'base64'), { mode: 0o600 });
  }
}

const missing = 'it is missing';

/**
 * The highest segment index the copy lists; undefined when the listing itself fails (a store that
 * reads each object to list it, and cannot read a damaged one), and the segments are read in turn.
 */
async function lastSegmentIndex(copy: CopyStore, generation: string): Promise<number | undefined> {
  try {
    const indexes = (await copy.list(segmentsDir(generation)))
      .map((o) => segmentIndexOf(o.key))
      .filter((index): index is number => index !== undefined);
    return Math.max(0, ...indexes);
  } catch {
    return undefined;
  }
}

/** The segment at `index`, or why it cannot be used. */
async function readSegment(
  copy: CopyStore,
  generation: string,
  index: number,
  previous: Segment['header']['through'],
): Promise<Segment | string> {
  let bytes: Buffer | undefined;
  try {
    bytes = await copy.get(segmentName(generation, index));
  } catch (error) {
    // The store itself could not read it back (a damaged file, a failed download).
    return `it could not be read (${(error as Error).message})`;
  }
  if (!bytes) return missing;
  try {
    const segment = await decodeSegment(bytes);
    const follows = Object.entries(previous).every(([table, seq]) => segment.header.after[table] === seq);
    if (segment.header.generation !== generation || segment.header.index !== index || !follows)
      return 'it does not follow the segment before it';
    return segment;
  } catch (error) {
    if (error instanceof DamagedSegment || error instanceof SyntaxError)
      return `it is corrupt: ${error.message}`;
    throw error;
  }
}

export async function restoreFromCopy(options: CopyRestoreOptions): Promise<CopyRestoreResult> {
  const { copy, from, building, toTime } = options;
  const manifest = pickGeneration(await generations(copy, from), toTime, from);
  if (!/^[A-Za-z0-9_-][A-Za-z0-9._-]*$/.test(manifest.database.name))
    throw new PlazaError(
      'BadInput',
      `The copy is damaged: its database is named ${JSON.stringify(manifest.database.name)}`,
    );
  const unknown = Object.keys(manifest.positions).filter((table) => !options.tables.includes(table));
  if (unknown.length > 0)
    throw new PlazaError(
      'BadInput',
      `The copy at ${from} holds tables ${unknown.join(', ')}, which this configuration does not name (it names ${options.tables.join(', ')}): set PLAZA_TABLE as on the machine that shipped it`,
    );
  const file = join(building, manifest.database.name);
  await restoreSnapshot(copy, manifest, file);
  await writeCarriedFiles(building, manifest.files);
  const database = options.openDatabase(file);
  const lastIndex = await lastSegmentIndex(copy, manifest.generation);
  let through = manifest.positions;
  let restoredTo = manifest.takenAtMs;
  let records = 0;
  let segments = 0;
  let stoppedAt: CopyRestoreResult['stoppedAt'];
  for (let index = 1; lastIndex === undefined || index <= lastIndex; index++) {
    const segment = await readSegment(copy, manifest.generation, index, through);
    // Without a listing, the copy ends at the first segment that is not there.
    if (segment === missing && lastIndex === undefined) break;
    if (typeof segment === 'string') {
      const name = segmentName(manifest.generation, index);
      if (!options.allowPartial)
        throw new PlazaError(
          'BadInput',
          `The copy at ${from} is damaged: segment ${name} ${segment}. Nothing was restored; --allow-partial restores up to the last good point (${iso(restoredTo)})`,
        );
      stoppedAt = { segment: name, reason: segment };
      break;
    }
    const { header } = segment;
    if (toTime !== undefined && header.firstAt > toTime) break;
    const applied: ChangeLogRecord[] =
      toTime === undefined ? segment.records : segment.records.filter((record) => record.at <= toTime);
    database.apply(applied);
    if (toTime === undefined || header.filesAt <= toTime) await writeCarriedFiles(building, header.files);
    records += applied.length;
    segments++;
    for (const record of applied) restoredTo = Math.max(restoredTo, record.at);
    through = header.through;
    if (toTime !== undefined && header.lastAt > toTime) break;
  }
  database.finish();
  return {
    generation: manifest.generation,
    snapshotAt: manifest.takenAt,
    segments,
    records,
    restoredTo: iso(restoredTo),
    stoppedAt,
    media: await restoreMedia(copy, options.mediaInto),
  };
}

async function restoreMedia(copy: CopyStore, into: ObjectStore | undefined): Promise<number> {
  if (!into) return 0;
  let count = 0;
  for (const object of await copy.list(mediaDir)) {
    const found = await copy.stream(object.key);
    if (!found) continue;
    await into.put(object.key.slice(mediaDir.length), found.body, {
      contentType: found.info.contentType,
      metadata: found.info.metadata,
      contentLength: found.info.size,
    });
    count++;
  }
  return count;
}
