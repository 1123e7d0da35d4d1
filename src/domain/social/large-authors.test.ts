import { describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../../ports/clock.ts';
import type { ItemStore } from '../../ports/item-store/item-store.ts';
import { socialWorld } from '../../../test/support/social.ts';
import { addLargeAuthor, largeAuthorIds, largeAuthorsTtlMs } from './large-authors.ts';

function storeWith(userIds: string[]) {
  const query = vi.fn(async () => ({
    items: userIds.map((userId) => ({ PK: 'LARGE_AUTHORS', SK: userId, userId })),
  }));
  const put = vi.fn(async () => ({}));
  return { store: { query, put } as unknown as ItemStore, query, put };
}

describe('large authors', () => {
  it('are all read, however many pages they take', async () => {
    const world = socialWorld();
    try {
      const ids = Array.from({ length: 250 }, (_, i) => `author-${String(i).padStart(3, '0')}`);
      for (const id of ids) await addLargeAuthor(id, world.social);
      expect((await largeAuthorIds(world.social)).sort()).toEqual(ids);
    } finally {
      await world.close();
    }
  });

  it('are read once per TTL, concurrent readers sharing the read', async () => {
    const { store, query } = storeWith(['star']);
    const clock = new ManualClock();
    const [first, second] = await Promise.all([
      largeAuthorIds({ store, clock }),
      largeAuthorIds({ store, clock }),
    ]);
    expect(first).toEqual(['star']);
    expect(second).toEqual(['star']);
    clock.advance(largeAuthorsTtlMs - 1);
    await largeAuthorIds({ store, clock });
    expect(query).toHaveBeenCalledTimes(1);
    clock.advance(1);
    await largeAuthorIds({ store, clock });
    expect(query).toHaveBeenCalledTimes(2);
  });

  it('are read afresh after this process adds one, and each store keeps its own', async () => {
    const { store, query, put } = storeWith(['star']);
    const other = storeWith([]);
    const clock = new ManualClock();
    await largeAuthorIds({ store, clock });
    expect(await largeAuthorIds({ store: other.store, clock })).toEqual([]);
    await addLargeAuthor('rising', { store });
    expect(put).toHaveBeenCalledWith({ item: { PK: 'LARGE_AUTHORS', SK: 'rising', userId: 'rising' } });
    await largeAuthorIds({ store, clock });
    expect(query).toHaveBeenCalledTimes(2);
    expect(other.query).toHaveBeenCalledTimes(1);
  });

  it('keep no failed read', async () => {
    const { store, query } = storeWith(['star']);
    query.mockRejectedValueOnce(new Error('throttled'));
    const clock = new ManualClock();
    await expect(largeAuthorIds({ store, clock })).rejects.toThrow('throttled');
    expect(await largeAuthorIds({ store, clock })).toEqual(['star']);
    expect(query).toHaveBeenCalledTimes(2);
  });
});
