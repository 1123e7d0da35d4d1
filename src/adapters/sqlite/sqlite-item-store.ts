/**
 * The ItemStore engine on SQLite (better-sqlite3).
 *
 * Each logical table is a SQL table keyed by (pk, sk) holding the item as JSON,
 * with one pair of columns per global secondary index (NULL when the item is
 * not in that index, which makes the SQL indexes sparse like DynamoDB's). The
 * change log is written in the same SQL transaction as the item, so a record
 * exists exactly for each committed write.
 */
import type Database from 'better-sqlite3';
import { isPlazaError, PlazaError } from '../../platform/errors.ts';
import type { Clock } from '../../ports/clock.ts';
import type {
  BatchGetResult,
  BatchWriteRequest,
  BatchWriteResult,
  CancellationReason,
  Condition,
  ConsumedCapacity,
  DeleteRequest,
  GetOptions,
  GetResult,
  Item,
  ItemStore,
  Key,
  PutRequest,
  QueryRequest,
  QueryResult,
  SortKeyCondition,
  StreamRecord,
  TransactAction,
  UpdateRequest,
  UpdateResult,
  WriteResult,
} from '../../ports/item-store/item-store.ts';
import type { CapacityMeter } from '../../ports/item-store/meter.ts';
import {
  actionKey,
  attributeOf,
  decodeCursor,
  encodeCursor,
  indexWriteUnits,
  itemSize,
  keyOf,
  limits,
  project,
  readUnits,
  validateBatchGet,
  validateBatchWrite,
  validateConditions,
  validateIndexKeys,
  validateItem,
  validateKey,
  validateQuery,
  validateTransaction,
  validateUpdate,
  writeUnits,
} from '../../ports/item-store/rules.ts';
import type { IndexDefinition, TableDefinition } from '../../ports/item-store/table.ts';
import { allHold, applyUpdate, deepEqual } from '../../ports/item-store/evaluate.ts';
import { SqliteChangeStream, type ChangeRow } from './sqlite-change-stream.ts';
import {
  SqliteRowCache,
  pageKey,
  parsedItem,
  parsedPageItem,
  partitionTag,
  type CachedRow,
  type PageRow,
} from './sqlite-row-cache.ts';
import { createSqliteTables, itemRow, sqlName, sqliteTableNames, upsertItemSql } from './sqlite-schema.ts';

/** One write, decided inside a transaction: what to store (or delete) and what the stream sees. */
interface PlannedWrite {
  key: Key;
  before: Item | undefined;
  beforeJson: string | undefined;
  /** The size of `before` (0 when there is none), as stored beside it. */
  beforeSize: number;
  after: Item | undefined;
  afterSize: number;
  /** Multiplier for write units: transactions cost twice. */
  factor: number;
}

export interface SqliteItemStoreOptions {
  db: Database.Database;
  table: TableDefinition;
  clock: Clock;
  meter: CapacityMeter;
  region: string;
  /** How often expired items are swept (ms); 0 disables the background sweep. */
  sweepIntervalMs?: number;
  /** How long change records are kept (ms), for stream consumers and point-in-time restore. */
  changeRetentionMs?: number;
  /** How often stream consumers look for records written by other processes (ms). */
  streamPollMs?: number;
  /** Memory for rows kept for point reads and small query pages (sqlite-row-cache.ts); 0 turns it off. Default 32 MiB. */
  rowCacheBytes?: number;
}

