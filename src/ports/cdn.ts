/**
 * Tells the CDN to forget what it cached: CloudFront invalidations at scale, the media
 * server's edge cache on one machine. Deleted media must stop answering at once, not when a
 * cached copy would have expired.
 */
export interface CdnInvalidator {
  /** Object keys, or key prefixes ending in `*` (CloudFront's path patterns, without the leading `/`). */
  invalidate(keys: string[]): Promise<void>;
}
