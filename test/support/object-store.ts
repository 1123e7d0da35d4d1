/** An object store in a folder for the tests beside the domain (which may not import an adapter): no fsync. */
import { FsObjectStore } from '../../src/adapters/fs/fs-object-store.ts';
import type { ObjectStore } from '../../src/ports/object-store/object-store.ts';

export function folderObjectStore(root: string): ObjectStore {
  return new FsObjectStore({ root, durable: false });
}