export class SqliteItemStore implements ItemStore {
  readonly tableName: string;
  readonly changes: SqliteChangeStream;
  private readonly db: Database.Database;
  private readonly table: TableDefinition;
  private readonly clock: Clock;
  private readonly meter: CapacityMeter;
  private readonly names: ReturnType<typeof sqliteTableNames>;
  private readonly statements: {
    get: Database.Statement<[string, string], CachedRow>;
    upsert: Database.Statement<unknown[]>;
    delete: Database.Statement<[string, string]>;
    change: Database.Statement<
      [number, StreamRecord['eventName'], string, string, string | null, string | null, string | null]
    >;
    expired: Database.Statement<[number, number], { pk: string; sk: string; item: string }>;
  };
  private readonly queries = new Map<string, Database.Statement<unknown[], QueryRow>>();
  private readonly rows: SqliteRowCache;
  private readonly changeRetentionMs: number;
  // One wrapper, made once: better-sqlite3 builds a new function for every `db.transaction` call.
  private readonly runInTransaction: Database.Transaction<(work: () => unknown) => unknown>;
  private pendingWrites: {
    work: () => unknown;
    resolve: (value: unknown) => void;
    reject: (error: unknown) => void;
  }[] = [];
  private sweepTimer: NodeJS.Timeout | undefined;
  /** The change records of the transaction under way, for the stream once it commits. */
  private uncommitted: ChangeRow[] = [];
  /**
   * One time for every change record of a commit: point-in-time restore replays the log up to a
   * time, and so never splits a transaction.
   */
  private commitTime: number | undefined;

  constructor(options: SqliteItemStoreOptions) {
    this.db = options.db;
    this.table = options.table;
    this.tableName = options.table.name;
    this.clock = options.clock;
    this.meter = options.meter;
    this.names = sqliteTableNames(options.table);
    createSqliteTables(this.db, options.table);
    this.changeRetentionMs = options.changeRetentionMs ?? 35 * 24 * 3600 * 1000;
    const { items, changes } = this.names;
    this.statements = {
      get: this.db.prepare(`SELECT item, size, expires FROM ${items} WHERE pk = ? AND sk = ?`),
      upsert: this.db.prepare(upsertItemSql(this.table)),
      delete: this.db.prepare(`DELETE FROM ${items} WHERE pk = ? AND sk = ?`),
      change: this.db.prepare(
        `INSERT INTO ${changes} (at, event_name, pk, sk, new_item, old_item, origin) VALUES (?, ?, ?, ?, ?, ?, ?)`,
      ),
      expired: this.db.prepare(
        `SELECT pk, sk, item FROM ${items} WHERE expires IS NOT NULL AND expires <= ? LIMIT ?`,
      ),
    };
    this.runInTransaction = this.db.transaction((work: () => unknown) => work());
    const dataVersion = this.db.prepare<[], number>('PRAGMA data_version').pluck();
    this.rows = new SqliteRowCache(options.rowCacheBytes ?? 32 * 1024 * 1024, () => dataVersion.get() ?? 0);
    this.changes = new SqliteChangeStream({
      db: this.db,
      table: this.table,
      region: options.region,
      pollIntervalMs: options.streamPollMs ?? 1000,
    });
    const sweepEvery = options.sweepIntervalMs ?? 30_000;
    if (sweepEvery > 0) {
      this.sweepTimer = setInterval(() => this.sweepExpired(), sweepEvery);
      this.sweepTimer.unref();
    }
  }

  // Reads -----------------------------------------------------------------

  async get(key: Key, options: GetOptions = {}): Promise<GetResult> {
    validateKey(key);
    this.rows.sync();
    const row = this.row(key);
    const consistent = options.consistent === true;
    const live = row && !this.isExpired(row.expires) ? row : undefined;
    const consumed = this.meterRead(readUnits(row?.size ?? 0, consistent));
    return { item: live ? parsedItem(live) : undefined, consumed };
  }

  cached(key: Key): Item | null | undefined {
    this.rows.sync();
    const row = this.rows.get(key.PK, key.SK);
    if (row === undefined) return undefined;
    this.meterRead(readUnits(row?.size ?? 0, false));
    return row && !this.isExpired(row.expires) ? parsedItem(row) : null;
  }

  async batchGet(keys: Key[], options: GetOptions = {}): Promise<BatchGetResult> {
    validateBatchGet(keys);
    const consistent = options.consistent === true;
    const items: Item[] = [];
    let units = 0;
    this.rows.sync();
    for (const key of keys) {
      const row = this.row(key);
      units += readUnits(row?.size ?? 0, consistent);
      if (row && !this.isExpired(row.expires)) items.push(parsedItem(row));
    }
    return { items, unprocessed: [], consumed: this.meterRead(units) };
  }

