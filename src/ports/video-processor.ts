/** Turns an uploaded clip into what players stream: renditions without metadata, and a poster frame. */
import type { Readable } from 'node:stream';
import type { LocalFile, RemoteFile } from './object-store/object-store.ts';

/** A clip as a stream, a local file read in place, or a URL read as it is decoded. */
export type VideoInput = Readable | LocalFile | RemoteFile;

export interface VideoLimits {
  maxSeconds: number;
  /** Larger pictures (8K) are refused before anything is decoded. */
  maxPixels: number;
  /** For each external program run; a run over it is killed and the clip refused. */
  timeoutSeconds: number;
  /** Encoder and filter threads per run, so one clip cannot take every core. */
  threads: number;
  /**
   * The renditions' short sides (720, 360): a portrait clip's width, a landscape one's height.
   * Never above the clip's own: a smaller clip gets one rendition at its own size instead.
   */
  renditions: number[];
}

export interface VideoRenditionFile {
  /** File name beside the original: `720p.mp4`, `360p.mp4`. */
  name: string;
  contentType: string;
  width: number;
  height: number;
  /** The exact number of bytes `body()` carries. */
  size: number;
  body(): Readable;
}

export interface ProcessedVideo {
  /** The pictures' dimensions, upright (the display rotation applied). */
  width: number;
  height: number;
  durationSeconds: number;
  /** Largest first. */
  renditions: VideoRenditionFile[];
  /** One frame, upright, as a JPEG of the clip's own size, for the image pipeline's poster sizes. */
  poster: Buffer;
}

export interface VideoProcessor {
  /**
   * Checks the clip (a video stream, its duration and size within the limits), then encodes its
   * renditions (H.264/AAC in MP4, `+faststart`, upright, no metadata: where and when it was shot,
   * the device) and takes a poster frame, and hands them to `use`; the files are gone once `use`
   * settles. Throws UnsupportedMediaType, with a reason a person understands, for a clip that
   * is refused or cannot be read. A clip already in a local file (the file system's object
   * store) is read where it lies, one at a URL (S3's) as it is decoded; a stream is copied to a
   * temporary file first.
   */
  process<T>(
    original: VideoInput,
    limits: VideoLimits,
    use: (video: ProcessedVideo) => Promise<T>,
  ): Promise<T>;
}
