/**
 * The audit log in its own SQLite file (ADR 0010). Triggers refuse every UPDATE and DELETE, so
 * the application cannot rewrite it by mistake; someone with the file can, which the hash chain
 * then shows (`plaza audit verify`). Entries are stored in their canonical JSON, the bytes
 * hashed; the other columns are indexes for `plaza audit --user / --since`.
 */
import type Database from 'better-sqlite3';
import {
  canonicalJson,
  chainFacts,
  type AuditEntry,
  type AuditFact,
  type AuditLog,
  type AuditQuery,
} from '../../ports/audit-log.ts';
import { openSqlite, type SqliteOptions } from './sqlite-database.ts';

const schema = `
CREATE TABLE IF NOT EXISTS audit_log (
  seq INTEGER PRIMARY KEY,
  at TEXT NOT NULL,
  user_id TEXT,
  source TEXT NOT NULL UNIQUE,
  entry TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_log_user ON audit_log (user_id, seq);
CREATE INDEX IF NOT EXISTS audit_log_at ON audit_log (at);
CREATE TRIGGER IF NOT EXISTS audit_log_no_update BEFORE UPDATE ON audit_log
  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_log_no_delete BEFORE DELETE ON audit_log
  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
`;

export class SqliteAuditLog implements AuditLog {
  private readonly db: Database.Database;
  private readonly statements;

  constructor(options: SqliteOptions) {
    this.db = openSqlite(options);
    this.db.exec(schema);
    this.statements = {
      head: this.db.prepare<[], { entry: string }>(`SELECT entry FROM audit_log ORDER BY seq DESC LIMIT 1`),
      known: this.db.prepare<[string], { seq: number }>(`SELECT seq FROM audit_log WHERE source = ?`),
      insert: this.db.prepare<[number, string, string | null, string, string]>(
        `INSERT INTO audit_log (seq, at, user_id, source, entry) VALUES (?, ?, ?, ?, ?)`,
      ),
    };
  }

  append(facts: readonly AuditFact[]): Promise<number> {
    // Reading the head and appending after it in one write transaction keeps the chain whole
    // when two processes append at once.
    const appendAll = this.db.transaction(() => {
      const seen = new Set<string>();
      const fresh = facts.filter((fact) => {
        if (seen.has(fact.source) || this.statements.known.get(fact.source)) return false;
        seen.add(fact.source);
        return true;
      });
      const head = this.statements.head.get();
      const entries = chainFacts(head ? (JSON.parse(head.entry) as AuditEntry) : undefined, fresh);
      for (const entry of entries)
        this.statements.insert.run(
          entry.seq,
          entry.at,
          entry.userId ?? null,
          entry.source,
          canonicalJson(entry),
        );
      return entries.length;
    });
    return Promise.resolve(appendAll.immediate());
  }

  async *entries(query: AuditQuery = {}): AsyncIterable<AuditEntry> {
    const where: string[] = [];
    const params: string[] = [];
    if (query.userId !== undefined) {
      where.push('user_id = ?');
      params.push(query.userId);
    }
    if (query.since !== undefined) {
      where.push('at >= ?');
      params.push(query.since);
    }
    const sql = `SELECT entry FROM audit_log ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq`;
    for (const row of this.db.prepare<string[], { entry: string }>(sql).iterate(...params))
      yield JSON.parse(row.entry) as AuditEntry;
  }

  close(): Promise<void> {
    this.db.close();
    return Promise.resolve();
  }
}
