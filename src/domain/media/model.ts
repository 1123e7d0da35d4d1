/**
 * Media: what a user uploaded, where its bytes live and what the pipeline made
 * of them. One item per object in the single table (`MEDIA#<key>` /
 * `METADATA`); the object keys are the design's layout (media-keys.ts).
 */
import { PlazaError } from '../../platform/errors.ts';
import type { Clock } from '../../ports/clock.ts';
import type { ImageProcessor } from '../../ports/image-processor.ts';
import type { Ids } from '../../ports/ids.ts';
import type { Item, ItemStore, Key } from '../../ports/item-store/item-store.ts';
import type { Logger } from '../../platform/logger.ts';
import type { ObjectStore } from '../../ports/object-store/object-store.ts';
import type { UploadSigner } from '../../ports/object-store/signed-urls.ts';
import type { VideoProcessor } from '../../ports/video-processor.ts';

export type Purpose = 'POST' | 'AVATAR' | 'STORY';
export type MediaStatus = 'PENDING' | 'READY' | 'FAILED';

export interface MediaSettings {
  imageMaxBytes: number;
  videoMaxBytes: number;
  /** How long an upload URL stays valid (at most 15 minutes). */
  uploadUrlSeconds: number;
  /** How long the signed URL of an original, handed to its owner only, stays valid. */
  originalUrlSeconds: number;
  /** The design's square sizes. */
  imageSizes: number[];
  maxPixels: number;
  jobTimeoutSeconds: number;
  jobConcurrency: number;
  jobAttempts: number;
  videoMaxSeconds: number;
  /** Larger clips (8K) are refused before they are decoded. */
  videoMaxPixels: number;
  /** The renditions' short sides (720p, 360p). */
  videoRenditions: number[];
  /** For each ffmpeg run of a clip; a run over it is stopped and the clip refused. */
  videoTimeoutSeconds: number;
  /** ffmpeg's threads per clip. */
  videoThreads: number;
  /** Clips processed at once, beside (not instead of) jobConcurrency's images. */
  videoJobConcurrency: number;
}

export const defaultMediaSettings: MediaSettings = {
  imageMaxBytes: 20 * 1024 * 1024,
  videoMaxBytes: 100 * 1024 * 1024,
  uploadUrlSeconds: 15 * 60,
  originalUrlSeconds: 5 * 60,
  imageSizes: [150, 300, 600, 1200],
  maxPixels: 40_000_000,
  jobTimeoutSeconds: 30,
  jobConcurrency: 2,
  jobAttempts: 3,
  videoMaxSeconds: 60,
  videoMaxPixels: 4096 * 4096,
  videoRenditions: [720, 360],
  videoTimeoutSeconds: 300,
  videoThreads: 2,
  videoJobConcurrency: 1,
};

export interface MediaServices {
  store: ItemStore;
  objects: ObjectStore;
  signer: UploadSigner;
  images: ImageProcessor;
  /**
   * Makes videos' renditions and posters. Absent where no ffmpeg runs (the image pipeline's
   * Lambda, whose uploads are never videos): videos then fail there, since the original is never
   * served to others (ADR 0007).
   */
  videos?: VideoProcessor;
  clock: Clock;
  ids: Ids;
  logger: Logger;
  settings: MediaSettings;
}

export interface MediaVariant {
  name: string;
  size?: number;
  key: string;
  contentType: string;
  width: number;
  height: number;
  etag: string;
}

/** One of a video's MP4 renditions (`720p.mp4`, `360p.mp4`), upright, without metadata. */
export interface MediaRendition {
  name: string;
  key: string;
  contentType: string;
  width: number;
  height: number;
  bytes: number;
  etag: string;
}

export interface Media {
  key: string;
  ownerId: string;
  purpose: Purpose;
  contentType: string;
  contentLength: number;
  status: MediaStatus;
  /** The bytes arrived (the object exists); processing may still be under way. */
  uploaded: boolean;
  etag?: string;
  width?: number;
  height?: number;
  /** A photo's sizes, or a video's poster in the same sizes. */
  variants: MediaVariant[];
  /** A video's, largest first (always set by toMedia). */
  renditions?: MediaRendition[];
  durationSeconds?: number;
  failure?: string;
  createdAt: string;
}

export const imageTypes = ['image/jpeg', 'image/png', 'image/webp', 'image/gif', 'image/heic', 'image/avif'];
export const videoTypes = ['video/mp4', 'video/quicktime', 'video/webm'];

export const mediaKey = (key: string): Key => ({ PK: `MEDIA#${key}`, SK: 'METADATA' });

/** Media waiting for the pipeline, in GSI3 (sparse: the attributes go when the job is done). */
export const MEDIA_JOBS = 'MEDIA_JOB';

export function toMedia(item: Item): Media {
  return {
    key: String(item.key),
    ownerId: String(item.ownerId),
    purpose: item.purpose as Purpose,
    contentType: String(item.contentType),
    contentLength: Number(item.contentLength ?? 0),
    status: (item.status as MediaStatus) ?? 'PENDING',
    uploaded: item.uploaded === true,
    ...(typeof item.etag === 'string' ? { etag: item.etag } : {}),
    ...(typeof item.width === 'number' ? { width: item.width } : {}),
    ...(typeof item.height === 'number' ? { height: item.height } : {}),
    variants: Array.isArray(item.variants) ? (item.variants as unknown as MediaVariant[]) : [],
    renditions: Array.isArray(item.renditions) ? (item.renditions as unknown as MediaRendition[]) : [],
    ...(typeof item.durationSeconds === 'number' ? { durationSeconds: item.durationSeconds } : {}),
    ...(typeof item.failure === 'string' ? { failure: item.failure } : {}),
    createdAt: String(item.createdAt),
  };
}

export function isVideo(contentType: string): boolean {
  return videoTypes.includes(contentType);
}

export function requirePurpose(value: unknown): Purpose {
  if (value === 'POST' || value === 'AVATAR' || value === 'STORY') return value;
  throw new PlazaError('BadInput', 'purpose must be POST, AVATAR or STORY');
}
