import type { Media } from './model.ts';

/** The short form of an ETag that names one version of an object in its URL. */
export function versionTag(etag: string): string {
  return etag.replace(/"/g, '').slice(0, 16);
}

/** Where clients fetch an object: the media server, or the CDN at scale. */
export interface MediaUrls {
  /**
   * A public URL carries the object's ETag (`?v=`), so it names one version and the media
   * server may let caches keep it for a year; a private one (stories) is signed and expires.
   */
  url(key: string, etag: string | undefined): string;
}

export interface MediaView {
  key: string;
  contentType: string;
  status: Media['status'];
  width: number | null;
  height: number | null;
  url: string | null;
  variants: { size: number; url: string; width: number; height: number; contentType: string }[];
}

/**
 * Media as the API shows it. Until an upload is processed only the original
 * exists; `variants` lists the design's square sizes (JPEG, and WebP beside
 * them), which apps use in `srcset` so that nothing downloads the original
 * to show a thumbnail.
 */
export function viewMedia(media: Media, urls: MediaUrls): MediaView {
  return {
    key: media.key,
    contentType: media.contentType,
    status: media.status,
    width: media.width ?? null,
    height: media.height ?? null,
    url: media.uploaded ? urls.url(media.key, media.etag) : null,
    variants: media.variants
      .filter((variant) => variant.size !== undefined && !variant.name.startsWith('thumbnail'))
      .map((variant) => ({
        size: variant.size as number,
        url: urls.url(variant.key, variant.etag),
        width: variant.width,
        height: variant.height,
        contentType: variant.contentType,
      })),
  };
}
