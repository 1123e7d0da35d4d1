/**
 * The design's object keys, built by the server from validated ids only:
 *
 *   users/<userId>/profile/avatar.jpg
 *   users/<userId>/posts/<mediaId>/original.jpg   (+ 150.jpg … 1200.jpg, .webp, thumbnail.jpg, medium.jpg)
 *   users/<userId>/posts/<mediaId>/original.mp4   (+ 720p.mp4, 360p.mp4, and the poster's sizes as above)
 *   stories/<userId>/<storyId>/image.jpg | video.mp4
 *
 * A post may carry several photos, so each photo has its own folder, named by
 * a ULID like the post's own id. Variants sit beside their original. The
 * originals are their owner's alone; everyone else gets variants (ADR 0007).
 */
import { PlazaError } from '../../platform/errors.ts';
import type { Purpose } from './model.ts';

export function originalKey(purpose: Purpose, userId: string, id: string, video: boolean): string {
  switch (purpose) {
    case 'AVATAR':
      return `users/${userId}/profile/avatar.jpg`;
    case 'POST':
      return `users/${userId}/posts/${id}/original.${video ? 'mp4' : 'jpg'}`;
    case 'STORY':
      return `stories/${userId}/${id}/${video ? 'video.mp4' : 'image.jpg'}`;
  }
}

/**
 * The rendition a photo's `Media.url` points at: without metadata, upright, the aspect ratio
 * kept, never the original. A video's is its largest rendition (`720p.mp4`).
 */
export const displayRenditions = { image: 'medium.jpg' } as const;

/** Whether the key is an original as uploaded (any user's), camera metadata and all. */
export function isOriginalKey(key: string): boolean {
  return /^(users\/[^/]+\/(posts\/[^/]+\/original\.(jpg|mp4)|profile\/avatar\.jpg)|stories\/[^/]+\/[^/]+\/(image\.jpg|video\.mp4))$/.test(
    key,
  );
}

/** Whether the original is a clip: its key says so (`original.mp4`, `video.mp4`) before any byte is read. */
export function isVideoKey(key: string): boolean {
  return key.endsWith('.mp4');
}

export function variantKey(original: string, name: string): string {
  const folder = original.slice(0, original.lastIndexOf('/'));
  // The avatar shares its folder with nothing else, but keep its variants apart from a future original.
  return original.endsWith('/avatar.jpg') ? `${folder}/avatar-${name}` : `${folder}/${name}`;
}

/** Whether the key is one of the user's originals (what a post, story or avatar may point at). */
export function isOwnOriginal(key: string, userId: string, purpose: Purpose): boolean {
  const ulid = '[0-9A-HJKMNP-TV-Z]{26}';
  const id = userId.replace(/[^A-Za-z0-9-]/g, '');
  if (id !== userId) return false;
  const patterns: Record<Purpose, RegExp> = {
    AVATAR: new RegExp(`^users/${id}/profile/avatar\\.jpg$`),
    POST: new RegExp(`^users/${id}/posts/${ulid}/original\\.(jpg|mp4)$`),
    STORY: new RegExp(`^stories/${id}/${ulid}/(image\\.jpg|video\\.mp4)$`),
  };
  return patterns[purpose].test(key);
}

/**
 * The prefix that holds an original and its variants: the media's own folder, or for the
 * avatar (whose folder may hold more of the profile) the `avatar` names in it.
 */
export function mediaObjectsPrefix(original: string): string {
  // A prefix is deleted whole: never derive one from a key outside the design's layout.
  if (
    !/^(users\/[A-Za-z0-9-]+\/(posts\/[0-9A-Z]{26}\/original\.(jpg|mp4)|profile\/avatar\.jpg)|stories\/[A-Za-z0-9-]+\/[0-9A-Z]{26}\/(image\.jpg|video\.mp4))$/.test(
      original,
    )
  ) {
    throw new PlazaError('BadInput', `${original} is not an original's key`);
  }
  const folder = original.slice(0, original.lastIndexOf('/') + 1);
  return original.endsWith('/avatar.jpg') ? `${folder}avatar` : folder;
}
