/**
 * The change stream of a SQLite table: the change log, read by named
 * consumers from their checkpoints. Writers in this process wake consumers at
 * once; writes from other processes (the CLI) are found by polling.
 */
import { marshall } from '@aws-sdk/util-dynamodb';
import type Database from 'better-sqlite3';
import type {
  ChangeStream,
  StreamConsumerOptions,
  StreamRecord,
  StreamSubscription,
  WireAttributeValue,
} from '../../ports/item-store/item-store.ts';
import { ConsumerLoop, ConsumerSet, type Subscriber } from '../../ports/item-store/consumer-loop.ts';
import type { TableDefinition } from '../../ports/item-store/table.ts';
import { sqliteTableNames } from './sqlite-schema.ts';

interface ChangeRow {
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

function wireImage(json: string): Record<string, WireAttributeValue> {
  return marshall(JSON.parse(json), { removeUndefinedValues: true }) as Record<string, WireAttributeValue>;
}

export function toStreamRecord(row: ChangeRow, region: string): StreamRecord {
  const record: StreamRecord = {
    eventID: formatSequenceNumber(row.seq),
    eventName: row.event_name,
    eventSource: 'aws:dynamodb',
    eventVersion: '1.1',
    awsRegion: region,
    dynamodb: {
      Keys: { PK: { S: row.pk }, SK: { S: row.sk } },
      SequenceNumber: formatSequenceNumber(row.seq),
      SizeBytes: (row.new_item?.length ?? 0) + (row.old_item?.length ?? 0),
      StreamViewType: 'NEW_AND_OLD_IMAGES',
      ApproximateCreationDateTime: Math.floor(row.at / 1000),
    },
  };
  if (row.new_item !== null) record.dynamodb.NewImage = wireImage(row.new_item);
  if (row.old_item !== null) record.dynamodb.OldImage = wireImage(row.old_item);
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
 * (JSON, then DynamoDB's wire form) cost more than reading it. A burst of 5,000 writes was decoded
 * once for each consumer. Enough for a burst to be read by consumers that go at different paces
 * (100 or 1,000 records a turn), a few MB. Consumers share the records, so none may change one.
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

  /** @internal */
  readBatch(after: number, limit: number): { rows: ChangeRow[]; records: StreamRecord[] } {
    const rows = this.statements.after.all(after, limit);
    return { rows, records: rows.map((row) => this.decode(row)) };
  }

  private decode(row: ChangeRow): StreamRecord {
    let record = this.decoded.get(row.seq);
    if (record) return record;
    record = toStreamRecord(row, this.region);
    this.decoded.set(row.seq, record);
    // Oldest first in a Map: the records every consumer has read by now.
    if (this.decoded.size > decodedRecords) this.decoded.delete(this.decoded.keys().next().value as number);
    return record;
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
    const { rows, records } = this.stream.readBatch(this.position, this.subscriber.settings.batchSize);
    if (rows.length === 0) return false;
    await this.handle(records);
    this.position = (rows[rows.length - 1] as ChangeRow).seq;
    this.stream.saveCheckpoint(this.subscriber.name, this.position);
    return true;
  }
}
