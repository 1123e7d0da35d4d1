/** Turns an uploaded image into the sizes the apps show. */
export interface ImageVariant {
  /** File name beside the original: `300.jpg`, `300.webp`, `thumbnail.jpg`, `medium.jpg`. */
  name: string;
  /** The square size for the design's sizes; absent for `medium`, which keeps the aspect ratio. */
  size?: number;
  contentType: string;
  bytes: Buffer;
  width: number;
  height: number;
}

export interface ProcessedImage {
  /** The original's dimensions, upright. */
  width: number;
  height: number;
  variants: ImageVariant[];
}

export interface ImageLimits {
  sizes: number[];
  /** Larger images are refused before they are decoded (decompression bombs). */
  maxPixels: number;
  timeoutSeconds: number;
}

export interface ImageProcessor {
  /** Throws UnsupportedMediaType for bytes that are not a readable image within the limits. */
  process(original: Buffer, limits: ImageLimits): Promise<ProcessedImage>;
}
