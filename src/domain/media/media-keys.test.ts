import { describe, expect, it } from 'vitest';
import { thrownMessage } from '../../../test/support/fails-with.ts';
import {
  isOriginalKey,
  isOwnOriginal,
  isVideoKey,
  mediaObjectsPrefix,
  originalKey,
  variantKey,
} from './media-keys.ts';

const ada = '00000000-0000-4000-8000-616461000000';
const id = '01KDHZ8Q0000000000000000AA';

describe('original keys', () => {
  it("follow the design's layout for avatars, post photos and clips, and stories", () => {
    expect(originalKey('AVATAR', ada, id, false)).toBe(`users/${ada}/profile/avatar.jpg`);
    expect(originalKey('POST', ada, id, false)).toBe(`users/${ada}/posts/${id}/original.jpg`);
    expect(originalKey('POST', ada, id, true)).toBe(`users/${ada}/posts/${id}/original.mp4`);
    expect(originalKey('STORY', ada, id, false)).toBe(`stories/${ada}/${id}/image.jpg`);
    expect(originalKey('STORY', ada, id, true)).toBe(`stories/${ada}/${id}/video.mp4`);
    for (const [purpose, video] of [
      ['AVATAR', false],
      ['POST', false],
      ['POST', true],
      ['STORY', true],
    ] as const) {
      const key = originalKey(purpose, ada, id, video);
      expect(isOriginalKey(key), key).toBe(true);
      expect(isVideoKey(key), key).toBe(video);
      expect(isOwnOriginal(key, ada, purpose), key).toBe(true);
    }
  });

  it('tell variants and foreign keys from originals, and refuse what is not own', () => {
    expect(isOriginalKey(`users/${ada}/posts/${id}/medium.jpg`)).toBe(false);
    expect(isOriginalKey(`users/${ada}/posts/${id}/original.png`)).toBe(false);
    expect(isOwnOriginal(`users/${ada}/posts/${id}/original.jpg`, 'bob', 'POST')).toBe(false);
    expect(isOwnOriginal(`users/${ada}/posts/${id}/original.jpg`, ada, 'STORY')).toBe(false);
    expect(isOwnOriginal(`users/${ada}/posts/not-a-ulid/original.jpg`, ada, 'POST')).toBe(false);
    // An id that is not plain letters, digits and dashes could widen the pattern: never own.
    expect(isOwnOriginal(`users/.*/profile/avatar.jpg`, '.*', 'AVATAR')).toBe(false);
  });
});

describe('variantKey and mediaObjectsPrefix', () => {
  it("put variants beside their original, an avatar's under avatar- names", () => {
    expect(variantKey(`users/${ada}/posts/${id}/original.jpg`, 'medium.jpg')).toBe(
      `users/${ada}/posts/${id}/medium.jpg`,
    );
    expect(variantKey(`users/${ada}/profile/avatar.jpg`, '150.jpg')).toBe(
      `users/${ada}/profile/avatar-150.jpg`,
    );
    expect(mediaObjectsPrefix(`users/${ada}/posts/${id}/original.mp4`)).toBe(`users/${ada}/posts/${id}/`);
    expect(mediaObjectsPrefix(`stories/${ada}/${id}/image.jpg`)).toBe(`stories/${ada}/${id}/`);
    expect(mediaObjectsPrefix(`users/${ada}/profile/avatar.jpg`)).toBe(`users/${ada}/profile/avatar`);
  });

  it('refuse to make a prefix from a key outside the layout, as a prefix is deleted whole', () => {
    for (const key of [
      `users/${ada}/posts/`,
      `users/${ada}/posts/${id}/medium.jpg`,
      `users/../posts/${id}/original.jpg`,
      '',
    ])
      expect(thrownMessage(() => mediaObjectsPrefix(key), 'BadInput')).toBe(
        `${key} is not an original's key`,
      );
  });
});
