import type { Clock } from '../../ports/clock.ts';
import { isOriginalKey } from './media-keys.ts';
import { versionTag, type MediaUrls } from './media-view.ts';

/**
 * Private media as CloudFront path patterns (`*`: any characters, `/` included): served only
 * on signed URLs, by the media server and by CloudFront alike (infra/lib/media.ts makes one
 * behaviour of each). Stories go to followers only; the originals, with their camera metadata
 * (GPS above all), to their owner only (ADR 0007). Every key `isOriginalKey` names is one of them.
 */
export const privateMediaPatterns = [
  'stories/*',
  'users/*/posts/*/original.jpg',
  'users/*/posts/*/original.mp4',
  'users/*/profile/avatar.jpg',
  // Data exports (domain/privacy): a user's whole archive, for its owner only.
  'exports/*',
];

const privateMedia = privateMediaPatterns.map(
  (pattern) =>
    new RegExp(
      `^${pattern
        .split('*')
        .map((part) => part.replace(/[.?+^$()[\]{}|\\]/g, '\\$&'))
        .join('.*')}$`,
    ),
);

/** Whether the key may be served only on a signed URL: the one answer for the media server and the URLs. */
export function isPrivateMedia(key: string): boolean {
  return privateMedia.some((pattern) => pattern.test(key));
}

/**
 * Media URLs for the media server or a CDN. A public object has one URL per version (`?v=`),
 * which caches may keep for a year. A private one is signed until the end of the next hour, so
 * its URL too stays the same for an hour and browsers can cache it; an original only for
 * `originalSeconds`, whoever asks for it: its owner downloads it now, it is never a link to keep.
 */
export function mediaUrls(options: {
  /** Where public objects are served from (no trailing slash). */
  publicBase: () => string;
  signPrivate: (key: string, expiresAt: Date) => string;
  clock: Clock;
  /** How long a signed URL of an original stays valid (MediaSettings.originalUrlSeconds). */
  originalSeconds: number;
}): MediaUrls {
  const hour = 3600 * 1000;
  return {
    url(key, etag) {
      const now = options.clock.now();
      if (isOriginalKey(key)) return options.signPrivate(key, new Date(now + options.originalSeconds * 1000));
      if (isPrivateMedia(key)) return options.signPrivate(key, new Date(Math.ceil(now / hour) * hour + hour));
      return `${options.publicBase()}/${key}${etag ? `?v=${versionTag(etag)}` : ''}`;
    },
  };
}
