/**
 * Online backup and point-in-time replay of the SQLite file.
 *
 * Backup: SQLite's backup API, page by page, from a connection of its own
 * that holds one read transaction for the whole copy. In WAL mode that
 * snapshot never blocks the server's writes, and because the snapshot does
 * not move, writes made meanwhile by other connections do not restart the
 * copy (they would, step after step, without it). The same snapshot gives
 * each table's change-log position: the backup holds every record up to it.
 *
 * Replay: the change log's records after a backup's positions, up to a time,
 * applied to a copy of the backup: items stored or deleted as the log says,
 * and the records themselves kept, so the restored file's log (and its stream
 * consumers) go on from there.
 */
import Database from 'better-sqlite3';
import { PlazaError } from '../../platform/errors.ts';
import type { Item } from '../../ports/item-store/item-store.ts';
import { itemSize } from '../../ports/item-store/rules.ts';
import type { TableDefinition } from '../../ports/item-store/table.ts';
import { createSqliteTables, itemRow, sqlName, sqliteTableNames, upsertItemSql } from './sqlite-schema.ts';

export interface SqliteBackupResult {
  /** When the snapshot was read (ms): it holds every write committed before, none committed after. */
  takenAt: number;
  /** Per table, the sequence number of the last change record in the backup (0: none). */
  changeLogPositions: Record<string, number>;
  pages: number;
  pageSize: number;
}

export interface SqliteBackupOptions {
  source: string;
  destination: string;
  now: () => number;
  onProgress?: (copiedPages: number, totalPages: number) => void;
  /** Pages copied per step; between steps the event loop runs. */
  pagesPerStep?: number;
}

/** The logical tables of a Plaza SQLite file: those with a change log. */
function changeLogTables(db: Database.Database): string[] {
  return db
    .prepare<[], { name: string }>(
      `SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'changes\\_%' ESCAPE '\\'`,
    )
    .all()
    .map((row) => row.name.slice('changes_'.length));
}

