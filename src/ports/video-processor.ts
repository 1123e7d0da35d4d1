/** Makes an uploaded video fit to hand to others: the same pictures and sound, no metadata. */
import type { Readable } from 'node:stream';

export interface VideoLimits {
  timeoutSeconds: number;
}

export interface CleanVideo {
  contentType: string;
  /** The exact number of bytes `body` carries. */
  size: number;
  body: Readable;
  /** The pictures' dimensions, upright (the display rotation applied). */
  width: number;
  height: number;
}

export interface VideoProcessor {
  /**
   * Copies an MP4 or QuickTime file's video and audio into a new MP4 without its metadata
   * (where and when it was shot, the device: `moov/udta`, `moov/meta`, stream tags, chapters,
   * cover art, data tracks) and hands it to `use`; its bytes are gone once `use` settles.
   * Throws UnsupportedMediaType for bytes that are not a readable video within the limits.
   */
  stripMetadata<T>(
    original: Readable,
    limits: VideoLimits,
    use: (video: CleanVideo) => Promise<T>,
  ): Promise<T>;
}
