import type { Media } from '../api/types.ts';
import { aspectRatio, isVideo, renditionFor, smallScreen, srcSetOf, variantFor } from '../lib/media.ts';

/**
 * One photo or video. Photos come from their processed variants through srcset,
 * `sizes` telling the browser how wide they show, so a thumbnail loads a small
 * file; media still processing shows a placeholder of the same shape.
 */
export function MediaView({
  media,
  alt,
  sizes,
  className,
  eager,
  onLoad,
}: {
  media: Media;
  alt: string;
  sizes: string;
  className?: string;
  eager?: boolean;
  /** The picture is on screen (fetched and decoded). */
  onLoad?: () => void;
}) {
  const style = { aspectRatio: aspectRatio(media) };
  if (media.status === 'PENDING')
    return (
      <div
        className={`media placeholder ${className ?? ''}`}
        style={style}
        role="img"
        aria-label={`${alt} (processing)`}
      >
        <span aria-hidden="true">Processing…</span>
      </div>
    );
  if (media.status === 'FAILED')
    return (
      <div
        className={`media placeholder failed ${className ?? ''}`}
        style={style}
        role="img"
        aria-label={alt}
      >
        <span>{media.failureReason ?? 'This file could not be processed.'}</span>
      </div>
    );
  if (isVideo(media)) {
    const small = typeof window !== 'undefined' && window.matchMedia?.(smallScreen).matches === true;
    return (
      <video
        className={`media ${className ?? ''}`}
        style={style}
        src={renditionFor(media, small)}
        poster={variantFor(media, small ? 300 : 600)?.url}
        controls
        playsInline
        preload="metadata"
        aria-label={alt}
      />
    );
  }
  const fallback = variantFor(media, 600);
  const webp = srcSetOf(media, 'image/webp');
  const image = (
    <img
      className={`media ${className ?? ''}`}
      style={style}
      srcSet={srcSetOf(media)}
      sizes={sizes}
      src={fallback?.url ?? media.url ?? undefined}
      width={fallback?.width ?? media.width ?? undefined}
      height={fallback?.height ?? media.height ?? undefined}
      alt={alt}
      loading={eager ? 'eager' : 'lazy'}
      onLoad={onLoad}
      decoding="async"
    />
  );
  // WebP where the browser takes it (smaller at the same quality), JPEG otherwise.
  return webp ? (
    <picture className="media-picture">
      <source type="image/webp" srcSet={webp} sizes={sizes} />
      {image}
    </picture>
  ) : (
    image
  );
}
