import { describe, expect, it, vi } from 'vitest';
import { keys } from '../../domain/social/keys.ts';
import type { Item, Key } from '../../ports/item-store/item-store.ts';
import { requestLoaders, type GraphQLServices } from './context.ts';

const text = (key: Key) => `${key.PK} ${key.SK}`;

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

  it('answer a primed profile without a read, and never let a later prime replace a profile read', async () => {
    const stored = {
      ...keys.profile('ben'),
      id: 'ben',
      username: 'ben',
      createdAt: '2026-12-07T10:00:00.000Z',
    };
    const batchGet = vi.fn(async (asked: Key[]) => ({
      items: asked.some((key) => key.PK === stored.PK) ? [stored] : [],
      unprocessed: [],
    }));
    const loaders = requestLoaders({ social: { store: { batchGet } } } as unknown as GraphQLServices);
    const ada = {
      id: 'ada',
      username: 'ada',
      followerCount: 0,
      followingCount: 0,
      postCount: 0,
      createdAt: '',
    };

    loaders.profiles.prime('ada', ada);
    expect(loaders.profiles.user('ada')).toBe(ada);
    expect(await loaders.profiles.load('ada')).toBe(ada);
    // A second prime of the same user changes nothing.
    loaders.profiles.prime('ada', { ...ada, username: 'other' });
    expect(loaders.profiles.user('ada')).toBe(ada);
    expect(batchGet).not.toHaveBeenCalled();

    const ben = await loaders.profiles.load('ben');
    expect(ben).toMatchObject({ id: 'ben', username: 'ben' });
    loaders.profiles.prime('ben', { ...ada, id: 'ben', username: 'stale' });
    expect(await loaders.profiles.user('ben')).toBe(ben);
    expect(batchGet).toHaveBeenCalledTimes(1);
  });

  it('answer what the store holds in memory at once, and batch the rest', async () => {
    const ben = { ...keys.profile('ben'), id: 'ben', username: 'ben', createdAt: '2026-12-08T01:00:00.000Z' };
    // What the store holds: a like, a like known to be absent (null), a profile.
    const memory = new Map<string, Item | null>([
      [text(keys.like('p1', 'alice')), { ...keys.like('p1', 'alice') }],
      [text(keys.like('p2', 'alice')), null],
      [text(ben), ben],
    ]);
    const cached = vi.fn((key: Key) => memory.get(text(key)));
    const batchGet = vi.fn(async () => ({ items: [], unprocessed: [] }));
    const loaders = requestLoaders({ social: { store: { batchGet, cached } } } as unknown as GraphQLServices);

    // Answered as values, not promises.
    expect(loaders.likes.has('p1', 'alice')).toBe(true);
    expect(loaders.likes.has('p2', 'alice')).toBe(false);
    const profile = loaders.profiles.user('ben');
    expect(profile).toMatchObject({ id: 'ben', username: 'ben' });
    // Asked again, the same answer without asking the store again.
    expect(loaders.profiles.user('ben')).toBe(profile);
    expect(loaders.likes.has('p1', 'alice')).toBe(true);
    expect(cached).toHaveBeenCalledTimes(3);
    // Not in memory: read in one batch, as before.
    const answers = await Promise.all([loaders.likes.has('p3', 'alice'), loaders.profiles.user('cy')]);
    expect(answers).toEqual([false, null]);
    expect(batchGet).toHaveBeenCalledTimes(1);
  });
});
