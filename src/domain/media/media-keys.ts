/**
 * The design's object keys, built by the server from validated ids only:
 *
 *   users/<userId>/profile/avatar.jpg
 *   users/<userId>/posts/<mediaId>/original.jpg   (+ 150.jpg … 1200.jpg, .webp, thumbnail.jpg, medium.jpg)
 *   stories/<userId>/<storyId>/image.jpg | video.mp4
 *
 * A post may carry several photos, so each photo has its own folder, named by
 * a ULID like the post's own id. Variants sit beside their original.
 */
import type { Purpose } from './model.ts';

export function originalKey(purpose: Purpose, userId: string, id: string, video: boolean): string {
  switch (purpose) {
    case 'AVATAR':
      return `users/${userId}/profile/avatar.jpg`;
    case 'POST':
      return `users/${userId}/posts/${id}/original.jpg`;
    case 'STORY':
      return `stories/${userId}/${id}/${video ? 'video.mp4' : 'image.jpg'}`;
  }
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
    POST: new RegExp(`^users/${id}/posts/${ulid}/original\\.jpg$`),
    STORY: new RegExp(`^stories/${id}/${ulid}/(image\\.jpg|video\\.mp4)$`),
  };
  return patterns[purpose].test(key);
}
