/**
 * The SQLite file that holds every table on one machine. One file under
 * DATA_DIR, WAL mode so readers never wait for the writer, and a busy timeout
 * so the CLI can write while the server runs.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

export type Synchronous = 'FULL' | 'NORMAL';

export interface SqliteOptions {
  /** File path, or ':memory:'. */
  path: string;
  /** FULL (default) syncs the WAL on every commit; NORMAL only at checkpoints (a power cut may lose the last commits, never corrupt). */
  synchronous?: Synchronous;
}

export function openSqlite(options: SqliteOptions): Database.Database {
  if (options.path !== ':memory:') mkdirSync(dirname(options.path), { recursive: true });
  const db = new Database(options.path);
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${options.synchronous ?? 'FULL'}`);
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  // Each write of a group commit runs in a savepoint, and a savepoint keeps the pages it changes in
  // a statement journal, in a temporary file once it passes 64 KiB. A burst of writes to scattered
  // keys passed that in every savepoint: writing 5,000 notifications spent a fifth of its time in
  // pwrite(2) to that file. In memory it is a copy; it never holds more than a commit's pages.
  db.pragma('temp_store = MEMORY');
  // Checkpointing is left to SQLite's default (every 1000 pages).
  return db;
}
