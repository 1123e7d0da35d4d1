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
 * `plaza seed`) has committed since the last look (PRAGMA data_version).
 *
 * A row keeps its JSON text and, once read, the item parsed from it, deeply
 * frozen (`sharedItem`): every reader of the row gets that one object, so no
 * caller can change another's, and a read parses nothing. Parsing the same rows
 * again on every request was a quarter of a home feed's CPU.
 */
import { deepFreeze } from '../../platform/deep-freeze.ts';
import type { Item } from '../../ports/item-store/item-store.ts';
import { KeyMap } from '../../ports/item-store/key-map.ts';

export interface CachedRow {
  item: string;
  size: number;
  expires: number | null;
  /** The item, parsed and frozen on its first read (`parsedItem`). */
  parsed?: Item;
}

/** A query's rows, as its raw statement returns them (the item's JSON, its size, its expiry), and the item once parsed. */
export type PageRow = [item: string, size: number, expires: number | null, parsed?: Item];

/** The item of a row or a page's row, parsed on its first read and kept with it. */
export function parsedItem(row: CachedRow): Item {
  return (row.parsed ??= sharedItem(row.item));
}

export function parsedPageItem(row: PageRow): Item {
  return (row[3] ??= sharedItem(row[0]));
}

/** An item parsed from its JSON and frozen to its leaves, to be handed to any number of readers. */
function sharedItem(json: string): Item {
  return deepFreeze(JSON.parse(json) as Item);
}

interface CachedPage {
  rows: PageRow[];
  /** The partition the page was read from (`partitionTag`), to drop it when that changes. */
  partition: string;
}

/** Names a partition of the table (index undefined) or of one of its indexes. */
export function partitionTag(index: string | undefined, partition: string): string {
  return `${index ?? ''}\u0000${partition}`;
}

/** What an entry costs beyond its text: the keys' slots, the entry object, the Maps' slots. */
const entryOverheadBytes = 96;

/** A cached row or page, and what it costs; `gone` once removed (it may still sit in the queue). */
interface RowEntry {
  pk: string;
  sk: string;
  row: CachedRow | null;
  bytes: number;
  gone: boolean;
}

interface PageEntry {
  page: string;
  rows: CachedPage;
  bytes: number;
  gone: boolean;
}

type Entry = RowEntry | PageEntry;

export class SqliteRowCache {
  /** Rows by key: a key is looked up as it comes, no string made of it (key-map.ts). */
  private readonly rows = new KeyMap<RowEntry>();
  /** Pages by `q<statement>\0<parameters>`. */
  private readonly pages = new Map<string, PageEntry>();
  /** The cached pages of each partition. */
  private readonly pagesOf = new Map<string, Set<string>>();
  /** Every entry in the order it came, oldest first: the first to go when over budget. */
  private queue: Entry[] = [];
  private head = 0;
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
    return this.rows.get(pk, sk)?.row;
  }

  set(pk: string, sk: string, row: CachedRow | undefined): void {
    this.removeRow(pk, sk);
    const value = row ?? null;
    const entry = {
      pk,
      sk,
      row: value,
      bytes: entryBytes(pk.length + sk.length, value?.item.length ?? 0),
      gone: false,
    };
    if (this.admit(entry)) this.rows.set(pk, sk, entry);
  }

  /** Forgets a key's row, after a write to it; `partitions` (its `partitionTag`s) lose their pages. */
  delete(pk: string, sk: string, partitions: readonly string[] = []): void {
    this.removeRow(pk, sk);
    for (const partition of partitions) {
      for (const key of this.pagesOf.get(partition) ?? []) this.removePage(key);
    }
  }

  /** A query page's rows, by its statement and parameters (`pageKey`). */
  page(key: string): PageRow[] | undefined {
    return this.pages.get(key)?.rows.rows;
  }

  setPage(key: string, partition: string, rows: PageRow[]): void {
    this.removePage(key);
    let text = 0;
    for (const row of rows) text += row[0].length + 8;
    const entry = { page: key, rows: { rows, partition }, bytes: entryBytes(key.length, text), gone: false };
    if (!this.admit(entry)) return;
    this.pages.set(key, entry);
    let pages = this.pagesOf.get(partition);
    if (!pages) this.pagesOf.set(partition, (pages = new Set()));
    pages.add(key);
  }

  clear(): void {
    this.rows.clear();
    this.pages.clear();
    this.pagesOf.clear();
    this.queue = [];
    this.head = 0;
    this.bytes = 0;
  }

  get size(): { entries: number; bytes: number } {
    return { entries: this.rows.size + this.pages.size, bytes: this.bytes };
  }

  /**
   * Counts an entry in, unless it would take more than a sixteenth of the budget (false), and
   * makes room by letting the oldest entries go.
   */
  private admit(entry: Entry): boolean {
    if (this.maxBytes <= 0 || entry.bytes > this.maxBytes / 16) return false;
    this.queue.push(entry);
    this.bytes += entry.bytes;
    while (this.bytes > this.maxBytes && this.head < this.queue.length) {
      const oldest = this.queue[this.head++]!;
      if (oldest.gone) continue;
      if ('page' in oldest) this.removePage(oldest.page);
      else this.removeRow(oldest.pk, oldest.sk);
    }
    // Entries removed before their turn leave holes: drop the spent front now and then.
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head).filter((queued) => !queued.gone);
      this.head = 0;
    }
    return true;
  }

  private removeRow(pk: string, sk: string): void {
    const known = this.rows.get(pk, sk);
    if (!known) return;
    this.rows.delete(pk, sk);
    this.forget(known);
  }

  private removePage(key: string): void {
    const known = this.pages.get(key);
    if (!known) return;
    this.pages.delete(key);
    this.forget(known);
    const pages = this.pagesOf.get(known.rows.partition);
    pages?.delete(key);
    if (pages?.size === 0) this.pagesOf.delete(known.rows.partition);
  }

  private forget(entry: Entry): void {
    entry.gone = true;
    this.bytes -= entry.bytes;
  }
}

/** A query page's cache key: the statement (as the store names it) and its parameters. */
export function pageKey(statement: string, parameters: readonly unknown[]): string {
  return `q${statement}\u0000${JSON.stringify(parameters)}`;
}

/**
 * JavaScript strings are UTF-16: two bytes a unit. An item's text is counted twice over: once as
 * text, and once more for the item parsed from it, which takes about as much.
 */
function entryBytes(keyLength: number, textLength: number): number {
  return entryOverheadBytes + 2 * keyLength + 4 * textLength;
}
