/**
 * The object store on the local file system, under one root directory.
 *
 * Each object is one file: its bytes, then a JSON trailer (content type,
 * metadata, ETag, version id) and the trailer's length. One file means one
 * rename makes a put visible, so readers never see half an object or bytes
 * that disagree with their metadata; a trailer (not a header) lets a put
 * stream the bytes through once while it hashes and counts them.
 *
 *   <root>/objects/<key>                     the current version
 *   <root>/versions/<key>/<versionId>        previous versions
 *   <root>/versions/<key>/<versionId>~delete a delete marker
 *   <root>/tmp/                              puts in progress
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, rmdir, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join, sep } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { PlazaError } from '../../platform/errors.ts';
import { filesUnder } from '../../platform/files.ts';
import {
  exactLength,
  isSafeKey,
  ObjectEvents,
  requireKey,
  type ByteRange,
  type ObjectEvent,
  type ObjectInfo,
  type ObjectStore,
  type LocalFile,
  type ObjectVersion,
  type PutOptions,
} from '../../ports/object-store/object-store.ts';

const MAGIC = Buffer.from('PLZO');
const TAIL = 8; // uint32 trailer length + magic

interface Trailer {
  contentType: string;
  metadata: Record<string, string>;
  etag: string;
  versionId: string;
  lastModified: string;
}

function versionId(): string {
  // Sorts by time (zero-padded milliseconds), unique by its random tail.
  return `${Date.now().toString().padStart(15, '0')}-${randomBytes(6).toString('hex')}`;
}

export interface FsObjectStoreOptions {
  root: string;
  /** fsync files and directories before a put resolves (off only in tests and benchmarks). */
  durable?: boolean;
}

export class FsObjectStore implements ObjectStore {
  readonly #root: string;
  readonly #durable: boolean;
  readonly #events = new ObjectEvents();
  /** Writes to one key run one after another, so archiving the previous version cannot race. */
  readonly #keyLocks = new Map<string, Promise<unknown>>();

  constructor({ root, durable = true }: FsObjectStoreOptions) {
    this.#root = root;
    this.#durable = durable;
  }

  #objectPath(key: string): string {
    return join(this.#root, 'objects', ...requireKey(key).split('/'));
  }

  #versionsDir(key: string): string {
    return join(this.#root, 'versions', ...requireKey(key).split('/'));
  }

  async #withKeyLock<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.#keyLocks.get(key) ?? Promise.resolve();
    const next = previous.then(work, work);
    const settled = next.catch(() => undefined);
    this.#keyLocks.set(key, settled);
    try {
      return await next;
    } finally {
      if (this.#keyLocks.get(key) === settled) this.#keyLocks.delete(key);
    }
  }