export async function backupSqliteDatabase(options: SqliteBackupOptions): Promise<SqliteBackupResult> {
  const db = new Database(options.source, { readonly: true, fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    db.exec('BEGIN');
    // The first read starts the snapshot; everything below reads (and copies) that one state.
    const changeLogPositions: Record<string, number> = {};
    for (const table of changeLogTables(db)) {
      const row = db
        .prepare<[], { seq: number | null }>(`SELECT max(seq) AS seq FROM ${sqlName(`changes_${table}`)}`)
        .get();
      changeLogPositions[table] = row?.seq ?? 0;
    }
    const takenAt = options.now();
    const pageSize = db.pragma('page_size', { simple: true }) as number;
    const step = options.pagesPerStep ?? 1024;
    const { totalPages } = await db.backup(options.destination, {
      progress: ({ totalPages: total, remainingPages }) => {
        options.onProgress?.(total - remainingPages, total);
        return step;
      },
    });
    options.onProgress?.(totalPages, totalPages);
    db.exec('COMMIT');
    return { takenAt, changeLogPositions, pages: totalPages, pageSize };
  } finally {
    db.close();
  }
}

/** A change-log row as SQLite holds it. */
export interface ChangeRow {
  seq: number;
  at: number;
  event_name: string;
  pk: string;
  sk: string;
  new_item: string | null;
  old_item: string | null;
  origin: string | null;
}

export interface ReplayOptions {
  /** The live file, whose change log goes past the backup. */
  source: string;
  /** A copy of the backup, brought forward in place. */
  target: string;
  tables: readonly TableDefinition[];
  /** Per table, the backup's change-log position. */
  after: Readonly<Record<string, number>>;
  /** Records at or before this time (ms) are applied. */
  upTo: number;
}

/**
 * Applies the change records after each table's position, up to `upTo`,
 * to the target. Refuses when the live log no longer reaches back to the
 * position (trimmed past its retention), or comes from another database.
 * Returns how many records were applied per table.
 */
export function replayChangeLog(options: ReplayOptions): Record<string, number> {
  const source = new Database(options.source, { readonly: true, fileMustExist: true });
  const target = new Database(options.target, { fileMustExist: true });
  const applied: Record<string, number> = {};
  try {
    source.pragma('busy_timeout = 5000');
    // One read transaction: the whole replay reads one state of the live log.
    source.exec('BEGIN');
    for (const table of options.tables) {
      const position = options.after[table.name];
      if (position === undefined) continue;
      applied[table.name] = replayTable(source, target, table, position, options.upTo);
    }
    source.exec('COMMIT');
    target.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    source.close();
    target.close();
  }
  return applied;
}

function replayTable(
  source: Database.Database,
  target: Database.Database,
  table: TableDefinition,
  position: number,
  upTo: number,
): number {
  const { changes } = sqliteTableNames(table);
  createSqliteTables(target, table);
  const lastInBackup = target
    .prepare<[number], ChangeRow>(`SELECT * FROM ${changes} WHERE seq = ?`)
    .get(position);
  const sameInLive = source
    .prepare<[number], ChangeRow>(`SELECT * FROM ${changes} WHERE seq = ?`)
    .get(position);
  if (
    lastInBackup &&
    sameInLive &&
    (lastInBackup.at !== sameInLive.at ||
      lastInBackup.pk !== sameInLive.pk ||
      lastInBackup.sk !== sameInLive.sk)
  )
    throw new PlazaError(
      'BadInput',
      `The change log of ${table.name} is not the one this backup was taken from (record ${position} differs)`,
    );
  const first = source
    .prepare<[], { seq: number | null }>(`SELECT min(seq) AS seq FROM ${changes}`)
    .get()?.seq;
  const highest =
    source
      .prepare<[string], { seq: number }>(`SELECT seq FROM sqlite_sequence WHERE name = ?`)
      .get(`changes_${table.name}`)?.seq ?? 0;
  const lost = first === null || first === undefined ? highest > position : first > position + 1;
  if (lost)
    throw new PlazaError(
      'BadInput',
      `The change log of ${table.name} no longer reaches back to this backup (it starts at record ${first ?? highest + 1}, the backup ends at ${position}): restore from a newer backup`,
    );

  const records = source
    .prepare<[number, number], ChangeRow>(`SELECT * FROM ${changes} WHERE seq > ? AND at <= ? ORDER BY seq`)
    .iterate(position, upTo);
  const applyBatch = changeApplier(target, table);
  let count = 0;
  let batch: ChangeRow[] = [];
  for (const row of records) {
    batch.push(row);
    if (batch.length === 5000) {
      applyBatch(batch);
      count += batch.length;
      batch = [];
    }
  }
  applyBatch(batch);
  return count + batch.length;
}

/**
 * Applies change rows to a table of `target` in one transaction per call: each item stored or
 * deleted as its record says, and the record kept in the target's own log under its `seq`.
 */
export function changeApplier(
  target: Database.Database,
  table: TableDefinition,
): (rows: readonly ChangeRow[]) => void {
  const { items, changes } = sqliteTableNames(table);
  const upsert = target.prepare(upsertItemSql(table));
  const remove = target.prepare(`DELETE FROM ${items} WHERE pk = ? AND sk = ?`);
  const record = target.prepare(
    `INSERT INTO ${changes} (seq, at, event_name, pk, sk, new_item, old_item, origin) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  return target.transaction((rows: readonly ChangeRow[]) => {
    for (const row of rows) {
      if (row.new_item === null) remove.run(row.pk, row.sk);
      else {
        const item = JSON.parse(row.new_item) as Item;
        upsert.run(...itemRow(table, item, row.new_item, itemSize(item)));
      }
      record.run(row.seq, row.at, row.event_name, row.pk, row.sk, row.new_item, row.old_item, row.origin);
    }
  });
}

/** SQLite's own check of the file: `ok`, or the problems it found. */
export function integrityCheck(path: string): string[] {
  // Read-write, though it only reads: the last connection to close removes the WAL files, a read-only one cannot.
  const db = new Database(path, { fileMustExist: true });
  try {
    return (db.pragma('integrity_check') as { integrity_check: string }[]).map((row) => row.integrity_check);
  } finally {
    db.close();
  }
}
