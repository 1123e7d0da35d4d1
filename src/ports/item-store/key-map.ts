/**
 * Values by item key, a Map of partitions each a Map of sort keys. A key is
 * looked up several times on its way through a read (de-duplicated, checked,
 * found in the row cache, matched to its answer): a `${PK}\0${SK}` string
 * built each time is a new string to copy and hash each time, where PK and SK
 * are hashed once and their hashes kept by the engine. In the home feed's read
 * those strings were a quarter of its CPU.
 */
import type { Key } from './item-store.ts';

export class KeyMap<V> {
  private readonly partitions = new Map<string, Map<string, V>>();
  private count = 0;

  get size(): number {
    return this.count;
  }

  get(pk: string, sk: string): V | undefined {
    return this.partitions.get(pk)?.get(sk);
  }

  has(pk: string, sk: string): boolean {
    return this.partitions.get(pk)?.has(sk) === true;
  }

  set(pk: string, sk: string, value: V): this {
    let partition = this.partitions.get(pk);
    if (!partition) this.partitions.set(pk, (partition = new Map()));
    const before = partition.size;
    partition.set(sk, value);
    this.count += partition.size - before;
    return this;
  }

  delete(pk: string, sk: string): boolean {
    const partition = this.partitions.get(pk);
    if (!partition?.delete(sk)) return false;
    this.count--;
    if (partition.size === 0) this.partitions.delete(pk);
    return true;
  }

  clear(): void {
    this.partitions.clear();
    this.count = 0;
  }
}

/**
 * Which keys have been seen, for the life of one request. Its keys mostly have a partition each
 * (a post, a profile): one sort key is kept per partition, and only a partition's later ones go
 * into a second set, so no Map is made per partition.
 */
export class KeySet {
  private readonly first = new Map<string, string>();
  private more: Set<string> | undefined;

  /** Adds the key; false if it was there already. */
  add(key: Key): boolean {
    const known = this.first.get(key.PK);
    if (known === undefined) {
      this.first.set(key.PK, key.SK);
      return true;
    }
    if (known === key.SK) return false;
    this.more ??= new Set();
    const id = `${key.PK}\u0000${key.SK}`;
    if (this.more.has(id)) return false;
    this.more.add(id);
    return true;
  }
}

/** The keys without repeats, in their first order. */
export function uniqueKeys(keys: readonly Key[]): Key[] {
  const seen = new KeySet();
  return keys.filter((key) => seen.add(key));
}
