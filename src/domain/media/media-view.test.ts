import { describe, expect, it } from 'vitest';
import { originalUrl, versionTag, viewMedia, type MediaUrls } from './media-view.ts';
import type { Media, MediaVariant } from './model.ts';

const urls: MediaUrls = {
  url: (key, etag) => `https://media.example/${key}${etag ? `?v=${versionTag(etag)}` : ''}`,
};
const folder = 'users/ada/posts/01KDHZ8Q0000000000000000AA';
const variant = (name: string, size?: number): MediaVariant => ({
  name,
  ...(size ? { size } : {}),
  key: `${folder}/${name}`,
  contentType: 'image/jpeg',
  width: size ?? 800,
  height: size ?? 600,
  etag: `"${name}-etag-0123456789abcdef"`,
});
const photo: Media = {
  key: `${folder}/original.jpg`,
  ownerId: 'ada',
  purpose: 'POST',
  contentType: 'image/jpeg',
  contentLength: 1234,
  status: 'READY',
  uploaded: true,
  width: 800,
  height: 600,
  variants: [
    variant('medium.jpg'),
    variant('thumbnail.jpg', 150),
    variant('150.jpg', 150),
    variant('600.webp', 600),
  ],
  createdAt: '2026-12-07T08:00:00.000Z',
};

describe('versionTag', () => {
  it('is the first 16 characters of the ETag without its quotes', () => {
    expect(versionTag('"0123456789abcdef0123"')).toBe('0123456789abcdef');
  });
});

describe('viewMedia', () => {
  it('shows a ready photo by its display rendition and its square sizes, never the original', () => {
    const view = viewMedia(photo, urls);
    expect(view.url).toBe(`https://media.example/${folder}/medium.jpg?v=medium.jpg-etag-`);
    expect(view.variants.map((item) => item.size)).toEqual([150, 600]);
    expect(view.variants[1]).toMatchObject({
      contentType: 'image/jpeg',
      url: expect.stringContaining('600.webp?v='),
    });
    expect(JSON.stringify(view)).not.toContain('original.jpg?');
    expect(view).toMatchObject({
      width: 800,
      height: 600,
      failureReason: null,
      durationSeconds: null,
      videoRenditions: [],
    });
  });

  it('has no URL before processing, and the reason when it failed', () => {
    expect(viewMedia({ ...photo, status: 'PENDING' }, urls).url).toBeNull();
    expect(viewMedia({ ...photo, status: 'FAILED', failure: 'not an image' }, urls)).toMatchObject({
      url: null,
      failureReason: 'not an image',
    });
  });

  it('shows a ready clip by its largest rendition, with its duration', () => {
    const rendition = (height: number) => ({
      name: `${height}p.mp4`,
      key: `${folder}/${height}p.mp4`,
      contentType: 'video/mp4',
      width: (height * 16) / 9,
      height,
      bytes: height * 1000,
      etag: `"r${height}"`,
    });
    const clip: Media = {
      ...photo,
      key: `${folder}/original.mp4`,
      contentType: 'video/mp4',
      variants: [],
      renditions: [rendition(720), rendition(360)],
      durationSeconds: 3,
    };
    const view = viewMedia(clip, urls);
    expect(view.url).toBe(`https://media.example/${folder}/720p.mp4?v=r720`);
    expect(view.videoRenditions.map((item) => item.height)).toEqual([720, 360]);
    expect(view.durationSeconds).toBe(3);
    expect(viewMedia({ ...clip, status: 'PENDING' }, urls)).toMatchObject({
      url: null,
      videoRenditions: [],
      durationSeconds: null,
    });
  });
});

describe('originalUrl', () => {
  it('is for the owner alone, once the bytes arrived, unversioned', () => {
    const view = viewMedia(photo, urls);
    expect(originalUrl(view, 'ada', urls)).toBe(`https://media.example/${folder}/original.jpg`);
    expect(originalUrl(view, 'bob', urls)).toBeNull();
    expect(originalUrl(view, undefined, urls)).toBeNull();
    expect(originalUrl({ ...view, uploaded: false }, 'ada', urls)).toBeNull();
  });
});