  async query(request: QueryRequest): Promise<QueryResult> {
    const index = validateQuery(this.table, request);
    const statement = this.queryStatement(
      index,
      request.sortKey,
      request.descending === true,
      request.cursor !== undefined,
    );
    const parameters: unknown[] = [request.partition];
    if (request.sortKey) {
      if (request.sortKey.op === 'between') parameters.push(request.sortKey.low, request.sortKey.high);
      else if (request.sortKey.op === 'beginsWith') {
        parameters.push(request.sortKey.value);
        const upper = prefixUpperBound(request.sortKey.value);
        if (upper !== undefined) parameters.push(upper);
      } else parameters.push(request.sortKey.value);
    }
    if (request.cursor !== undefined) {
      const expected = index ? [index.partitionKey, index.sortKey, 'PK', 'SK'] : ['PK', 'SK'];
      const cursor = decodeCursor(request.cursor, expected);
      if (index) {
        if (cursor[index.partitionKey] !== request.partition) throw invalidCursor();
        parameters.push(cursor[index.sortKey], cursor.PK, cursor.SK);
      } else {
        if (cursor.PK !== request.partition) throw invalidCursor();
        parameters.push(cursor.SK);
      }
    }
    const limit = request.limit ?? Number.MAX_SAFE_INTEGER;
    parameters.push(Math.min(limit, 1_000_000));
    const rows = this.queryRows(statement, index, request.partition, parameters, limit);

    const items: Item[] = [];
    let bytes = 0;
    let count = 0;
    let last: QueryRow | undefined;
    let lastItem: Item | undefined;
    let stoppedEarly = false;
    const now = this.clock.now();
    for (const row of rows) {
      const [, size, expires] = row;
      if (count > 0 && bytes + size > limits.queryPageBytes) {
        stoppedEarly = true;
        break;
      }
      bytes += size;
      count++;
      last = row;
      lastItem = undefined;
      // Expired items count toward the limit and the read units, as filtered items do on DynamoDB.
      if (expires !== null && expires * 1000 <= now) continue;
      lastItem = parsedPageItem(row);
      items.push(index ? project(index, lastItem) : lastItem);
    }
    if (stoppedEarly && !Array.isArray(rows)) (rows as IterableIterator<QueryRow>).return?.();
    // DynamoDB hands back a cursor whenever the page stopped at the limit or at 1 MB.
    let cursor: string | undefined;
    if (last && (stoppedEarly || count === limit)) {
      const item = lastItem ?? (JSON.parse(last[0]) as Item);
      const tableKey = { PK: item.PK as string, SK: item.SK as string };
      cursor = encodeCursor(
        index
          ? {
              [index.partitionKey]: request.partition,
              [index.sortKey]: item[index.sortKey] as string,
              ...tableKey,
            }
          : tableKey,
      );
    }
    const consumed = this.meterRead(readUnits(bytes, request.consistent === true), index?.name);
    return { items, cursor, consumed };
  }

  // Writes ----------------------------------------------------------------

  async put(request: PutRequest): Promise<WriteResult> {
    const size = validateItem(this.table, request.item);
    validateConditions(request.conditions);
    const key = keyOf(request.item);
    const write = await this.write(() => {
      const current = this.read(key);
      this.checkConditions(current.item, request.conditions, size);
      return this.apply({ key, ...beforeOf(current), after: request.item, afterSize: size, factor: 1 });
    });
    return { previous: write.before, consumed: this.meterWrites([write]) };
  }

  async delete(request: DeleteRequest): Promise<WriteResult> {
    validateKey(request.key);
    validateConditions(request.conditions);
    const write = await this.write(() => {
      const current = this.read(request.key);
      this.checkConditions(current.item, request.conditions, current.size);
      return this.apply({
        key: request.key,
        ...beforeOf(current),
        after: undefined,
        afterSize: 0,
        factor: 1,
      });
    });
    return { previous: write.before, consumed: this.meterWrites([write]) };
  }

