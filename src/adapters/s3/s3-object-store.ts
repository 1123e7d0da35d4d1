/**
 * The object store on Amazon S3 (or any S3-compatible endpoint) through AWS
 * SDK v3. Versioning and lifecycle are bucket settings at scale (the CDK app
 * turns them on); this adapter reads versions and expires them on request.
 */
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsCommand,
  ListObjectVersionsCommand,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { Readable } from 'node:stream';
import { PlazaError } from '../../platform/errors.ts';
import {
  exactLength,
  ObjectEvents,
  requireKey,
  type ByteRange,
  type ObjectEvent,
  type ObjectInfo,
  type ObjectStore,
  type ObjectVersion,
  type PutOptions,
  type RemoteFile,
} from '../../ports/object-store/object-store.ts';
import type { SignedRequest, UploadSigner, UploadTarget } from '../../ports/object-store/signed-urls.ts';

export interface S3ObjectStoreOptions {
  bucket: string;
  region: string;
  /** An S3-compatible endpoint; path-style addressing is used when one is set. */
  endpoint?: string;
  credentials?: S3ClientConfig['credentials'];
}

function isNotFound(error: unknown): boolean {
  return (
    error instanceof S3ServiceException &&
    (error.name === 'NotFound' || error.name === 'NoSuchKey' || error.$metadata.httpStatusCode === 404)
  );
}

export class S3ObjectStore implements ObjectStore, UploadSigner {
  readonly client: S3Client;
  readonly #bucket: string;
  readonly #events = new ObjectEvents();

