/**
 * The layout of the continuous off-machine copy (ADR 0012):
 *
 *   generations/<generation>/snapshot.sqlite.gz   the whole database, consistent at one moment
 *   snapshots/<generation>.json                   its manifest, written last: a generation exists once it does
 *   generations/<generation>/segments/<index>.ndjson.gz   the change records after it, in order
 *   media/<key>                                   the media objects
 *
 * A segment is gzipped JSON lines: a header (the positions it starts after and ends at, the
 * records' times, and the identity and secrets files that changed), one line per record, and a
 * trailer with the SHA-256 of everything before it, so a damaged segment is never half-applied.
 */
import { createHash, randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { gunzip as gunzipCallback, gzip as gzipCallback } from 'node:zlib';
import type { ChangeLogRecord, LogPositions, RecordMark } from '../../../ports/change-log-copy.ts';

const gzip = promisify(gzipCallback);
const gunzip = promisify(gunzipCallback);

/** A file of the data directory carried in the copy (identity/, secrets/), with its bytes. */
export interface CarriedFile {
  path: string;
  sha256: string;
  /** base64 */
  content: string;
}

export interface SnapshotManifest {
  format: 1;
  generation: string;
  takenAt: string;
  takenAtMs: number;
  positions: LogPositions;
  marks: Record<string, RecordMark | null>;
  database: { name: string; bytes: number; sha256: string; storedBytes: number };
  files: CarriedFile[];
}

export interface SegmentHeader {
  format: 1;
  generation: string;
  index: number;
  after: LogPositions;
  through: LogPositions;
  /** The record at each table's `through` position: where a restarted server checks its log goes on. */
  marks: Record<string, RecordMark | null>;
  records: number;
  /** Commit times of the first and last record (ms); the shipping time when there are none. */
  firstAt: number;
  lastAt: number;
  /** Carried files that changed, as found at `filesAt`. */
  files: CarriedFile[];
  filesAt: number;
}

export interface Segment {
  header: SegmentHeader;
  records: ChangeLogRecord[];
}

/** Sortable by time, unique per start. */
export function newGenerationId(now: number): string {
  return `${new Date(now).toISOString().replace(/[-:.]/g, '')}-${randomBytes(3).toString('hex')}`;
}

export const generationDir = (generation: string) => `generations/${generation}/`;
/** Manifests under a prefix of their own: finding the generations lists a few keys, not every segment. */
export const snapshotsDir = 'snapshots/';
export const snapshotManifestName = (generation: string) => `${snapshotsDir}${generation}.json`;
export const snapshotName = (generation: string) => `${generationDir(generation)}snapshot.sqlite.gz`;
export const segmentsDir = (generation: string) => `${generationDir(generation)}segments/`;
export const segmentName = (generation: string, index: number) =>
  `${segmentsDir(generation)}${String(index).padStart(10, '0')}.ndjson.gz`;
export const mediaDir = 'media/';

/** The index a segment's name carries; undefined for anything else. */
export function segmentIndexOf(name: string): number | undefined {
  const match = /\/segments\/(\d{10})\.ndjson\.gz$/.exec(name);
  return match ? Number(match[1]) : undefined;
}

type RecordLine = [
  string,
  number,
  number,
  string,
  string,
  string,
  string | null,
  string | null,
  string | null,
];

export async function encodeSegment(
  header: SegmentHeader,
  records: readonly ChangeLogRecord[],
): Promise<Buffer> {
  const lines = [JSON.stringify(header)];
  for (const r of records)
    lines.push(
      JSON.stringify([
        r.table,
        r.seq,
        r.at,
        r.eventName,
        r.pk,
        r.sk,
        r.newItem,
        r.oldItem,
        r.origin,
      ] satisfies RecordLine),
    );
  const text = `${lines.join('\n')}\n`;
  const sha256 = createHash('sha256').update(text).digest('hex');
  return gzip(`${text}${JSON.stringify({ sha256 })}\n`, { level: 1 });
}

/** A segment that cannot be read back whole. */
export class DamagedSegment extends Error {}

export async function decodeSegment(bytes: Buffer): Promise<Segment> {
  let text: string;
  try {
    text = (await gunzip(bytes)).toString('utf8');
  } catch (error) {
    throw new DamagedSegment(`not a whole gzip stream (${(error as Error).message})`);
  }
  const end = text.lastIndexOf('\n', text.length - 2);
  if (end < 0) throw new DamagedSegment('no trailer');
  const body = text.slice(0, end + 1);
  let trailer: { sha256?: unknown };
  try {
    trailer = JSON.parse(text.slice(end + 1)) as { sha256?: unknown };
  } catch {
    throw new DamagedSegment('its trailer is unreadable');
  }
  if (trailer.sha256 !== createHash('sha256').update(body).digest('hex'))
    throw new DamagedSegment('its SHA-256 does not match');
  const lines = body.slice(0, -1).split('\n');
  const header = JSON.parse(lines[0] as string) as SegmentHeader;
  const records = lines.slice(1).map((line) => {
    const [table, seq, at, eventName, pk, sk, newItem, oldItem, origin] = JSON.parse(line) as RecordLine;
    return { table, seq, at, eventName, pk, sk, newItem, oldItem, origin };
  });
  if (header.format !== 1 || records.length !== header.records)
    throw new DamagedSegment(`its header says ${header.records} records, it holds ${records.length}`);
  return { header, records };
}
