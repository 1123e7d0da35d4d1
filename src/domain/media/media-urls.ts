import type { Clock } from '../../ports/clock.ts';
import { versionTag, type MediaUrls } from './media-view.ts';

/** Key prefixes of private media (CONTRACT.md): served only on signed URLs, locally and by CloudFront. */
export const privateMediaPrefixes = ['stories/', 'exports/'];

export function isPrivateMedia(key: string): boolean {
  return privateMediaPrefixes.some((prefix) => key.startsWith(prefix));
}

/**
 * Media URLs for the media server or a CDN. A public object has one URL per version (`?v=`),
 * which caches may keep for a year; a private one is signed until the end of the next hour, so
 * its URL too stays the same for an hour and browsers can cache it.
 */
export function mediaUrls(options: {
  /** Where public objects are served from (no trailing slash). */
  publicBase: () => string;
  signPrivate: (key: string, expiresAt: Date) => string;
  clock: Clock;
}): MediaUrls {
  const hour = 3600 * 1000;
  return {
    url(key, etag) {
      if (isPrivateMedia(key)) {
        return options.signPrivate(key, new Date(Math.ceil(options.clock.now() / hour) * hour + hour));
      }
      return `${options.publicBase()}/${key}${etag ? `?v=${versionTag(etag)}` : ''}`;
    },
  };
}
