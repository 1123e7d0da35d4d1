/**
 * Crash safety of the SQLite engine: a writer killed with SIGKILL at a random
 * moment loses none of the writes it had acknowledged, and the file stays intact.
 */
import { openSqliteStore } from '../support/sqlite-store.ts';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'plaza-crash-'));
const path = join(dir, 'plaza.sqlite');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the writer until it has acknowledged at least `minimum` writes, then kills it after a random delay. */
function writeThenKill(writerId: string, minimum: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(import.meta.dirname, 'crash-writer.ts'), path, writerId],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let acknowledged = -1;
    let buffer = '';
    let killing = false;
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      for (const line of lines) acknowledged = Number(line);
      if (!killing && acknowledged + 1 >= minimum) {
        killing = true;
        setTimeout(() => child.kill('SIGKILL'), Math.random() * 30);
      }
    });
    child.on('exit', (_code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`writer exited on its own: ${stderr}`));
      else resolve(acknowledged + 1);
    });
  });
}

it('keeps every acknowledged write through 20 SIGKILLs, and the file passes integrity_check', async () => {
  for (let round = 0; round < 20; round++) {
    const writerId = `w${round}`;
    const acknowledged = await writeThenKill(writerId, 20 + Math.floor(Math.random() * 50));

    const { db, store } = openSqliteStore(path);
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    const post = await store.get({ PK: `POST#${writerId}`, SK: 'METADATA' }, { consistent: true });
    const likeCount = Number(post.item?.likeCount);
    // The writer may have committed one more write than it got to report before dying.
    expect(likeCount).toBeGreaterThanOrEqual(acknowledged);
    expect(likeCount).toBeLessThanOrEqual(acknowledged + 1);
    let likes = 0;
    let cursor: string | undefined;
    do {
      const page = await store.query({
        partition: `POST#${writerId}`,
        sortKey: { op: 'beginsWith', value: 'LIKE#' },
        consistent: true,
        ...(cursor ? { cursor } : {}),
      });
      likes += page.items.length;
      cursor = page.cursor;
    } while (cursor);
    // The like items and the counter were written in one transaction: they always agree.
    expect(likes).toBe(likeCount);
    await store.close();
    db.close();
  }
}, 120_000);
