import { describe, expect, it } from 'vitest';
import type { ItemStore } from '../../ports/item-store/item-store.ts';
import { forgettingWrites, RevocationCache } from './revocation-cache.ts';

describe('RevocationCache', () => {
  it('keeps a state until the user record is written, and no state read before a write', async () => {
    const cache = new RevocationCache<number>();
    let stored = 1;
    let reads = 0;
    const load = async () => (reads++, stored);
    expect(await cache.get('u1', load)).toBe(1);
    expect(await cache.get('u1', load)).toBe(1);
    expect(reads).toBe(1);
    // Another item of the user, or another user's record, changes nothing.
    cache.forgetKey({ PK: 'USER#u1', SK: 'CODE#reset' });
    cache.forgetKey({ PK: 'USER#u2', SK: 'USER' });
    expect(await cache.get('u1', load)).toBe(1);
    expect(reads).toBe(1);

    stored = 2;
    cache.forgetKey({ PK: 'USER#u1', SK: 'USER' });
    expect(await cache.get('u1', load)).toBe(2);

    // A read under way when the record changes is answered, but not kept.
    let release!: () => void;
    const slow = cache.get('u3', () => new Promise<number>((resolve) => (release = () => resolve(7))));
    cache.forgetKey({ PK: 'USER#u3', SK: 'USER' });
    release();
    expect(await slow).toBe(7);
    expect(await cache.get('u3', async () => 8)).toBe(8);
  });

  it('makes room by forgetting the oldest state', async () => {
    const cache = new RevocationCache<number>(2);
    for (const sub of ['a', 'b', 'c']) await cache.get(sub, async () => 1);
    expect(await cache.get('a', async () => 2)).toBe(2);
    expect(await cache.get('c', async () => 2)).toBe(1);
  });

  it('hears of every key a store writes, once the write is done', async () => {
    const heard: string[] = [];
    const done = (value: unknown) => Promise.resolve(value);
    const store = {
      put: () => done({}),
      update: () => done({}),
      delete: () => done({}),
      transactWrite: () => done({}),
      batchWrite: () => done({}),
    } as unknown as ItemStore;
    const watched = forgettingWrites(store, (key) => heard.push(`${key.PK}|${key.SK}`));
    await watched.put({ item: { PK: 'USER#a', SK: 'USER' } });
    await watched.update({ key: { PK: 'USER#b', SK: 'USER' } });
    await watched.delete({ key: { PK: 'USER#c', SK: 'USER' } });
    await watched.transactWrite([
      { delete: { PK: 'USER#d', SK: 'USER' } },
      { put: { PK: 'EMAIL#x', SK: 'ALIAS' } },
      { update: { key: { PK: 'USER#e', SK: 'USER' } } },
      { check: { PK: 'USER#f', SK: 'USER' }, conditions: [] },
    ]);
    await watched.batchWrite([
      { delete: { PK: 'USER#g', SK: 'USER' } },
      { put: { PK: 'USER#h', SK: 'USER' } },
    ]);
    expect(heard).toEqual([
      'USER#a|USER',
      'USER#b|USER',
      'USER#c|USER',
      'USER#d|USER',
      'EMAIL#x|ALIAS',
      'USER#e|USER',
      'USER#f|USER',
      'USER#g|USER',
      'USER#h|USER',
    ]);
  });
});
