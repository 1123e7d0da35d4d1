/**
 * The change stream of a SQLite table: the change log, read by named
 * consumers from their checkpoints. Writers in this process wake consumers at
 * once; writes from other processes (the CLI) are found by polling.
 */
import type Database from 'better-sqlite3';
import type {
  ChangeStream,
  StreamConsumerOptions,
  StreamRecord,
  StreamSubscription,
} from '../../ports/item-store/item-store.ts';
import { setJsonImages } from '../../ports/item-store/stream-images.ts';
import { ConsumerLoop, ConsumerSet, type Subscriber } from '../../ports/item-store/consumer-loop.ts';
import type { TableDefinition } from '../../ports/item-store/table.ts';
import { sqliteTableNames } from './sqlite-schema.ts';

/** A row of the change log. */
export interface ChangeRow {
  seq: number;
  at: number;
  event_name: StreamRecord['eventName'];
  pk: string;
  sk: string;
  new_item: string | null;
  old_item: string | null;
  origin: string | null;
}

/** DynamoDB's sequence numbers are decimal strings that sort as numbers; fixed width keeps them sortable as text too. */
export function formatSequenceNumber(seq: number): string {
  return String(seq).padStart(21, '0');
}

export function toStreamRecord(row: ChangeRow, region: string): StreamRecord {
  const sequenceNumber = formatSequenceNumber(row.seq);
  const record: StreamRecord = {
    eventID: sequenceNumber,
    eventName: row.event_name,
    eventSource: 'aws:dynamodb',
    eventVersion: '1.1',
    awsRegion: region,
    dynamodb: {
      Keys: { PK: { S: row.pk }, SK: { S: row.sk } },
      SequenceNumber: sequenceNumber,
      SizeBytes: (row.new_item?.length ?? 0) + (row.old_item?.length ?? 0),
      StreamViewType: 'NEW_AND_OLD_IMAGES',
      ApproximateCreationDateTime: Math.floor(row.at / 1000),
    },
  };
  // Most consumers want the items, not the wire form: it is made only for those that read it.
  setJsonImages(record.dynamodb, row.new_item ?? undefined, row.old_item ?? undefined);
  if (row.origin === 'ttl') record.userIdentity = { type: 'Service', principalId: 'dynamodb.amazonaws.com' };
  return record;
}

export interface SqliteChangeStreamOptions {
  db: Database.Database;
  table: TableDefinition;
  region: string;
  pollIntervalMs: number;
}

/**
 * Records decoded lately, by sequence number: every consumer reads every record, and decoding one
 * cost more than reading it (a burst of 5,000 writes was decoded once for each consumer), and
 * reading a burst back from the log cost each consumer more than the writing had. Enough for a
 * burst to be read by consumers that go at different paces (100 or 1,000 records a turn), a few
 * MB. Consumers share the records, so none may change one.
 */
const decodedRecords = 10_000;

export class SqliteChangeStream implements ChangeStream {
  private readonly db: Database.Database;
  private readonly decoded = new Map<number, StreamRecord>();
  private readonly region: string;
  private readonly tableName: string;
  private readonly consumers: ConsumerSet<SqliteConsumer>;
  private readonly statements: {
    after: Database.Statement<[number, number], ChangeRow>;
    latest: Database.Statement<[], { seq: number | null }>;
    checkpoint: Database.Statement<[string, string], { seq: number }>;
    save: Database.Statement<[string, string, number]>;
    trim: Database.Statement<[number]>;
  };

  constructor(options: SqliteChangeStreamOptions) {
    this.db = options.db;
    this.region = options.region;
    this.consumers = new ConsumerSet({ pollIntervalMs: options.pollIntervalMs });
    this.tableName = options.table.name;
    const { changes } = sqliteTableNames(options.table);
    this.statements = {
      after: this.db.prepare(`SELECT * FROM ${changes} WHERE seq > ? ORDER BY seq LIMIT ?`),
      latest: this.db.prepare(`SELECT max(seq) AS seq FROM ${changes}`),
      checkpoint: this.db.prepare(`SELECT seq FROM stream_checkpoints WHERE table_name = ? AND consumer = ?`),
      save: this.db.prepare(
        `INSERT INTO stream_checkpoints (table_name, consumer, seq) VALUES (?, ?, ?)
         ON CONFLICT (table_name, consumer) DO UPDATE SET seq = excluded.seq`,
      ),
      trim: this.db.prepare(`DELETE FROM ${changes} WHERE at < ?`),
    };
  }

