import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../ports/clock.ts';
import { displayRenditions, isOriginalKey, originalKey, variantKey } from './media-keys.ts';
import { isPrivateMedia, mediaUrls } from './media-urls.ts';

const id = '01KDHZ8Q0000000000000000AA';
const originals = [
  originalKey('POST', 'u1', id, false),
  originalKey('POST', 'u1', id, true),
  originalKey('AVATAR', 'u1', id, false),
  originalKey('STORY', 'u1', id, false),
  originalKey('STORY', 'u1', id, true),
];

describe('private media', () => {
  it('holds every original the domain makes, and stories', () => {
    for (const key of originals) {
      expect(isOriginalKey(key)).toBe(true);
      expect(isPrivateMedia(key)).toBe(true);
    }
    expect(isPrivateMedia(variantKey(originals[3]!, '300.jpg'))).toBe(true);
  });

  it('leaves the renditions of posts and avatars public', () => {
    for (const original of originals.slice(0, 3)) {
      for (const name of ['150.jpg', '300.webp', 'thumbnail.jpg', displayRenditions.image, '720p.mp4']) {
        const key = variantKey(original, name);
        expect([key, isPrivateMedia(key), isOriginalKey(key)]).toEqual([key, false, false]);
      }
    }
  });

  it("reads CloudFront's patterns literally but for `*`", () => {
    expect(isPrivateMedia('users/u1/posts/p/originalXjpg')).toBe(false);
    expect(isPrivateMedia('users/u1/posts/p/original.jpg.webp')).toBe(false);
    expect(isPrivateMedia('users/a/b/posts/p/original.jpg')).toBe(true);
  });
});

describe('mediaUrls', () => {
  const clock = new ManualClock(Date.UTC(2026, 0, 1, 10, 20));
  const signed: { key: string; expiresAt: Date }[] = [];
  const urls = mediaUrls({
    publicBase: () => 'https://cdn',
    signPrivate: (key, expiresAt) => {
      signed.push({ key, expiresAt });
      return `https://cdn/${key}?signed`;
    },
    clock,
    originalSeconds: 300,
  });

  it('signs originals for minutes, other private media to the end of the next hour', () => {
    urls.url(originals[0]!, '"abc"');
    urls.url(variantKey(originals[4]!, '720p.mp4'), '"abc"');
    expect(signed.map(({ expiresAt }) => expiresAt.toISOString())).toEqual([
      '2026-01-01T10:25:00.000Z',
      '2026-01-01T12:00:00.000Z',
    ]);
  });

  it('names one version of a public object', () => {
    expect(urls.url(variantKey(originals[0]!, 'medium.jpg'), '"0123456789abcdef99"')).toBe(
      `https://cdn/users/u1/posts/${id}/medium.jpg?v=0123456789abcdef`,
    );
  });
});
