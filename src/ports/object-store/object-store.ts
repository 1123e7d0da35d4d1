/**
 * The object store: S3's model, small enough to implement on a file system.
 * Keys are built by the server (see domain/media/media-keys.ts), never taken
 * from clients; adapters still refuse keys that could escape their root.
 */
import { pipeline, Transform, type Readable } from 'node:stream';
import { PlazaError } from '../../platform/errors.ts';

export interface ObjectInfo {
  key: string;
  size: number;
  /** A strong validator of the bytes (S3's ETag: the MD5 of a single-part object, quoted). */
  etag: string;
  lastModified: Date;
  contentType: string;
  /** User metadata (S3's `x-amz-meta-*`), lower-case names. */
  metadata: Record<string, string>;
}

export interface ObjectVersion {
  versionId: string;
  size: number;
  lastModified: Date;
  /** The current version; older ones are kept until lifecycle removes them. */
  isLatest: boolean;
  /** A delete left this marker in place of the object. */
  isDeleteMarker: boolean;
}

/** Inclusive byte positions, as HTTP's Range header names them. */
export interface ByteRange {
  start: number;
  end: number;
}

export interface PutOptions {
  contentType: string;
  metadata?: Record<string, string>;
  /** Refuse the put (and store nothing) unless exactly this many bytes arrive. */
  contentLength?: number;
}

export type ObjectEvent =
  { type: 'created'; key: string; info: ObjectInfo } | { type: 'removed'; key: string };

export interface ObjectStore {
  /** Stores the bytes as one object, atomically: readers see the old object or the whole new one. */
  put(key: string, body: Readable | Buffer, options: PutOptions): Promise<ObjectInfo>;
  /** The object's bytes (or one range of them); undefined when there is no such object. */
  get(key: string, range?: ByteRange): Promise<{ info: ObjectInfo; body: Readable } | undefined>;
  head(key: string): Promise<ObjectInfo | undefined>;
  /** Removes the object; its bytes stay as a previous version where the store keeps versions. Idempotent. */
  delete(key: string): Promise<void>;
  /** Objects under a prefix in key order, a page at a time. */
  list(
    prefix: string,
    options?: { limit?: number; cursor?: string },
  ): Promise<{ items: ObjectInfo[]; cursor?: string }>;
  /** The versions of one key, newest first. */
  versions(key: string): Promise<ObjectVersion[]>;
  /** Removes previous versions older than the cutoff (the lifecycle rule for noncurrent versions). */
  expireVersions(olderThan: Date): Promise<number>;
  /** Objects created or removed through this store. Returns the function that stops listening. */
  subscribe(listener: (event: ObjectEvent) => void): () => void;
  close(): Promise<void>;
  /**
   * Where the object's bytes lie in a local file, for a store that keeps objects as files: a
   * program that reads files itself (ffmpeg) reads them in place instead of from a copy.
   * Undefined when there is no such object; absent on stores that are not files (S3).
   */
  localFile?(key: string): Promise<LocalFile | undefined>;
  /**
   * A URL that reads the object for `expiresSeconds` (S3's presigned GET), for a program that
   * reads HTTP itself (ffmpeg): it reads as it decodes instead of waiting for a copy. Undefined
   * when there is no such object; absent on stores whose objects are files (see localFile).
   */
  readUrl?(key: string, expiresSeconds: number): Promise<RemoteFile | undefined>;
}

/** An object's bytes at a URL that needs no credentials besides its own signature. */
export interface RemoteFile {
  url: string;
  length: number;
}

/** An object's bytes in a local file: `length` bytes from its start (a trailer may follow). */
export interface LocalFile {
  path: string;
  length: number;
}

/** Keys are short, printable and relative: no `..`, no empty segments, no backslashes or control characters. */
const keyPattern = /^[A-Za-z0-9!_.*'()-]+(\/[A-Za-z0-9!_.*'()-]+)*$/;

/** The key, or BadInput: every adapter checks again what the domain built. */
export function requireKey(key: string): string {
  if (!isSafeKey(key)) throw new PlazaError('BadInput', `Not a valid object key: ${JSON.stringify(key)}`);
  return key;
}

/** The listeners of one store's created/removed events (the part every adapter shares). */
export class ObjectEvents {
  readonly #listeners = new Set<(event: ObjectEvent) => void>();

  subscribe(listener: (event: ObjectEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  emit(event: ObjectEvent): void {
    for (const listener of this.#listeners) listener(event);
  }

  clear(): void {
    this.#listeners.clear();
  }
}

export function isSafeKey(key: string): boolean {
  return (
    typeof key === 'string' &&
    key.length <= 1024 &&
    keyPattern.test(key) &&
    !key.split('/').some((segment) => segment === '.' || segment === '..')
  );
}

/**
 * Passes a body through while counting it: fails as soon as it exceeds the
 * declared length, and at its end if it fell short, so no adapter stores an
 * object of another size than the one that was signed for.
 */
export function exactLength(body: Readable, length: number): Readable {
  let seen = 0;
  const counted = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      seen += chunk.length;
      if (seen > length)
        callback(new PlazaError('PayloadTooLarge', `More than the ${length} bytes declared`));
      else callback(null, chunk);
    },
    flush(callback) {
      callback(
        seen === length ? null : new PlazaError('BadInput', `Expected ${length} bytes, received ${seen}`),
      );
    },
  });
  // pipeline, not pipe: an error on either side destroys both, so the reader always hears of it.
  return pipeline(body, counted, () => undefined);
}
