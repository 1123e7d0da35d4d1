import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../ports/clock.ts';
import type { RequestContext } from './context.ts';
import { ResolverCache } from './resolver-cache.ts';

const user = (sub: string) => ({ caller: { kind: 'user', sub } }) as unknown as RequestContext;
const info = {} as never;

function counting(result: (id: string) => unknown) {
  const calls: string[] = [];
  return {
    calls,
    resolve: async (_: unknown, args: { id?: string }) => {
      calls.push(String(args.id));
      return result(String(args.id));
    },
  };
}

describe('ResolverCache', () => {
  it('answers repeat reads from the cache until the TTL passes', async () => {
    const clock = new ManualClock();
    const cache = new ResolverCache(
      { rules: { 'Query.getPost': { ttlSeconds: 60, keys: ['$context.arguments.id'] } }, maxEntries: 10 },
      clock.now,
    );
    const { calls, resolve } = counting((id) => ({ id, likeCount: 1 }));
    const cached = cache.wrap('Query', 'getPost', 'Post', resolve as never);
    await Promise.all([
      cached(null, { id: 'p1' }, user('a'), info),
      cached(null, { id: 'p1' }, user('b'), info),
    ]);
    await cached(null, { id: 'p1' }, user('a'), info);
    await cached(null, { id: 'p2' }, user('a'), info);
    expect(calls).toEqual(['p1', 'p2']);
    clock.advance(61_000);
    await cached(null, { id: 'p1' }, user('a'), info);
    expect(calls).toEqual(['p1', 'p2', 'p1']);
  });

  it('answers a hit with the value itself once it has resolved, a promise before', async () => {
    const cache = new ResolverCache(
      { rules: { 'Query.getPost': { ttlSeconds: 60, keys: ['$context.arguments.id'] } }, maxEntries: 10 },
      new ManualClock().now,
    );
    const { resolve } = counting((id) => ({ id }));
    const cached = cache.wrap('Query', 'getPost', 'Post', resolve as never);
    const first = cached(null, { id: 'p1' }, user('a'), info);
    expect(cached(null, { id: 'p1' }, user('a'), info)).toBeInstanceOf(Promise);
    await first;
    expect(cached(null, { id: 'p1' }, user('a'), info)).toEqual({ id: 'p1' });
    const remembered = cache.remember('Query.getPost', 'k', 'tag', async () => new Set(['x']));
    expect(remembered).toBeInstanceOf(Promise);
    await remembered;
    expect(cache.remember('Query.getPost', 'k', 'tag', async () => new Set())).toEqual(new Set(['x']));
  });

  it('keys by caller when the rule says so, and never caches a miss or an error', async () => {
    const clock = new ManualClock();
    const cache = new ResolverCache(
      { rules: { 'Query.me': { ttlSeconds: 60, keys: ['$context.identity.sub'] } }, maxEntries: 10 },
      clock.now,
    );
    let fail = true;
    const { calls, resolve } = counting((id) => {
      if (id === 'missing') return null;
      if (fail) throw new Error('store down');
      return { id };
    });
    const cached = cache.wrap('Query', 'me', 'User', resolve as never);
    await expect(cached(null, { id: 'x' }, user('a'), info)).rejects.toThrow('store down');
    fail = false;
    await cached(null, { id: 'x' }, user('a'), info);
    await cached(null, { id: 'x' }, user('a'), info);
    await cached(null, { id: 'x' }, user('b'), info);
    expect(calls).toEqual(['x', 'x', 'x']);
  });

  it('keys by every caching key a rule names, and refuses one it cannot read when it wraps', async () => {
    const rules = { 'Query.getUser': { ttlSeconds: 60, keys: ['$context.identity.sub', '$ctx.args.id'] } };
    const cache = new ResolverCache({ rules, maxEntries: 10 }, new ManualClock().now);
    const { calls, resolve } = counting((id) => ({ id }));
    const cached = cache.wrap('Query', 'getUser', 'User', resolve as never);
    for (const [caller, id] of [
      ['a', 'u1'],
      ['a', 'u1'],
      ['b', 'u1'],
      ['a', 'u2'],
      ['b', 'u1'],
    ] as const) {
      await cached(null, { id }, user(caller), info);
    }
    expect(calls).toEqual(['u1', 'u1', 'u2']);
    const odd = new ResolverCache(
      { rules: { 'Query.getUser': { ttlSeconds: 60, keys: ['$context.source.id'] } }, maxEntries: 10 },
      new ManualClock().now,
    );
    expect(() => odd.wrap('Query', 'getUser', 'User', resolve as never)).toThrow(
      'Unsupported caching key $context.source.id',
    );
  });

  it('evicts what a mutation changed', async () => {
    const clock = new ManualClock();
    const cache = new ResolverCache(
      { rules: { 'Query.getPost': { ttlSeconds: 60, keys: ['$context.arguments.id'] } }, maxEntries: 10 },
      clock.now,
    );
    const { calls, resolve } = counting((id) => ({ id }));
    const getPost = cache.wrap('Query', 'getPost', 'Post', resolve as never);
    const likePost = cache.wrap('Mutation', 'likePost', 'Post', (async () => ({ id: 'p1' })) as never);
    await getPost(null, { id: 'p1' }, user('a'), info);
    await getPost(null, { id: 'p2' }, user('a'), info);
    await likePost(null, { postId: 'p1' }, user('b'), info);
    await getPost(null, { id: 'p1' }, user('a'), info);
    await getPost(null, { id: 'p2' }, user('a'), info);
    expect(calls).toEqual(['p1', 'p2', 'p1']);
  });
});
