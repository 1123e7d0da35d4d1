/** Choosing image files: the processed variants in a srcset, so the browser fetches the size it shows and never the original. */
import type { Media, MediaVariant } from '../api/types.ts';

function sized(media: Media): (MediaVariant & { width: number })[] {
  return (media.variants ?? [])
    .filter((variant): variant is MediaVariant & { width: number } => typeof variant.width === 'number')
    .sort((a, b) => a.width - b.width);
}

/** `url 150w, url 300w, …` from the variants, or undefined when there are none yet. */
export function srcSetOf(media: Media): string | undefined {
  const variants = sized(media);
  return variants.length
    ? variants.map((variant) => `${variant.url} ${variant.width}w`).join(', ')
    : undefined;
}

/** The smallest variant at least `width` pixels wide (or the largest): the `src` for browsers without srcset. */
export function variantFor(media: Media, width: number): MediaVariant | undefined {
  const variants = sized(media);
  return variants.find((variant) => variant.width >= width) ?? variants.at(-1);
}

export const isVideo = (media: Media) => media.contentType.startsWith('video/');

/** Width over height, for a box that keeps its place while the image loads. */
export function aspectRatio(media: Media): string | undefined {
  return media.width && media.height ? `${media.width} / ${media.height}` : undefined;
}
