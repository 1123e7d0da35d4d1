/**
 * Rows of one table kept in memory as SQLite returned them (the item's JSON,
 * its size, its expiry): by key for point reads, `null` for a key without a
 * row, and by statement and parameters for query pages. An API's reads are
 * mostly point reads (posts, profiles, the viewer's likes) and first pages
 * (a feed, a post's comments); a prepared-statement lookup costs about 10 µs
 * and a page of 20 rows about 50 µs, where a Map costs 0.1 µs.
 *
 * Coherent with the database: the store drops a key whenever it writes it, and
 * with it every page of the key's partitions (the table's and each index's);
 * `sync()` drops everything when another connection (another process, such as
 * `plaza seed`) has committed since the last look (PRAGMA data_version). Rows
 * are cached as JSON text, never as objects, so no caller can change another's.
 */
export interface CachedRow {
  item: string;
  size: number;
  expires: number | null;
}

/** A query's rows, as its raw statement returns them: the item's JSON, its size, its expiry. */
export type PageRow = [item: string, size: number, expires: number | null];

interface CachedPage {
  rows: PageRow[];
  /** The partition the page was read from (`partitionTag`), to drop it when that changes. */
  partition: string;
}

/** Names a partition of the table (index undefined) or of one of its indexes. */
export function partitionTag(index: string | undefined, partition: string): string {
  return `${index ?? ''}\u0000${partition}`;
}

/** What a Map entry costs beyond its text: the key, the row object, the Map's slot. */
const entryOverheadBytes = 96;

export class SqliteRowCache {
  /** Rows by `r<pk>\0<sk>` and pages by `q<statement>\0<parameters>`, oldest first. */
  private readonly entries = new Map<string, CachedRow | null | CachedPage>();
  /** The cached pages of each partition. */
  private readonly pagesOf = new Map<string, Set<string>>();
  private bytes = 0;
  private version: number;
  /** Whether this turn of the event loop has looked at the data version already. */
  private looked = false;

  /** `dataVersion` reads PRAGMA data_version on the store's connection. */
  constructor(
    private readonly maxBytes: number,
    private readonly dataVersion: () => number,
  ) {
    this.version = dataVersion();
  }

  /**
   * Forgets everything if another connection has committed since the last look. One look per turn
   * of the event loop (the pragma costs ~3 µs in WAL mode): a commit by another process is seen
   * by the reads of the next turn.
   */
  sync(): void {
    if (this.looked) return;
    this.looked = true;
    setImmediate(() => (this.looked = false));
    const version = this.dataVersion();
    if (version === this.version) return;
    this.version = version;
    this.clear();
  }

  /** The cached row, `null` for a key known to have none, `undefined` when not cached. */
  get(pk: string, sk: string): CachedRow | null | undefined {
    return this.entries.get(rowKey(pk, sk)) as CachedRow | null | undefined;
  }

  set(pk: string, sk: string, row: CachedRow | undefined): void {
    this.store(rowKey(pk, sk), row ?? null);
  }

  /** Forgets a key's row, after a write to it; `partitions` (its `partitionTag`s) lose their pages. */
  delete(pk: string, sk: string, partitions: readonly string[] = []): void {
    this.remove(rowKey(pk, sk));
    for (const partition of partitions) {
      for (const key of this.pagesOf.get(partition) ?? []) this.remove(key);
    }
  }

  /** A query page's rows, by its statement and parameters (`pageKey`). */
  page(key: string): PageRow[] | undefined {
    return (this.entries.get(key) as CachedPage | undefined)?.rows;
  }

  setPage(key: string, partition: string, rows: PageRow[]): void {
    if (!this.store(key, { rows, partition })) return;
    let pages = this.pagesOf.get(partition);
    if (!pages) this.pagesOf.set(partition, (pages = new Set()));
    pages.add(key);
  }

  clear(): void {
    this.entries.clear();
    this.pagesOf.clear();
    this.bytes = 0;
  }

  get size(): { entries: number; bytes: number } {
    return { entries: this.entries.size, bytes: this.bytes };
  }

  /** Keeps an entry unless it would take more than a sixteenth of the budget; true if kept. */
  private store(key: string, value: CachedRow | null | CachedPage): boolean {
    if (this.maxBytes <= 0) return false;
    this.remove(key);
    const cost = entryBytes(key, value);
    if (cost > this.maxBytes / 16) return false;
    this.entries.set(key, value);
    this.bytes += cost;
    // The oldest entries go first: Maps iterate in insertion order.
    for (const oldest of this.entries.keys()) {
      if (this.bytes <= this.maxBytes) break;
      this.remove(oldest);
    }
    return true;
  }

  private remove(key: string): void {
    const known = this.entries.get(key);
    if (known === undefined) return;
    this.entries.delete(key);
    this.bytes -= entryBytes(key, known);
    if (known !== null && 'partition' in known) {
      const pages = this.pagesOf.get(known.partition);
      pages?.delete(key);
      if (pages?.size === 0) this.pagesOf.delete(known.partition);
    }
  }
}

/** A query page's cache key: the statement (as the store names it) and its parameters. */
export function pageKey(statement: string, parameters: readonly unknown[]): string {
  return `q${statement}\u0000${JSON.stringify(parameters)}`;
}

function rowKey(pk: string, sk: string): string {
  return `r${pk}\u0000${sk}`;
}

/** JavaScript strings are UTF-16: two bytes a unit. */
function entryBytes(key: string, value: CachedRow | null | CachedPage): number {
  let text = 0;
  if (value !== null && 'partition' in value) {
    for (const row of value.rows) text += row[0].length + 8;
  } else text = value?.item.length ?? 0;
  return entryOverheadBytes + 2 * (key.length + text);
}
