/** Choosing image files: the processed variants in a srcset, so the browser fetches the size it shows and never the original. */
import type { Media, MediaVariant } from '../api/types.ts';

type SizedVariant = MediaVariant & { width: number };

/** The variants of one format (JPEG when no type is given), narrowest first. */
function sized(media: Media, format: 'image/jpeg' | 'image/webp'): SizedVariant[] {
  return (media.variants ?? [])
    .filter((variant): variant is SizedVariant => typeof variant.width === 'number')
    .filter((variant) => (variant.contentType ?? 'image/jpeg') === format)
    .sort((a, b) => a.width - b.width);
}

/** `url 150w, url 300w, …` for one format, or undefined when there are none (yet). */
export function srcSetOf(
  media: Media,
  format: 'image/jpeg' | 'image/webp' = 'image/jpeg',
): string | undefined {
  const variants = sized(media, format);
  return variants.length
    ? variants.map((variant) => `${variant.url} ${variant.width}w`).join(', ')
    : undefined;
}

/** The smallest JPEG variant at least `width` pixels wide (or the largest): the `src` for browsers without srcset. */
export function variantFor(media: Media, width: number): MediaVariant | undefined {
  const variants = sized(media, 'image/jpeg');
  return variants.find((variant) => variant.width >= width) ?? variants.at(-1);
}

export const isVideo = (media: Media) => media.contentType.startsWith('video/');

/** Screens this narrow get a video's smallest rendition (360p): a phone's screen, often on a slow network. */
export const smallScreen = '(max-width: 640px)';

/** The rendition to play: the smallest on a small screen, the largest otherwise; the display URL before any. */
export function renditionFor(media: Media, small: boolean): string | undefined {
  const renditions = [...(media.videoRenditions ?? [])].sort(
    (a, b) => Math.min(a.width, a.height) - Math.min(b.width, b.height),
  );
  return (small ? renditions[0] : renditions.at(-1))?.url ?? media.url ?? undefined;
}

/** The shape the picture shows in: its variants' (square renditions), or the original's. */
export function aspectRatio(media: Media): string | undefined {
  const variant = variantFor(media, 0);
  if (variant?.width && variant.height) return `${variant.width} / ${variant.height}`;
  return media.width && media.height ? `${media.width} / ${media.height}` : undefined;
}
