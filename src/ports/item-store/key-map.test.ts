import { describe, expect, it } from 'vitest';
import { KeyMap, KeySet, uniqueKeys } from './key-map.ts';

describe('KeyMap', () => {
  it('keeps values by partition and sort key, counting them exactly', () => {
    const map = new KeyMap<number>();
    map.set('A', '1', 1).set('A', '2', 2).set('B', '1', 3);
    expect(map.size).toBe(3);
    expect(map.get('A', '2')).toBe(2);
    expect(map.has('B', '1')).toBe(true);
    // A key split differently is another key: 'A' + '\0' tricks nothing.
    expect(map.has('A\u00001', '')).toBe(false);
    expect(map.get('C', '1')).toBeUndefined();
    map.set('A', '1', 10);
    expect(map.size).toBe(3);
    expect(map.get('A', '1')).toBe(10);
    expect(map.delete('A', '1')).toBe(true);
    expect(map.delete('A', '1')).toBe(false);
    expect(map.delete('Z', '1')).toBe(false);
    expect(map.size).toBe(2);
    map.delete('A', '2');
    expect(map.has('A', '2')).toBe(false);
    map.clear();
    expect(map.size).toBe(0);
    expect(map.get('B', '1')).toBeUndefined();
  });

  it('keeps a partition of one sort key and one of several alike', () => {
    const map = new KeyMap<string>();
    map.set('P', 'METADATA', 'post');
    expect(map.get('P', 'LIKE#u1')).toBeUndefined();
    expect(map.has('P', 'LIKE#u1')).toBe(false);
    expect(map.delete('P', 'LIKE#u1')).toBe(false);
    map.set('P', 'METADATA', 'post, edited');
    expect(map.size).toBe(1);
    expect(map.get('P', 'METADATA')).toBe('post, edited');
    // A second sort key: both kept, and each found and removed on its own.
    map.set('P', 'LIKE#u1', 'like');
    expect(map.size).toBe(2);
    expect([map.get('P', 'METADATA'), map.get('P', 'LIKE#u1')]).toEqual(['post, edited', 'like']);
    expect(map.delete('P', 'METADATA')).toBe(true);
    expect(map.get('P', 'LIKE#u1')).toBe('like');
    expect(map.delete('P', 'LIKE#u1')).toBe(true);
    expect(map.size).toBe(0);
    expect(map.has('P', 'LIKE#u1')).toBe(false);
    map.set('P', 'METADATA', 'again');
    expect(map.get('P', 'METADATA')).toBe('again');
    expect(map.size).toBe(1);
  });

  it('drops repeated keys, keeping the first order', () => {
    const keys = [
      { PK: 'P', SK: '1' },
      { PK: 'P', SK: '2' },
      { PK: 'P', SK: '1' },
      { PK: 'Q', SK: '1' },
    ];
    expect(uniqueKeys(keys)).toEqual([keys[0], keys[1], keys[3]]);
    expect(uniqueKeys([])).toEqual([]);
  });

  it('sees each key once, several in a partition or not', () => {
    const seen = new KeySet();
    expect(seen.add({ PK: 'P', SK: 'A' })).toBe(true);
    expect(seen.add({ PK: 'P', SK: 'B' })).toBe(true);
    expect(seen.add({ PK: 'P', SK: 'C' })).toBe(true);
    expect(seen.add({ PK: 'Q', SK: 'A' })).toBe(true);
    for (const sk of ['A', 'B', 'C']) expect(seen.add({ PK: 'P', SK: sk })).toBe(false);
    expect(seen.add({ PK: 'Q', SK: 'A' })).toBe(false);
  });

  it('sees each key once in a partition with many sort keys (kept in a Set past a few)', () => {
    const seen = new KeySet();
    const sortKeys = Array.from({ length: 30 }, (_, i) => `LIKE#${i}`);
    for (const sk of sortKeys) expect(seen.add({ PK: 'P', SK: sk })).toBe(true);
    for (const sk of sortKeys) expect(seen.add({ PK: 'P', SK: sk })).toBe(false);
    expect(seen.add({ PK: 'P', SK: 'LIKE#30' })).toBe(true);
    expect(seen.add({ PK: 'P', SK: 'LIKE#30' })).toBe(false);
    // The same sort key in another partition is another key.
    expect(seen.add({ PK: 'Q', SK: 'LIKE#0' })).toBe(true);
  });
});
