import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openSqlite } from './sqlite-database.ts';

describe('openSqlite', () => {
  it('opens a file in WAL mode, waits for other writers, and keeps savepoint journals in memory', () => {
    const dir = mkdtempSync(join(tmpdir(), 'plaza-sqlite-'));
    const db = openSqlite({ path: join(dir, 'nested', 'plaza.sqlite') });
    try {
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(db.pragma('synchronous', { simple: true })).toBe(2); // FULL unless asked otherwise
      expect(db.pragma('busy_timeout', { simple: true })).toBe(5000);
      expect(db.pragma('temp_store', { simple: true })).toBe(2); // MEMORY
    } finally {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
