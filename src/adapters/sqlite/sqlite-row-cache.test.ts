import { describe, expect, it } from 'vitest';
import { pageKey, partitionTag, SqliteRowCache, type PageRow } from './sqlite-row-cache.ts';

const row = (text: string) => ({ item: text, size: text.length, expires: null });

describe('SqliteRowCache', () => {
  it('keeps rows and known absences, and forgets everything when the data version moves', async () => {
    const nextTurn = () => new Promise((resolve) => setImmediate(resolve));
    let version = 1;
    const cache = new SqliteRowCache(1024 * 1024, () => version);
    cache.set('A', '1', row('{"a":1}'));
    cache.set('B', '1', undefined);
    expect(cache.get('A', '1')).toEqual(row('{"a":1}'));
    expect(cache.get('B', '1')).toBeNull();
    expect(cache.get('C', '1')).toBeUndefined();
    cache.sync();
    expect(cache.size.entries).toBe(2);
    version = 2;
    // Within one turn of the event loop the version is looked at once; the next turn sees the change.
    cache.sync();
    expect(cache.size.entries).toBe(2);
    await nextTurn();
    cache.sync();
    expect(cache.size).toEqual({ entries: 0, bytes: 0 });
  });

  it('stays within its bytes, dropping the oldest rows first', () => {
    const cache = new SqliteRowCache(64 * 1024, () => 1);
    const text = 'x'.repeat(500);
    for (let i = 0; i < 100; i++) cache.set(`K${i}`, 'S', row(text));
    expect(cache.size.bytes).toBeLessThanOrEqual(64 * 1024);
    expect(cache.get('K0', 'S')).toBeUndefined();
    expect(cache.get('K99', 'S')).toEqual(row(text));
    // Replacing and deleting keep the count exact.
    cache.set('K99', 'S', row('{}'));
    cache.delete('K98', 'S');
    const entries = cache.size.entries;
    for (let i = 0; i < 100; i++) cache.delete(`K${i}`, 'S');
    expect(cache.size).toEqual({ entries: 0, bytes: 0 });
    expect(entries).toBeGreaterThan(0);
    // A row too big for a sixteenth of the budget is not kept; no budget keeps nothing.
    cache.set('big', 'S', row('y'.repeat(3000)));
    expect(cache.get('big', 'S')).toBeUndefined();
    const off = new SqliteRowCache(0, () => 1);
    off.set('A', '1', row('{}'));
    expect(off.get('A', '1')).toBeUndefined();
  });

  it('counts exactly through many replacements, deletions and evictions', () => {
    const cache = new SqliteRowCache(256 * 1024, () => 1);
    const text = 'x'.repeat(100);
    // Replaced and deleted rows stay in the eviction queue until their turn or a compaction.
    for (let round = 0; round < 20; round++) {
      for (let i = 0; i < 500; i++) cache.set(`K${i % 700}`, `S${round % 3}`, row(text));
      for (let i = 0; i < 500; i += 2) cache.delete(`K${i % 700}`, `S${round % 3}`);
    }
    expect(cache.size.bytes).toBeLessThanOrEqual(256 * 1024);
    expect(cache.get('K1', 'S1')).toEqual(row(text));
    for (let i = 0; i < 700; i++) for (let s = 0; s < 3; s++) cache.delete(`K${i}`, `S${s}`);
    expect(cache.size).toEqual({ entries: 0, bytes: 0 });
    // The oldest still go first once the budget is spent again.
    for (let i = 0; i < 3000; i++) cache.set(`N${i}`, 'S', row(text));
    expect(cache.get('N0', 'S')).toBeUndefined();
    expect(cache.get('N2999', 'S')).toEqual(row(text));
  });

  it('keeps pages by statement and parameters, and drops the pages of a partition together', () => {
    const cache = new SqliteRowCache(64 * 1024, () => 1);
    const rows: PageRow[] = [['{"SK":"A"}', 10, null]];
    const feed = partitionTag(undefined, 'FEED#1');
    cache.setPage(pageKey('SELECT 1', ['FEED#1', 20]), feed, rows);
    cache.setPage(pageKey('SELECT 1', ['FEED#1', 50]), feed, rows);
    cache.setPage(pageKey('SELECT 1', ['FEED#2', 20]), partitionTag(undefined, 'FEED#2'), rows);
    cache.setPage(pageKey('SELECT 2', ['FEED#1', 20]), partitionTag('GSI1', 'FEED#1'), rows);
    expect(cache.page(pageKey('SELECT 1', ['FEED#1', 20]))).toBe(rows);
    cache.delete('FEED#1', 'B', [feed]);
    expect(cache.page(pageKey('SELECT 1', ['FEED#1', 20]))).toBeUndefined();
    expect(cache.page(pageKey('SELECT 1', ['FEED#1', 50]))).toBeUndefined();
    // Another partition, and the same name in an index, keep theirs.
    expect(cache.page(pageKey('SELECT 1', ['FEED#2', 20]))).toBe(rows);
    expect(cache.page(pageKey('SELECT 2', ['FEED#1', 20]))).toBe(rows);
    // Pages count against the same budget as rows and leave with them.
    const big: PageRow[] = Array.from({ length: 15 }, () => ['x'.repeat(40), 40, null]);
    for (let i = 0; i < 100; i++)
      cache.setPage(pageKey('SELECT 3', [i]), partitionTag(undefined, `P${i}`), big);
    expect(cache.size.bytes).toBeLessThanOrEqual(64 * 1024);
    expect(cache.page(pageKey('SELECT 1', ['FEED#2', 20]))).toBeUndefined();
    cache.clear();
    expect(cache.size).toEqual({ entries: 0, bytes: 0 });
  });
});
