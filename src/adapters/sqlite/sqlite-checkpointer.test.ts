import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { until } from '../../../test/support/until.ts';
import { startSqliteCheckpointer } from './sqlite-checkpointer.ts';
import { openSqlite } from './sqlite-database.ts';

const dir = mkdtempSync(join(tmpdir(), 'plaza-checkpointer-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('startSqliteCheckpointer', () => {
  it('copies the WAL into the database from its own thread while the writer checkpoints nothing', async () => {
    const path = join(dir, 'plaza.sqlite');
    const db = openSqlite({ path, synchronous: 'NORMAL' });
    db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT)');
    const checkpointer = startSqliteCheckpointer(db, { intervalMs: 20 });
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(0);

    const before = statSync(path).size;
    const insert = db.prepare('INSERT INTO t (body) VALUES (?)');
    // About 4 MB, a thousand pages and more: past the point where the writer would have checkpointed.
    db.transaction(() => {
      for (let i = 0; i < 2000; i++) insert.run('x'.repeat(2000));
    })();
    expect(statSync(path).size).toBe(before);
    await until(
      'the pages in the database file',
      async () => statSync(path).size > before + 4_000_000,
      10_000,
    );

    await checkpointer.stop();
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
    expect(db.prepare('SELECT count(*) FROM t').pluck().get()).toBe(2000);
    db.close();
  });

  it('reports a thread that cannot work, and leaves the writer checkpointing for itself', async () => {
    const path = join(dir, 'gone.sqlite');
    const db = openSqlite({ path, synchronous: 'NORMAL' });
    const failures: string[] = [];
    // The thread opens the file by its name: one removed meanwhile cannot be opened.
    rmSync(path);
    const checkpointer = startSqliteCheckpointer(db, { intervalMs: 20, onError: (m) => failures.push(m) });
    await until('the failure reported', async () => failures.length > 0, 10_000);
    await until(
      'the writer checkpointing again',
      async () => db.pragma('wal_autocheckpoint', { simple: true }) === 1000,
      10_000,
    );
    await checkpointer.stop();
    db.close();
  });
});