  async update(request: UpdateRequest): Promise<UpdateResult> {
    validateUpdate(request);
    validateConditions(request.conditions);
    const write = await this.write(() => {
      const current = this.read(request.key);
      this.checkConditions(current.item, request.conditions, current.size);
      return this.apply(this.planUpdate(request, current, 1));
    });
    return { previous: write.before, item: write.after as Item, consumed: this.meterWrites([write]) };
  }

  async batchWrite(requests: BatchWriteRequest[]): Promise<BatchWriteResult> {
    const sizes = validateBatchWrite(this.table, requests);
    const writes = await this.write(() =>
      requests.map((request, i) => {
        const key = 'put' in request ? keyOf(request.put) : request.delete;
        const after = 'put' in request ? request.put : undefined;
        return this.apply({ key, ...beforeOf(this.read(key)), after, afterSize: sizes[i] ?? 0, factor: 1 });
      }),
    );
    return { unprocessed: [], consumed: this.meterWrites(writes) };
  }

  async transactWrite(actions: TransactAction[]): Promise<{ consumed: ConsumedCapacity }> {
    validateTransaction(this.table, actions);
    let failedUnits = 0;
    type Outcome = { reasons: CancellationReason[] } | { planned: PlannedWrite[]; checks: number };
    const result = await this.write((): Outcome => {
      const currents = actions.map((action) => this.read(actionKey(action)));
      const plans: (PlannedWrite | undefined)[] = [];
      const reasons = actions.map((action, i): CancellationReason => {
        const current = currents[i] as CurrentItem;
        if (!allHold(current.item, action.conditions)) {
          return { code: 'ConditionalCheckFailed', message: 'The conditional request failed' };
        }
        try {
          plans.push(this.planAction(action, current));
        } catch (error) {
          // An update that cannot apply (ADD to a string, an item grown past 400 KB) cancels the
          // transaction with a reason, as DynamoDB reports it.
          if (!isPlazaError(error, 'ValidationException')) throw error;
          return { code: 'ValidationError', message: error.message };
        }
        return { code: 'None' };
      });
      if (reasons.some((reason) => reason.code !== 'None')) {
        failedUnits = currents.reduce((sum, current) => sum + 2 * writeUnits(current.size), 0);
        return { reasons };
      }
      const planned = plans.filter((plan) => plan !== undefined).map((plan) => this.apply(plan));
      const checks = actions.filter((action) => 'check' in action).length;
      return { planned, checks };
    });
    if ('reasons' in result) {
      this.meterWriteUnits(failedUnits);
      throw new PlazaError(
        'TransactionCanceledException',
        `Transaction cancelled, please refer cancellation reasons for specific reasons [${result.reasons.map((r) => r.code).join(', ')}]`,
        { cancellationReasons: result.reasons },
      );
    }
    const consumed = this.meterWrites(result.planned);
    if (result.checks > 0) {
      this.meterWriteUnits(2 * result.checks);
      consumed.writeUnits += 2 * result.checks;
    }
    return { consumed };
  }

  // TTL ---------------------------------------------------------------------

  /** Deletes items whose TTL has passed, each with a REMOVE record marked as the TTL service's. Returns how many. */
  sweepExpired(batch = 500): number {
    const nowSeconds = Math.floor(this.clock.now() / 1000);
    let removed = 0;
    for (;;) {
      const rows = this.statements.expired.all(nowSeconds, batch);
      if (rows.length === 0) break;
      this.transaction(() => {
        const at = this.clock.now();
        for (const row of rows) {
          this.statements.delete.run(row.pk, row.sk);
          this.rows.delete(row.pk, row.sk, this.partitionsOf(row.pk, JSON.parse(row.item) as Item));
          this.logChange(at, 'REMOVE', row.pk, row.sk, null, row.item, 'ttl');
        }
      });
      removed += rows.length;
      if (rows.length < batch) break;
    }
    this.changes.trim(this.clock.now() - this.changeRetentionMs);
    if (removed > 0) this.changes.notify();
    return removed;
  }

  async close(): Promise<void> {
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    await this.changes.close();
  }

  // Internals ---------------------------------------------------------------

