/**
 * Files Plaza keeps under DATA_DIR, written so that a crash or a full disk never leaves half of one:
 * the bytes go to a temporary file in the same folder, which is flushed to disk (fsync), then moved
 * into place with one rename (or link, when an existing file must be kept), and the folder is flushed
 * so the new name survives a power cut too. Owner-only permissions (0600) unless told otherwise.
 */
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  fchmodSync,
  fsyncSync,
  linkSync,
  mkdirSync,
  openSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

export interface AtomicWriteOptions {
  /** The file's permissions (default 0600: owner only). */
  mode?: number;
}

/** A name beside `path`, unique to this write (concurrent writers never share one). */
export function temporaryPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
}

/** True for the names `temporaryPathFor` makes (tests, and anyone cleaning up after a crash). */
export function isTemporaryPath(name: string): boolean {
  return /^\..+\.\d+\.[0-9a-f]{12}\.tmp$/.test(basename(name));
}

/** Flushes a folder's entries (a rename into it) to disk; where folders cannot be opened so (Windows), skipped. */
function fsyncDirectorySync(dir: string): void {
  let fd: number;
  try {
    fd = openSync(dir, 'r');
  } catch {
    return;
  }
  try {
    fsyncSync(fd);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EINVAL' && code !== 'EISDIR' && code !== 'EPERM' && code !== 'EBADF') throw error;
  } finally {
    closeSync(fd);
  }
}

function writeTemporarySync(path: string, data: string | Buffer, mode: number): string {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const temporary = temporaryPathFor(path);
  const fd = openSync(temporary, 'wx', mode);
  try {
    fchmodSync(fd, mode);
    writeFileSync(fd, data);
    fsyncSync(fd);
  } catch (error) {
    closeSync(fd);
    rmSync(temporary, { force: true });
    throw error;
  }
  closeSync(fd);
  return temporary;
}

/** Replaces `path` with `data` atomically (see above). */
export function writeFileAtomicSync(
  path: string,
  data: string | Buffer,
  options: AtomicWriteOptions = {},
): void {
  const temporary = writeTemporarySync(path, data, options.mode ?? 0o600);
  try {
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
  fsyncDirectorySync(dirname(path));
}

/**
 * Creates `path` with `data` atomically unless it exists: true when this call made it, false when
 * another process had made it first (whose file is then kept, whole).
 */
export function createFileAtomicSync(
  path: string,
  data: string | Buffer,
  options: AtomicWriteOptions = {},
): boolean {
  const temporary = writeTemporarySync(path, data, options.mode ?? 0o600);
  try {
    // A hard link fails with EEXIST where rename would replace: the first writer wins.
    linkSync(temporary, path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    // File systems without hard links: rename, unless the file appeared meanwhile.
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS' && code !== 'EOPNOTSUPP') throw error;
    if (existsSync(path)) return false;
    renameSync(temporary, path);
  } finally {
    rmSync(temporary, { force: true });
  }
  fsyncDirectorySync(dirname(path));
  return true;
}

/** `writeFileAtomicSync` without blocking the event loop. */
export async function writeFileAtomic(
  path: string,
  data: string | Buffer,
  options: AtomicWriteOptions = {},
): Promise<void> {
  const mode = options.mode ?? 0o600;
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const temporary = temporaryPathFor(path);
  try {
    const handle = await open(temporary, 'wx', mode);
    try {
      await handle.chmod(mode);
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
  fsyncDirectorySync(dirname(path));
}
