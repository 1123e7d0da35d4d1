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

export class SqliteChangeStream implements ChangeStream {
  private readonly db: Database.Database;
  private readonly region: string;
  private readonly pollIntervalMs: number;
  private readonly tableName: string;
  private readonly consumers = new Set<SqliteConsumer>();
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
    this.pollIntervalMs = options.pollIntervalMs;
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
    const subscription = new SqliteConsumer(this, consumer, handler, {
      batchSize: options.batchSize ?? 100,
      pollIntervalMs: options.pollIntervalMs ?? this.pollIntervalMs,
      onError: options.onError ?? (() => {}),
    });
    this.consumers.add(subscription);
    subscription.start();
    return {
      stop: async () => {
        this.consumers.delete(subscription);
        await subscription.stop();
      },
      drain: () => subscription.drain(),
    };
  }

  /** Wakes this process's consumers after a commit. */
  notify(): void {
    for (const consumer of this.consumers) consumer.wake();
  }

  /** Drops records older than `before` (ms), keeping the log within its retention. */
  trim(before: number): void {
    this.statements.trim.run(before);
  }

  async close(): Promise<void> {
    await Promise.all([...this.consumers].map((consumer) => consumer.stop()));
    this.consumers.clear();
  }

  /** @internal */
  readBatch(after: number, limit: number): { rows: ChangeRow[]; records: StreamRecord[] } {
    const rows = this.statements.after.all(after, limit);
    return { rows, records: rows.map((row) => toStreamRecord(row, this.region)) };
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

interface ConsumerSettings {
  batchSize: number;
  pollIntervalMs: number;
  onError: (error: unknown, records: StreamRecord[]) => void;
}

/** One named consumer's read loop: read after the checkpoint, handle, then move the checkpoint. */
class SqliteConsumer {
  private running = false;
  private loop: Promise<void> | undefined;
  private wakeUp: (() => void) | undefined;
  private pendingWake = false;
  private position = 0;
  private readonly waiters: { upTo: number; resolve: () => void }[] = [];

  constructor(
    private readonly stream: SqliteChangeStream,
    private readonly name: string,
    private readonly handler: (records: StreamRecord[]) => Promise<void>,
    private readonly settings: ConsumerSettings,
  ) {}

  start(): void {
    this.running = true;
    this.position = this.stream.checkpointOf(this.name);
    this.loop = this.run();
  }

  wake(): void {
    this.pendingWake = true;
    this.wakeUp?.();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake();
    await this.loop;
    for (const waiter of this.waiters.splice(0)) waiter.resolve();
  }

  drain(): Promise<void> {
    const upTo = this.stream.latestSequence();
    if (this.position >= upTo || !this.running) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ upTo, resolve }));
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (this.running) {
      const { rows, records } = this.stream.readBatch(this.position, this.settings.batchSize);
      if (rows.length === 0) {
        await this.sleep(this.settings.pollIntervalMs);
        continue;
      }
      try {
        await this.handler(records);
      } catch (error) {
        // Retry the same batch after a capped exponential backoff: at-least-once, in order.
        this.settings.onError(error, records);
        failures++;
        await this.backoff(Math.min(30_000, 100 * 2 ** Math.min(failures, 9)));
        continue;
      }
      failures = 0;
      this.position = (rows[rows.length - 1] as ChangeRow).seq;
      this.stream.saveCheckpoint(this.name, this.position);
      for (let i = this.waiters.length - 1; i >= 0; i--) {
        const waiter = this.waiters[i] as { upTo: number; resolve: () => void };
        if (this.position >= waiter.upTo) {
          this.waiters.splice(i, 1);
          waiter.resolve();
        }
      }
    }
  }

  /** Waits out a retry delay; new writes do not cut it short, stopping does. */
  private async backoff(ms: number): Promise<void> {
    const until = Date.now() + ms;
    while (this.running && Date.now() < until) await this.sleep(until - Date.now());
  }

  private sleep(ms: number): Promise<void> {
    if (this.pendingWake) {
      this.pendingWake = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      timer.unref();
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wakeUp = () => {
        this.wakeUp = undefined;
        this.pendingWake = false;
        done();
      };
    });
  }
}
