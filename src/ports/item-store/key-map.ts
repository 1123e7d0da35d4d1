/**
 * Values by item key, a Map of partitions, each one sort key and its value or a Map of several
 * (a partition with one key, as most are, makes no Map of its own). A key is
 * looked up several times on its way through a read (de-duplicated, checked,
 * found in the row cache, matched to its answer): a `${PK}\0${SK}` string
 * built each time is a new string to copy and hash each time, where PK and SK
 * are hashed once and their hashes kept by the engine. In the home feed's read
 * those strings were a quarter of its CPU.
 */
import type { Key } from './item-store.ts';

/** A partition holding one sort key: most do (a post's item, a profile), and need no Map. */
class OneKey<V> {
  constructor(
    readonly sk: string,
    public value: V,
  ) {}
}

export class KeyMap<V> {
  private readonly partitions = new Map<string, OneKey<V> | Map<string, V>>();
  private count = 0;

  get size(): number {
    return this.count;
  }

  get(pk: string, sk: string): V | undefined {
    const partition = this.partitions.get(pk);
    if (partition instanceof OneKey) return partition.sk === sk ? partition.value : undefined;
    return partition?.get(sk);
  }

  has(pk: string, sk: string): boolean {
    const partition = this.partitions.get(pk);
    if (partition instanceof OneKey) return partition.sk === sk;
    return partition?.has(sk) === true;
  }

  set(pk: string, sk: string, value: V): this {
    const partition = this.partitions.get(pk);
    if (partition === undefined) {
      this.partitions.set(pk, new OneKey(sk, value));
      this.count++;
    } else if (partition instanceof OneKey) {
      if (partition.sk === sk) partition.value = value;
      else {
        const sortKeys = new Map([[partition.sk, partition.value]]);
        this.partitions.set(pk, sortKeys.set(sk, value));
        this.count++;
      }
    } else {
      const before = partition.size;
      partition.set(sk, value);
      this.count += partition.size - before;
    }
    return this;
  }

  delete(pk: string, sk: string): boolean {
    const partition = this.partitions.get(pk);
    if (partition instanceof OneKey) {
      if (partition.sk !== sk) return false;
      this.partitions.delete(pk);
    } else {
      if (!partition?.delete(sk)) return false;
      if (partition.size === 0) this.partitions.delete(pk);
    }
    this.count--;
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
