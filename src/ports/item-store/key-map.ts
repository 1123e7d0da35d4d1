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
 * Which keys have been seen, for the life of one request (a batch's keys, checked for repeats).
 * Its keys mostly have a partition each (a post, a profile), and a few two (a post and the
 * viewer's like of it): a partition's sort keys are kept as the first one alone, then in a short
 * array, and only a partition with many in a Set. No Map per partition and no `${PK}\0${SK}`
 * string per key: in a feed page's batch those were half of its CPU.
 */
export class KeySet {
  private readonly partitions = new Map<string, string | string[] | Set<string>>();

  /** Adds the key; false if it was there already. */
  add(key: Key): boolean {
    const { PK, SK } = key;
    const known = this.partitions.get(PK);
    if (known === undefined) {
      this.partitions.set(PK, SK);
      return true;
    }
    if (typeof known === 'string') {
      if (known === SK) return false;
      this.partitions.set(PK, [known, SK]);
      return true;
    }
    if (Array.isArray(known)) {
      if (known.includes(SK)) return false;
      // A scan of a few strings is cheaper than a Set; a partition with many keys gets one.
      if (known.length < 8) known.push(SK);
      else this.partitions.set(PK, new Set(known).add(SK));
      return true;
    }
    if (known.has(SK)) return false;
    known.add(SK);
    return true;
  }
}

/** The keys without repeats, in their first order. */
export function uniqueKeys(keys: readonly Key[]): Key[] {
  const seen = new KeySet();
  return keys.filter((key) => seen.add(key));
}