  private transaction<T>(work: () => T): T {
    this.rows.sync();
    let result: T;
    try {
      result = this.runInTransaction.immediate(work) as T;
    } catch (error) {
      this.uncommitted = [];
      throw error;
    }
    this.publishCommitted();
    return result;
  }

  /** Hands the change records of the commit just made to the stream, and wakes its consumers. */
  private publishCommitted(): void {
    this.changes.committed(this.uncommitted);
    this.uncommitted = [];
    this.changes.notify();
  }

  /** Appends a change record; the stream gets it once its transaction commits. */
  private logChange(
    at: number,
    eventName: StreamRecord['eventName'],
    pk: string,
    sk: string,
    newJson: string | null,
    oldJson: string | null,
    origin: string | null,
  ): void {
    const { lastInsertRowid } = this.statements.change.run(at, eventName, pk, sk, newJson, oldJson, origin);
    this.uncommitted.push({
      seq: Number(lastInsertRowid),
      at,
      event_name: eventName,
      pk,
      sk,
      new_item: newJson,
      old_item: oldJson,
      origin,
    });
  }

  /**
   * Group commit: writes that arrive in the same turn of the event loop share
   * one SQL transaction, and so one WAL sync, each in a savepoint of its own so
   * that one failing write (a condition, a limit) rolls back only itself. A
   * write's promise settles after the commit, so an acknowledged write is durable.
   */
  private write<T>(work: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pendingWrites.push({ work, resolve: resolve as (value: unknown) => void, reject });
      if (this.pendingWrites.length === 1) setImmediate(() => this.commitPendingWrites());
    });
  }

  private commitPendingWrites(): void {
    const batch = this.pendingWrites;
    this.pendingWrites = [];
    const outcomes: ({ ok: true; value: unknown } | { ok: false; error: unknown })[] = [];
    try {
      this.runInTransaction.immediate(() => {
        this.commitTime = this.clock.now();
        for (const { work } of batch) {
          const logged = this.uncommitted.length;
          try {
            // Nested inside the outer transaction, better-sqlite3 runs this in a savepoint.
            outcomes.push({ ok: true, value: this.runInTransaction(work) });
          } catch (error) {
            // Its savepoint rolled back, and its change records with it.
            this.uncommitted.length = logged;
            outcomes.push({ ok: false, error });
          }
        }
      });
    } catch (error) {
      // The commit itself failed (disk full, I/O error): nothing in the batch was written.
      this.uncommitted = [];
      for (const pending of batch) pending.reject(error);
      return;
    } finally {
      this.commitTime = undefined;
    }
    this.publishCommitted();
    batch.forEach((pending, i) => {
      const outcome = outcomes[i] as (typeof outcomes)[number];
      if (outcome.ok) pending.resolve(outcome.value);
      else pending.reject(outcome.error);
    });
  }

  private isExpired(expires: number | null): boolean {
    return expires !== null && expires * 1000 <= this.clock.now();
  }

  /** The row under a key, from the row cache when it has it. */
  private row(key: Key): CachedRow | undefined {
    const cached = this.rows.get(key.PK, key.SK);
    if (cached !== undefined) return cached ?? undefined;
    const row = this.statements.get.get(key.PK, key.SK);
    // Inside a transaction a row may be one that rolls back: only committed rows are cached.
    if (!this.db.inTransaction) this.rows.set(key.PK, key.SK, row);
    return row;
  }

  /** The live item under a key (an expired item counts as absent). */
  private read(key: Key): CurrentItem {
    const row = this.row(key);
    if (!row || this.isExpired(row.expires))
      return { item: undefined, json: undefined, size: row?.size ?? 0 };
    return { item: JSON.parse(row.item) as Item, json: row.item, size: row.size };
  }

  private checkConditions(
    current: Item | undefined,
    conditions: Condition[] | undefined,
    size: number,
  ): void {
    if (allHold(current, conditions)) return;
    // A failed conditional write is still billed, as on DynamoDB.
    this.meterWriteUnits(writeUnits(size));
    throw new PlazaError('ConditionalCheckFailedException', 'The conditional request failed');
  }

  /** What a transaction action will write (nothing for a condition check). */
  private planAction(action: TransactAction, current: CurrentItem): PlannedWrite | undefined {
    const key = actionKey(action);
    const before = { key, ...beforeOf(current), factor: 2 };
    if ('put' in action) return { ...before, after: action.put, afterSize: itemSize(action.put) };
    if ('delete' in action) return { ...before, after: undefined, afterSize: 0 };
    if ('update' in action) return this.planUpdate(action.update, current, 2);
    return undefined;
  }

  private planUpdate(
    request: Omit<UpdateRequest, 'conditions'>,
    current: CurrentItem,
    factor: number,
  ): PlannedWrite {
    const after = applyUpdate(current.item, request);
    validateIndexKeys(this.table, after);
    const afterSize = itemSize(after);
    if (afterSize > limits.itemBytes) {
      throw new PlazaError(
        'ValidationException',
        'Item size to update has exceeded the maximum allowed size',
      );
    }
    return { key: request.key, ...beforeOf(current), after, afterSize, factor };
  }

  /** Stores one planned write and its change record. Writes that change nothing leave no record, as on DynamoDB. */
  private apply(write: PlannedWrite): PlannedWrite {
    const { key, before, after } = write;
    const at = this.commitTime ?? this.clock.now();
    if (after === undefined) {
      if (before === undefined) return write;
      this.statements.delete.run(key.PK, key.SK);
      this.rows.delete(key.PK, key.SK, this.partitionsOf(key.PK, before));
      this.logChange(at, 'REMOVE', key.PK, key.SK, null, write.beforeJson ?? null, null);
      return write;
    }
    const json = JSON.stringify(after);
    if (before !== undefined && (json === write.beforeJson || deepEqual(before, after))) return write;
    this.statements.upsert.run(...itemRow(this.table, after, json, write.afterSize));
    this.rows.delete(key.PK, key.SK, this.partitionsOf(key.PK, before, after));
    this.logChange(
      at,
      before === undefined ? 'INSERT' : 'MODIFY',
      key.PK,
      key.SK,
      json,
      write.beforeJson ?? null,
      null,
    );
    return write;
  }

  private meterRead(units: number, index?: string): ConsumedCapacity {
    this.meter.consumed({
      table: this.tableName,
      ...(index ? { index } : {}),
      readUnits: units,
      writeUnits: 0,
    });
    return { readUnits: units, writeUnits: 0 };
  }

  private meterWriteUnits(units: number): void {
    this.meter.consumed({ table: this.tableName, readUnits: 0, writeUnits: units });
  }

  private meterWrites(writes: PlannedWrite[]): ConsumedCapacity {
    let tableUnits = 0;
    for (const write of writes)
      tableUnits += write.factor * writeUnits(Math.max(write.beforeSize, write.afterSize));
    this.meter.consumed({ table: this.tableName, readUnits: 0, writeUnits: tableUnits });
    let total = tableUnits;
    for (const index of this.table.indexes) {
      let units = 0;
      for (const write of writes) {
        const sizes = { before: write.beforeSize, after: write.afterSize };
        units += write.factor * indexWriteUnits(index, write.before, write.after, sizes);
      }
      if (units > 0) {
        this.meter.consumed({ table: this.tableName, index: index.name, readUnits: 0, writeUnits: units });
        total += units;
      }
    }
    return { readUnits: 0, writeUnits: total };
  }

  /**
   * Small pages are read at once (faster than stepping a cursor) and kept in the row cache until a
   * write touches their partition; an unbounded query steps row by row so that a 1 MB page never
   * loads the rest of the partition.
   */
  private queryRows(
    statement: Database.Statement<unknown[], QueryRow>,
    index: IndexDefinition | undefined,
    partition: string,
    parameters: unknown[],
    limit: number,
  ): QueryRow[] | IterableIterator<QueryRow> {
    if (limit > smallPage) return statement.iterate(...parameters);
    this.rows.sync();
    const key = pageKey(statement.source, parameters);
    const cached = this.rows.page(key);
    if (cached) return cached;
    const rows = statement.all(...parameters);
    // Inside a transaction a row may be one that rolls back: only committed rows are cached.
    if (!this.db.inTransaction) this.rows.setPage(key, partitionTag(index?.name, partition), rows);
    return rows;
  }

  /** The partitions (`partitionTag`) an item is in: the table's, and each index's it has a key for. */
  private partitionsOf(pk: string, ...items: (Item | undefined)[]): string[] {
    const tags = [partitionTag(undefined, pk)];
    for (const index of this.table.indexes) {
      for (const item of items) {
        const value = item && attributeOf(item, index.partitionKey);
        if (typeof value === 'string') tags.push(partitionTag(index.name, value));
      }
    }
    return tags;
  }

  private queryStatement(
    index: IndexDefinition | undefined,
    sortKey: SortKeyCondition | undefined,
    descending: boolean,
    hasCursor: boolean,
  ): Database.Statement<unknown[], QueryRow> {
    const id = `${index?.name ?? ''}|${sortKey?.op ?? ''}|${sortKey?.op === 'beginsWith' && prefixUpperBound(sortKey.value) === undefined ? 'open' : ''}|${descending}|${hasCursor}`;
    let statement = this.queries.get(id);
    if (statement) return statement;
    const pkColumn = index ? sqlName(`${index.name}_pk`) : 'pk';
    const skColumn = index ? sqlName(`${index.name}_sk`) : 'sk';
    const where = [`${pkColumn} = ?`];
    if (sortKey) {
      switch (sortKey.op) {
        case 'between':
          where.push(`${skColumn} BETWEEN ? AND ?`);
          break;
        case 'beginsWith':
          where.push(
            prefixUpperBound(sortKey.value) === undefined
              ? `${skColumn} >= ?`
              : `${skColumn} >= ? AND ${skColumn} < ?`,
          );
          break;
        default:
          where.push(`${skColumn} ${sortKey.op} ?`);
      }
    }
    const direction = descending ? 'DESC' : 'ASC';
    const after = descending ? '<' : '>';
    // Index entries with equal sort keys are ordered by the table key, so a cursor is exact.
    if (hasCursor) where.push(index ? `(${skColumn}, pk, sk) ${after} (?, ?, ?)` : `sk ${after} ?`);
    const order = index ? `${skColumn} ${direction}, pk ${direction}, sk ${direction}` : `sk ${direction}`;
    // Raw rows (arrays): building an object per row costs more than reading it.
    statement = this.db
      .prepare<unknown[], QueryRow>(
        `SELECT item, size, expires FROM ${this.names.items} WHERE ${where.join(' AND ')} ORDER BY ${order} LIMIT ?`,
      )
      .raw(true);
    this.queries.set(id, statement);
    return statement;
  }
}

