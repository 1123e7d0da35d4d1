/**
 * The SQLite engine's side of the continuous off-machine copy (ADR 0012): the change log read
 * from a connection of its own (read-only, so shipping never takes the write lock), snapshots
 * through the backup API, and restored files brought forward with shipped records.
 */
import Database from 'better-sqlite3';
import { PlazaError } from '../../platform/errors.ts';
import type {
  ChangeLogRecord,
  ChangeLogSource,
  LogPositions,
  LogSnapshot,
  RecordMark,
  RestoringDatabase,
} from '../../ports/change-log-copy.ts';
import type { TableDefinition } from '../../ports/item-store/table.ts';
import { backupSqliteDatabase, changeApplier, integrityCheck, type ChangeRow } from './sqlite-backup.ts';
import { createSqliteTables, sqlName, sqliteTableNames } from './sqlite-schema.ts';

interface TableStatements {
  after: Database.Statement<[number, number], ChangeRow>;
  from: Database.Statement<[number], ChangeRow>;
  nth: Database.Statement<[number, number], { at: number }>;
  first: Database.Statement<[number], { at: number }>;
  at: Database.Statement<[number], ChangeRow>;
  lowest: Database.Statement<[], { seq: number | null }>;
  highest: Database.Statement<[string], { seq: number }>;
}

const toRecord = (table: string, row: ChangeRow): ChangeLogRecord => ({
  table,
  seq: row.seq,
  at: row.at,
  eventName: row.event_name,
  pk: row.pk,
  sk: row.sk,
  newItem: row.new_item,
  oldItem: row.old_item,
  origin: row.origin,
});

const markOf = (row: ChangeRow | undefined): RecordMark | null =>
  row ? { seq: row.seq, at: row.at, pk: row.pk, sk: row.sk } : null;

export class SqliteChangeLogSource implements ChangeLogSource {
  private readonly db: Database.Database;
  private readonly statements = new Map<string, TableStatements>();
  private readonly readAll: (after: LogPositions, limit: number) => ChangeLogRecord[];

  constructor(
    private readonly path: string,
    tables: readonly TableDefinition[],
    private readonly now: () => number,
  ) {
    this.db = new Database(path, { readonly: true, fileMustExist: true });
    this.db.pragma('busy_timeout = 5000');
    for (const table of tables) {
      const { changes } = sqliteTableNames(table);
      this.statements.set(table.name, {
        after: this.db.prepare(`SELECT * FROM ${changes} WHERE seq > ? ORDER BY seq LIMIT ?`),
        from: this.db.prepare(`SELECT * FROM ${changes} WHERE seq > ? ORDER BY seq`),
        nth: this.db.prepare(`SELECT at FROM ${changes} WHERE seq > ? ORDER BY seq LIMIT 1 OFFSET ?`),
        first: this.db.prepare(`SELECT at FROM ${changes} WHERE seq > ? ORDER BY seq LIMIT 1`),
        at: this.db.prepare(`SELECT * FROM ${changes} WHERE seq = ?`),
        lowest: this.db.prepare(`SELECT min(seq) AS seq FROM ${changes}`),
        highest: this.db.prepare(`SELECT seq FROM sqlite_sequence WHERE name = ?`),
      });
    }
    // One read transaction: every table's records come from the same state of the file.
    this.readAll = this.db.transaction((after: LogPositions, limit: number) => this.readCut(after, limit));
  }

  read(after: LogPositions, limit: number): ChangeLogRecord[] {
    return this.readAll(after, limit);
  }

  private readCut(after: LogPositions, limit: number): ChangeLogRecord[] {
    // Where a table has more than `limit` waiting, the read ends before that record's commit, in every table.
    let cut = Number.POSITIVE_INFINITY;
    for (const [name, statements] of this.statements) {
      const beyond = statements.nth.get(after[name] ?? 0, limit)?.at;
      if (beyond !== undefined) cut = Math.min(cut, beyond);
    }
    let records = this.readUntil(after, (at) => at >= cut);
    // One commit larger than the limit: it goes whole, the cut moves past it.
    if (records.length === 0 && Number.isFinite(cut)) records = this.readUntil(after, (at) => at > cut);
    return records;
  }