  constructor(options: S3ObjectStoreOptions) {
    this.#bucket = options.bucket;
    this.client = new S3Client({
      region: options.region,
      ...(options.endpoint ? { endpoint: options.endpoint, forcePathStyle: true } : {}),
      ...(options.credentials ? { credentials: options.credentials } : {}),
      // Checksums only where S3 requires them: S3-compatible servers do not all read the
      // aws-chunked bodies that the SDK's default checksums produce.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  }

  async put(key: string, body: Readable | Buffer, options: PutOptions): Promise<ObjectInfo> {
    requireKey(key);
    const bytes = Buffer.isBuffer(body) ? body : undefined;
    if (bytes && options.contentLength !== undefined && bytes.length !== options.contentLength) {
      throw new PlazaError('BadInput', `Expected ${options.contentLength} bytes, received ${bytes.length}`);
    }
    const contentLength = bytes?.length ?? options.contentLength;
    if (!bytes && contentLength === undefined) {
      throw new PlazaError('BadInput', 'A streamed put to S3 needs its content length');
    }
    const counted = bytes ?? exactLength(body as Readable, contentLength as number);
    let bodyError: unknown;
    if (!bytes) (counted as Readable).on('error', (error: unknown) => (bodyError = error));
    const sent = await this.client
      .send(
        new PutObjectCommand({
          Bucket: this.#bucket,
          Key: key,
          // A stream goes to S3 as it arrives, counted so it cannot run past the length it declared.
          Body: counted,
          ContentType: options.contentType,
          ...(contentLength !== undefined ? { ContentLength: contentLength } : {}),
          ...(options.metadata ? { Metadata: options.metadata } : {}),
        }),
      )
      .catch((error: unknown) => {
        // The length check's error says what went wrong better than the aborted request's.
        throw bodyError ?? error;
      });
    if (bodyError) throw bodyError;
    const info = (await this.head(key)) ?? {
      key,
      size: contentLength ?? 0,
      etag: sent.ETag ?? '',
      lastModified: new Date(),
      contentType: options.contentType,
      metadata: options.metadata ?? {},
    };
    this.#events.emit({ type: 'created', key, info });
    return info;
  }

  async get(key: string, range?: ByteRange): Promise<{ info: ObjectInfo; body: Readable } | undefined> {
    requireKey(key);
    try {
      const head = await this.head(key);
      if (!head) return undefined;
      const output = await this.client.send(
        new GetObjectCommand({
          Bucket: this.#bucket,
          Key: key,
          IfMatch: head.etag,
          ...(range ? { Range: `bytes=${range.start}-${range.end}` } : {}),
        }),
      );
      return { info: head, body: output.Body as Readable };
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    requireKey(key);
    try {
      const output = await this.client.send(new HeadObjectCommand({ Bucket: this.#bucket, Key: key }));
      return {
        key,
        size: output.ContentLength ?? 0,
        etag: output.ETag ?? '',
        lastModified: output.LastModified ?? new Date(0),
        contentType: output.ContentType ?? 'application/octet-stream',
        metadata: output.Metadata ?? {},
      };
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  async delete(key: string): Promise<void> {
    requireKey(key);
    const existed = await this.head(key);
    await this.client.send(new DeleteObjectCommand({ Bucket: this.#bucket, Key: key }));
    if (existed) this.#events.emit({ type: 'removed', key });
  }

  async list(
    prefix: string,
    options: { limit?: number; cursor?: string } = {},
  ): Promise<{ items: ObjectInfo[]; cursor?: string }> {
    // ListObjects (v1) pages by key (Marker), which every S3-compatible server implements alike.
    const output = await this.client.send(
      new ListObjectsCommand({
        Bucket: this.#bucket,
        Prefix: prefix,
        MaxKeys: Math.min(Math.max(options.limit ?? 1000, 1), 1000),
        ...(options.cursor ? { Marker: options.cursor } : {}),
      }),
    );
    // Listings carry no content type or metadata; a HEAD per object fills them in.
    const items = await Promise.all(
      (output.Contents ?? []).map(async (entry) => (await this.head(entry.Key ?? '')) as ObjectInfo),
    );
    const present = items.filter(Boolean);
    const last = present.at(-1);
    return output.IsTruncated && last ? { items: present, cursor: last.key } : { items: present };
  }

  async versions(key: string): Promise<ObjectVersion[]> {
    const output = await this.client.send(
      new ListObjectVersionsCommand({ Bucket: this.#bucket, Prefix: requireKey(key) }),
    );
    const versions: ObjectVersion[] = [
      ...(output.Versions ?? [])
        .filter((version) => version.Key === key)
        .map((version) => ({
          versionId: version.VersionId ?? 'null',
          size: version.Size ?? 0,
          lastModified: version.LastModified ?? new Date(0),
          isLatest: version.IsLatest ?? false,
          isDeleteMarker: false,
        })),
      ...(output.DeleteMarkers ?? [])
        .filter((marker) => marker.Key === key)
        .map((marker) => ({
          versionId: marker.VersionId ?? 'null',
          size: 0,
          lastModified: marker.LastModified ?? new Date(0),
          isLatest: marker.IsLatest ?? false,
          isDeleteMarker: true,
        })),
    ];
    return versions.sort((a, b) => b.lastModified.getTime() - a.lastModified.getTime());
  }

  async expireVersions(olderThan: Date): Promise<number> {
    let removed = 0;
    let keyMarker: string | undefined;
    let versionMarker: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectVersionsCommand({
          Bucket: this.#bucket,
          ...(keyMarker ? { KeyMarker: keyMarker } : {}),
          ...(versionMarker ? { VersionIdMarker: versionMarker } : {}),
        }),
      );
      for (const version of [...(page.Versions ?? []), ...(page.DeleteMarkers ?? [])]) {
        if (version.IsLatest || !version.LastModified || version.LastModified >= olderThan) continue;
        await this.client.send(
          new DeleteObjectCommand({ Bucket: this.#bucket, Key: version.Key, VersionId: version.VersionId }),
        );
        removed++;
      }
      keyMarker = page.IsTruncated ? page.NextKeyMarker : undefined;
      versionMarker = page.IsTruncated ? page.NextVersionIdMarker : undefined;
    } while (keyMarker);
    return removed;
  }

  async readUrl(key: string, expiresSeconds: number): Promise<RemoteFile | undefined> {
    const head = await this.head(key);
    if (!head) return undefined;
    const url = await getSignedUrl(
      this.client,
      new GetObjectCommand({ Bucket: this.#bucket, Key: requireKey(key) }),
      { expiresIn: Math.max(1, Math.ceil(expiresSeconds)) },
    );
    return { url, length: head.size };
  }

  /** A presigned PUT bound to the key, content type and exact length, as S3 checks them. */
  async signUpload(target: UploadTarget): Promise<SignedRequest> {
    const expiresIn = Math.max(1, Math.floor((target.expiresAt.getTime() - Date.now()) / 1000));
    const url = await getSignedUrl(
      this.client,
      new PutObjectCommand({
        Bucket: this.#bucket,
        Key: requireKey(target.key),
        ContentType: target.contentType,
        ContentLength: target.contentLength,
      }),
      { expiresIn, signableHeaders: new Set(['content-type', 'content-length']) },
    );
    return {
      url,
      method: 'PUT',
      headers: { 'Content-Type': target.contentType, 'Content-Length': String(target.contentLength) },
    };
  }

  subscribe(listener: (event: ObjectEvent) => void): () => void {
    return this.#events.subscribe(listener);
  }

  async close(): Promise<void> {
    this.#events.clear();
    this.client.destroy();
  }
}