/** A query row: the item's JSON, its size and its expiry (and the item, once parsed). */
type QueryRow = PageRow;

/** Pages up to this many items are read with one call. */
const smallPage = 100;

interface CurrentItem {
  item: Item | undefined;
  json: string | undefined;
  size: number;
}

/** What a planned write says of the item it replaces. */
function beforeOf(current: CurrentItem): Pick<PlannedWrite, 'before' | 'beforeJson' | 'beforeSize'> {
  return { before: current.item, beforeJson: current.json, beforeSize: current.item ? current.size : 0 };
}

function invalidCursor(): PlazaError {
  return new PlazaError('ValidationException', 'The provided starting key is invalid');
}

/**
 * The smallest string greater than every string that starts with `prefix`
 * (in code point order, which is UTF-8 byte order), or undefined when there is
 * none; lets `begins_with` use the SQL index as a range.
 */
export function prefixUpperBound(prefix: string): string | undefined {
  const codePoints = Array.from(prefix);
  while (codePoints.length > 0) {
    const last = (codePoints.pop() as string).codePointAt(0) as number;
    let next = last + 1;
    if (next >= 0xd800 && next <= 0xdfff) next = 0xe000;
    if (next <= 0x10ffff) return codePoints.join('') + String.fromCodePoint(next);
  }
  return undefined;
}