  async put(key: string, body: Readable | Buffer, options: PutOptions): Promise<ObjectInfo> {
    const path = this.#objectPath(key);
    const tmpDir = join(this.#root, 'tmp');
    await mkdir(tmpDir, { recursive: true });
    const tmp = join(tmpDir, `${randomBytes(8).toString('hex')}.part`);
    const md5 = createHash('md5');
    let size = 0;
    const hashing = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        size += chunk.length;
        md5.update(chunk);
        callback(null, chunk);
      },
    });
    const file = createWriteStream(tmp, { flags: 'wx' });
    try {
      let source = Buffer.isBuffer(body) ? Readable.from([body]) : body;
      if (options.contentLength !== undefined) source = exactLength(source, options.contentLength);
      await pipeline(source, hashing, file);
      const trailer: Trailer = {
        contentType: options.contentType,
        metadata: options.metadata ?? {},
        etag: `"${md5.digest('hex')}"`,
        versionId: versionId(),
        lastModified: new Date().toISOString(),
      };
      await this.#appendTrailer(tmp, trailer);
      const info = await this.#withKeyLock(key, async () => {
        await this.#archiveCurrent(key);
        await mkdir(dirname(path), { recursive: true });
        await rename(tmp, path).catch(async (error: NodeJS.ErrnoException) => {
          // A delete beside it pruned the folder just made: make it again.
          if (error.code !== 'ENOENT') throw error;
          await mkdir(dirname(path), { recursive: true });
          await rename(tmp, path);
        });
        if (this.#durable) await syncDirectory(dirname(path));
        return toInfo(key, size, trailer);
      });
      this.#events.emit({ type: 'created', key, info });
      return info;
    } catch (error) {
      // A body that fails at once can fail while the file is still being opened: the file would
      // appear after the removal below. Its stream closes once it is open and destroyed.
      if (!file.closed) {
        file.destroy();
        await new Promise<void>((resolve) => file.once('close', () => resolve()));
      }
      await rm(tmp, { force: true });
      const code = (error as NodeJS.ErrnoException).code;
      // A file system cannot hold both `a` and `a/b` (S3 can); Plaza's own keys never collide so.
      if (code === 'ENOTDIR' || code === 'EISDIR' || code === 'EEXIST') {
        throw new PlazaError('Conflict', `The key ${key} clashes with another object's key`, undefined, {
          cause: error,
        });
      }
      throw error;
    }
  }

  async #appendTrailer(path: string, trailer: Trailer): Promise<void> {
    const json = Buffer.from(JSON.stringify(trailer));
    const tail = Buffer.alloc(TAIL);
    tail.writeUInt32BE(json.length, 0);
    MAGIC.copy(tail, 4);
    const handle = await open(path, 'a');
    try {
      await handle.write(Buffer.concat([json, tail]));
      if (this.#durable) await handle.sync();
    } finally {
      await handle.close();
    }
  }

  /** Moves the current version (if any) aside, as S3 keeps it in a versioned bucket. */
  async #archiveCurrent(key: string): Promise<void> {
    const path = this.#objectPath(key);
    const current = await readObject(path);
    if (!current) return;
    const dir = this.#versionsDir(key);
    await mkdir(dir, { recursive: true });
    await rename(path, join(dir, current.trailer.versionId));
  }

  async get(key: string, range?: ByteRange): Promise<{ info: ObjectInfo; body: Readable } | undefined> {
    const object = await openObject(this.#objectPath(key));
    if (!object) return undefined;
    const { handle, size, trailer } = object;
    const info = toInfo(key, size, trailer);
    const start = range?.start ?? 0;
    const end = Math.min(range?.end ?? size - 1, size - 1);
    if (start > end) {
      await handle.close();
      return { info, body: Readable.from([]) };
    }
    return { info, body: createReadStream('', { fd: handle, start, end }) };
  }

  async localFile(key: string): Promise<LocalFile | undefined> {
    const path = this.#objectPath(key);
    const object = await readObject(path);
    return object && { path, length: object.size };
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    const object = await readObject(this.#objectPath(key));
    return object ? toInfo(key, object.size, object.trailer) : undefined;
  }

  async delete(key: string): Promise<void> {
    const removed = await this.#withKeyLock(key, async () => {
      const path = this.#objectPath(key);
      const current = await readObject(path);
      if (!current) return false;
      await this.#archiveCurrent(key);
      const dir = this.#versionsDir(key);
      const marker = await open(join(dir, `${versionId()}~delete`), 'wx');
      await marker.close();
      // Empty folders would still name the user and the media (`users/<id>/posts/<id>`).
      await pruneEmptyFolders(dirname(path), join(this.#root, 'objects'));
      return true;
    });
    if (removed) this.#events.emit({ type: 'removed', key });
  }

  async list(
    prefix: string,
    options: { limit?: number; cursor?: string } = {},
  ): Promise<{ items: ObjectInfo[]; cursor?: string }> {
    const limit = Math.min(Math.max(options.limit ?? 1000, 1), 1000);
    const base = join(this.#root, 'objects');
    // Walk only the deepest directory the prefix names.
    const directory = prefix.includes('/') ? prefix.slice(0, prefix.lastIndexOf('/')) : '';
    if (directory && !isSafeKey(directory)) return { items: [] };
    const start = join(base, ...directory.split('/').filter(Boolean));
    const keys = (await filesUnder(start))
      .map((path) =>
        path
          .slice(base.length + 1)
          .split(sep)
          .join('/'),
      )
      .filter((key) => key.startsWith(prefix) && (!options.cursor || key > options.cursor))
      .sort();
    const items: ObjectInfo[] = [];
    for (const key of keys) {
      if (items.length === limit) break;
      const info = await this.head(key);
      if (info) items.push(info);
    }
    const last = items.at(-1);
    return items.length === limit && last && keys.at(-1) !== last.key
      ? { items, cursor: last.key }
      : { items };
  }

  async versions(key: string): Promise<ObjectVersion[]> {
    const versions: ObjectVersion[] = [];
    const current = await readObject(this.#objectPath(key));
    if (current) {
      versions.push({
        versionId: current.trailer.versionId,
        size: current.size,
        lastModified: new Date(current.trailer.lastModified),
        isLatest: true,
        isDeleteMarker: false,
      });
    }
    let names: string[] = [];
    try {
      names = await readdir(this.#versionsDir(key));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    for (const name of names.sort().reverse()) {
      const isDeleteMarker = name.endsWith('~delete');
      const id = isDeleteMarker ? name.slice(0, -'~delete'.length) : name;
      const object = isDeleteMarker ? undefined : await readObject(join(this.#versionsDir(key), name));
      versions.push({
        versionId: id,
        size: object?.size ?? 0,
        lastModified: new Date(object ? object.trailer.lastModified : Number(id.split('-')[0])),
        isLatest: !current && versions.length === 0,
        isDeleteMarker,
      });
    }
    return versions;
  }

  async expireVersions(olderThan: Date): Promise<number> {
    const root = join(this.#root, 'versions');
    let removed = 0;
    for (const path of await filesUnder(root)) {
      // A previous version stopped being current when the next one was written; its id's time is
      // when it was written, a safe lower bound for when it became noncurrent.
      const written = Number(basename(path).split('-')[0]);
      if (written < olderThan.getTime()) {
        await unlink(path);
        await pruneEmptyFolders(dirname(path), root);
        removed++;
      }
    }
    return removed;
  }

  subscribe(listener: (event: ObjectEvent) => void): () => void {
    return this.#events.subscribe(listener);
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.#keyLocks.values()]);
    this.#events.clear();
  }
}

/** Removes `folder` and its parents below `root` while they are empty. */
async function pruneEmptyFolders(folder: string, root: string): Promise<void> {
  for (let current = folder; current.startsWith(root + sep); current = dirname(current)) {
    try {
      await rmdir(current);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      // Not empty (or gone already): the folders above it are not empty either.
      if (code === 'ENOTEMPTY' || code === 'EEXIST' || code === 'ENOENT') return;
      throw error;
    }
  }
}

function toInfo(key: string, size: number, trailer: Trailer): ObjectInfo {
  return {
    key,
    size,
    etag: trailer.etag,
    lastModified: new Date(trailer.lastModified),
    contentType: trailer.contentType,
    metadata: trailer.metadata,
  };
}

interface StoredObject {
  /** Open on the object's file: a concurrent put renames a new file into place, this one stays readable. */
  handle: FileHandle;
  size: number;
  trailer: Trailer;
}

/** Opens an object file and reads its trailer; the caller closes the handle (or hands it to a stream). */
async function openObject(path: string): Promise<StoredObject | undefined> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR') return undefined;
    throw error;
  }
  try {
    const { size: fileSize } = await handle.stat();
    if (fileSize < TAIL) throw corrupt(path);
    const tail = Buffer.alloc(TAIL);
    await handle.read(tail, 0, TAIL, fileSize - TAIL);
    if (!tail.subarray(4).equals(MAGIC)) throw corrupt(path);
    const length = tail.readUInt32BE(0);
    const json = Buffer.alloc(length);
    await handle.read(json, 0, length, fileSize - TAIL - length);
    const trailer = JSON.parse(json.toString('utf8')) as Trailer;
    return { handle, size: fileSize - TAIL - length, trailer };
  } catch (error) {
    await handle.close();
    throw error;
  }
}

async function readObject(path: string): Promise<Omit<StoredObject, 'handle'> | undefined> {
  const object = await openObject(path);
  if (!object) return undefined;
  await object.handle.close();
  return { size: object.size, trailer: object.trailer };
}

function corrupt(path: string): PlazaError {
  return new PlazaError('InternalFailure', `Object file is damaged: ${path}`);
}

async function syncDirectory(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
