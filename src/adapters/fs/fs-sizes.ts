/** Bytes on disk, for the cost report's storage lines. */
import { stat } from 'node:fs/promises';
import { filesUnder } from '../../platform/files.ts';

/** The total size of the files that exist among `paths`. */
export async function filesBytes(paths: readonly string[]): Promise<number> {
  let total = 0;
  for (const path of paths) {
    try {
      total += (await stat(path)).size;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  return total;
}

/** The total size of the files under a directory (0 when it does not exist). */
export async function directoryBytes(dir: string): Promise<number> {
  return filesBytes(await filesUnder(dir));
}
