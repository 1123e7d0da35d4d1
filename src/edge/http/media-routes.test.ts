import { describe, expect, it } from 'vitest';
import { EdgeCache, parseRange } from './media-routes.ts';

describe('parseRange', () => {
  it('reads one range in each of its forms', () => {
    expect(parseRange('bytes=0-9', 100)).toEqual({ start: 0, end: 9 });
    expect(parseRange('bytes=90-', 100)).toEqual({ start: 90, end: 99 });
    expect(parseRange('bytes=-10', 100)).toEqual({ start: 90, end: 99 });
    expect(parseRange('bytes=50-500', 100)).toEqual({ start: 50, end: 99 });
    expect(parseRange('bytes=-500', 100)).toEqual({ start: 0, end: 99 });
  });

  it('answers unsatisfiable ranges, and ignores what it does not serve', () => {
    expect(parseRange('bytes=100-', 100)).toBe('unsatisfiable');
    expect(parseRange('bytes=9-3', 100)).toBe('unsatisfiable');
    expect(parseRange('bytes=-0', 100)).toBe('unsatisfiable');
    // Several ranges, other units and junk get the whole object (200), as HTTP allows.
    expect(parseRange('bytes=0-1,5-9', 100)).toBeUndefined();
    expect(parseRange('items=0-1', 100)).toBeUndefined();
    expect(parseRange('bytes=-', 100)).toBeUndefined();
    expect(parseRange(undefined, 100)).toBeUndefined();
  });
});

describe('EdgeCache', () => {
  const entry = (bytes: number) => ({
    info: {
      key: 'k',
      size: bytes,
      etag: '"e"',
      lastModified: new Date(0),
      contentType: 'image/jpeg',
      metadata: {},
    },
    bytes: Buffer.alloc(bytes),
  });

  it('keeps at most its byte budget, evicting the least recently used', () => {
    const cache = new EdgeCache(100);
    cache.set('a', entry(40));
    cache.set('b', entry(40));
    cache.get('a');
    cache.set('c', entry(40));
    expect([cache.get('a'), cache.get('b'), cache.get('c')].map(Boolean)).toEqual([true, false, true]);
    expect(cache.size).toBe(80);
    cache.set('huge', entry(101));
    expect(cache.get('huge')).toBeUndefined();
    cache.purge('a');
    expect(cache.size).toBe(40);
  });
});