  /** Each table's records in sequence order, up to the first one `beyond` says is past the cut. */
  private readUntil(after: LogPositions, beyond: (at: number) => boolean): ChangeLogRecord[] {
    const records: ChangeLogRecord[] = [];
    for (const [name, statements] of this.statements) {
      for (const row of statements.from.iterate(after[name] ?? 0)) {
        // A prefix in sequence order, even if the clock stepped back: positions never skip a record.
        if (beyond(row.at)) break;
        records.push(toRecord(name, row));
      }
    }
    return records;
  }

  oldestAfter(after: LogPositions): number | undefined {
    let oldest: number | undefined;
    for (const [name, statements] of this.statements) {
      const at = statements.first.get(after[name] ?? 0)?.at;
      if (at !== undefined && (oldest === undefined || at < oldest)) oldest = at;
    }
    return oldest;
  }

  continues(marks: Record<string, RecordMark | null>): boolean {
    for (const [name, statements] of this.statements) {
      const mark = marks[name];
      if (mark === undefined) return false;
      const position = mark?.seq ?? 0;
      const highest = statements.highest.get(`changes_${name}`)?.seq ?? 0;
      if (highest < position) return false;
      const row = statements.at.get(position);
      if (mark && row && (row.at !== mark.at || row.pk !== mark.pk || row.sk !== mark.sk)) return false;
      const lowest = statements.lowest.get()?.seq;
      const trimmed = lowest === null || lowest === undefined ? highest > position : lowest > position + 1;
      if (trimmed) return false;
    }
    return true;
  }

  async snapshot(file: string): Promise<LogSnapshot> {
    const taken = await backupSqliteDatabase({ source: this.path, destination: file, now: this.now });
    const copy = new Database(file, { readonly: true, fileMustExist: true });
    try {
      const marks: Record<string, RecordMark | null> = {};
      for (const name of this.statements.keys()) {
        const position = taken.changeLogPositions[name] ?? 0;
        marks[name] = markOf(
          copy
            .prepare<[number], ChangeRow>(`SELECT * FROM ${sqlName(`changes_${name}`)} WHERE seq = ?`)
            .get(position),
        );
      }
      const positions = Object.fromEntries(
        [...this.statements.keys()].map((name) => [name, taken.changeLogPositions[name] ?? 0]),
      );
      return { takenAt: taken.takenAt, positions, marks };
    } finally {
      copy.close();
    }
  }

  close(): void {
    this.db.close();
  }
}

/** A restored snapshot file, brought forward with shipped records (tables it lacks are created). */
export function restoringSqliteDatabase(file: string, tables: readonly TableDefinition[]): RestoringDatabase {
  const db = new Database(file, { fileMustExist: true });
  const appliers = new Map(
    tables.map((table) => {
      createSqliteTables(db, table);
      return [table.name, changeApplier(db, table)] as const;
    }),
  );
  return {
    apply(records) {
      const byTable = new Map<string, ChangeRow[]>();
      for (const record of records) {
        if (!appliers.has(record.table))
          throw new PlazaError(
            'BadInput',
            `The copy holds records of table ${record.table}, which this configuration does not name`,
          );
        let rows = byTable.get(record.table);
        if (!rows) byTable.set(record.table, (rows = []));
        rows.push({
          seq: record.seq,
          at: record.at,
          event_name: record.eventName,
          pk: record.pk,
          sk: record.sk,
          new_item: record.newItem,
          old_item: record.oldItem,
          origin: record.origin,
        });
      }
      for (const [table, rows] of byTable) appliers.get(table)?.(rows);
    },
    finish() {
      db.pragma('wal_checkpoint(TRUNCATE)');
      db.close();
      const problems = integrityCheck(file);
      if (problems.length !== 1 || problems[0] !== 'ok')
        throw new PlazaError(
          'InternalFailure',
          `The restored database fails integrity_check: ${problems.join('; ')}`,
        );
    },
  };
}
