/**
 * What the continuous off-machine copy (ADR 0012) needs from the item store's engine: its change
 * log, read after positions, and a consistent snapshot of the whole database; and, to restore,
 * a database file that change records are applied to. The SQLite engine provides both
 * (adapters/sqlite/sqlite-change-log-copy.ts).
 */

/** One change record as the log holds it: item images are the log's own JSON text. */
export interface ChangeLogRecord {
  table: string;
  seq: number;
  /** The commit's time (ms); every record of one commit carries the same one. */
  at: number;
  eventName: string;
  pk: string;
  sk: string;
  newItem: string | null;
  oldItem: string | null;
  origin: string | null;
}

/** Per table, the sequence number of the last record covered (0: none). */
export type LogPositions = Record<string, number>;

/** The record at a position, enough to tell whether a log is the one a copy was taken from. */
export interface RecordMark {
  seq: number;
  at: number;
  pk: string;
  sk: string;
}

export interface LogSnapshot {
  /** When the snapshot was read (ms). */
  takenAt: number;
  positions: LogPositions;
  /** Per table, the record at its position (null when the log was empty). */
  marks: Record<string, RecordMark | null>;
}

export interface ChangeLogSource {
  /**
   * Records after the positions, every table read in one snapshot, in sequence order per table.
   * When more than `limit` wait in a table, the read stops at a commit boundary all tables share,
   * so each read ends at one point in time.
   */
  read(after: LogPositions, limit: number): ChangeLogRecord[];
  /** The commit time of the oldest record after the positions; undefined when there is none. */
  oldestAfter(after: LogPositions): number | undefined;
  /** Whether this log goes on from the marks: each mark's record is unchanged and nothing after it was trimmed. */
  continues(marks: Record<string, RecordMark | null>): boolean;
  /** A consistent copy of the whole database into `file`, and where each table's log stood in it. */
  snapshot(file: string): Promise<LogSnapshot>;
  close(): void;
}

/** A database file being rebuilt from a snapshot: records applied in order, then checked. */
export interface RestoringDatabase {
  apply(records: readonly ChangeLogRecord[]): void;
  /** Checkpoints, runs the integrity check, and closes; throws when the file is damaged. */
  finish(): void;
}
