import { displayRenditions } from './media-keys.ts';
import { isVideo, type Media } from './model.ts';

/** The short form of an ETag that names one version of an object in its URL. */
export function versionTag(etag: string): string {
  return etag.replace(/"/g, '').slice(0, 16);
}

/** Where clients fetch an object: the media server, or the CDN at scale. */
export interface MediaUrls {
  /**
   * A public URL carries the object's ETag (`?v=`), so it names one version and the media
   * server may let caches keep it for a year; a private one (stories, originals) is signed and
   * expires, an original's within minutes.
   */
  url(key: string, etag: string | undefined): string;
}

export interface MediaView {
  key: string;
  /** Who uploaded it: the one viewer who may fetch the original. Not in the schema. */
  ownerId: string;
  /** Whether the original's bytes arrived. Not in the schema. */
  uploaded: boolean;
  contentType: string;
  status: Media['status'];
  width: number | null;
  height: number | null;
  url: string | null;
  /** A photo's sizes, or a video's poster in the same sizes. */
  variants: { size: number; url: string; width: number; height: number; contentType: string }[];
  durationSeconds: number | null;
  videoRenditions: { height: number; width: number; url: string; contentType: string; bytes: number }[];
  /** Why the file was refused (FAILED), in words its owner understands. */
  failureReason: string | null;
}

/**
 * Media as the API shows it to anyone. `url` is a rendition without metadata that keeps the
 * aspect ratio, so it exists once the pipeline made it (READY); the original never has a
 * public URL (ADR 0007). `variants` lists the design's square sizes (JPEG, and WebP beside
 * them), which apps use in `srcset` so that nothing downloads more than it shows; a video's are
 * its poster. A video's `url` is its largest rendition, `videoRenditions` all of them.
 */
export function viewMedia(media: Media, urls: MediaUrls): MediaView {
  const renditions = media.status === 'READY' ? (media.renditions ?? []) : [];
  const display = isVideo(media.contentType)
    ? renditions[0]
    : media.status === 'READY'
      ? media.variants.find((variant) => variant.name === displayRenditions.image)
      : undefined;
  return {
    key: media.key,
    ownerId: media.ownerId,
    uploaded: media.uploaded,
    contentType: media.contentType,
    status: media.status,
    width: media.width ?? null,
    height: media.height ?? null,
    url: display ? urls.url(display.key, display.etag) : null,
    variants: media.variants
      .filter((variant) => variant.size !== undefined && !variant.name.startsWith('thumbnail'))
      .map((variant) => ({
        size: variant.size as number,
        url: urls.url(variant.key, variant.etag),
        width: variant.width,
        height: variant.height,
        contentType: variant.contentType,
      })),
    durationSeconds: media.status === 'READY' ? (media.durationSeconds ?? null) : null,
    videoRenditions: renditions.map((rendition) => ({
      height: rendition.height,
      width: rendition.width,
      url: urls.url(rendition.key, rendition.etag),
      contentType: rendition.contentType,
      bytes: rendition.bytes,
    })),
    failureReason: media.status === 'FAILED' ? (media.failure ?? null) : null,
  };
}

/**
 * The untouched original, camera metadata and all: for its owner only (never an API key or
 * another user), on a signed URL that expires within minutes.
 */
export function originalUrl(media: MediaView, viewerId: string | undefined, urls: MediaUrls): string | null {
  if (!media.uploaded || viewerId === undefined || viewerId !== media.ownerId) return null;
  return urls.url(media.key, undefined);
}