  subscribe(
    consumer: string,
    handler: (records: StreamRecord[]) => Promise<void>,
    options: StreamConsumerOptions = {},
  ): StreamSubscription {
    return this.consumers.add(
      consumer,
      handler,
      options,
      (subscriber) => new SqliteConsumer(this, subscriber),
    );
  }

  /** Wakes this process's consumers after a commit. */
  notify(): void {
    for (const consumer of this.consumers) consumer.wake();
  }

  /** Drops records older than `before` (ms), keeping the log within its retention. */
  trim(before: number): void {
    this.statements.trim.run(before);
  }

  close(): Promise<void> {
    return this.consumers.close();
  }

  /**
   * The rows this process's writer has just committed, so that consumers need not read them back.
   * Only committed rows: a record handed out is never one that rolls back.
   */
  committed(rows: readonly ChangeRow[]): void {
    for (const row of rows) this.decode(row);
  }

  /**
   * Up to `limit` records after sequence number `after`, and the last one's number (`after` when
   * none). Sequence numbers follow each other without gaps in a log only this process writes: a run
   * of known records is the log's next records; where the run stops (another process's commit, a
   * burst older than the cache), the log is read.
   */
  readBatch(after: number, limit: number): { records: StreamRecord[]; last: number } {
    const records: StreamRecord[] = [];
    let last = after;
    for (let known = this.decoded.get(last + 1); known && records.length < limit;) {
      records.push(known);
      known = this.decoded.get(++last + 1);
    }
    if (records.length < limit) {
      for (const row of this.statements.after.all(last, limit - records.length)) {
        records.push(this.decode(row));
        last = row.seq;
      }
    }
    return { records, last };
  }

  private decode(row: ChangeRow): StreamRecord {
    let record = this.decoded.get(row.seq);
    if (record) return record;
    record = toStreamRecord(row, this.region);
    this.decoded.set(row.seq, record);
    if (this.decoded.size > decodedRecords) this.forgetOldest();
    return record;
  }

  /**
   * Drops the oldest tenth of the records (oldest first in a Map: the records every consumer has
   * read by now). A tenth at a time, as a Map's first key is found past the entries deleted before
   * it: dropping one per record added made a burst's decoding quadratic.
   */
  private forgetOldest(): void {
    let dropped = 0;
    for (const seq of this.decoded.keys()) {
      this.decoded.delete(seq);
      if (++dropped >= decodedRecords / 10) break;
    }
  }

  /** @internal */
  checkpointOf(consumer: string): number {
    return this.statements.checkpoint.get(this.tableName, consumer)?.seq ?? 0;
  }

  /** @internal */
  saveCheckpoint(consumer: string, seq: number): void {
    this.statements.save.run(this.tableName, consumer, seq);
  }

  /** @internal */
  latestSequence(): number {
    return this.statements.latest.get()?.seq ?? 0;
  }
}

/** One named consumer: read after the checkpoint, handle, then move the checkpoint. */
class SqliteConsumer extends ConsumerLoop {
  private position: number;

  constructor(
    private readonly stream: SqliteChangeStream,
    subscriber: Subscriber,
  ) {
    super(subscriber);
    this.position = stream.checkpointOf(subscriber.name);
  }

  drain(): Promise<void> {
    const upTo = this.stream.latestSequence();
    return this.waitUntil(() => this.position >= upTo);
  }

  protected async turn(): Promise<boolean> {
    const { records, last } = this.stream.readBatch(this.position, this.subscriber.settings.batchSize);
    if (records.length === 0) return false;
    await this.handle(records);
    this.position = last;
    this.stream.saveCheckpoint(this.subscriber.name, this.position);
    return true;
  }
}
