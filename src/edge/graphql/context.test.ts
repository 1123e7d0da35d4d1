import { describe, expect, it, vi } from 'vitest';
import { keys } from '../../domain/social/keys.ts';
import type { Key } from '../../ports/item-store/item-store.ts';
import { requestLoaders, type GraphQLServices } from './context.ts';

describe('request loaders', () => {
  it('answer a primed like without a read, and read the others for each viewer in one batch', async () => {
    const stored = keys.like('p2', 'alice');
    const batchGet = vi.fn(async (asked: Key[]) => ({
      items: asked.filter((key) => key.PK === stored.PK && key.SK === stored.SK),
      unprocessed: [],
    }));
    const loaders = requestLoaders({ social: { store: { batchGet } } } as unknown as GraphQLServices);

    loaders.likes.prime('p1', 'alice', true);
    expect(loaders.likes.has('p1', 'alice')).toBe(true);
    expect(batchGet).not.toHaveBeenCalled();

    const answers = await Promise.all([
      loaders.likes.has('p2', 'alice'),
      loaders.likes.has('p3', 'alice'),
      // The same post primed for alice says nothing about bob.
      loaders.likes.has('p1', 'bob'),
    ]);
    expect(answers).toEqual([true, false, false]);
    expect(batchGet).toHaveBeenCalledTimes(1);
    expect(batchGet.mock.calls[0]![0]).toHaveLength(3);
  });
});
