/**
 * The ItemStore port: one table of the design's single-table model, with
 * DynamoDB's semantics. Two engines implement it (SQLite for one machine,
 * DynamoDB at scale); one contract suite holds them to the same behaviour.
 *
 * Conditions and updates are structured values rather than expression
 * strings, so the SQLite engine evaluates them directly and the DynamoDB
 * engine translates them into expressions in one place.
 *
 * What a read returns is the caller's to look at, not to change: an engine may
 * hand the same frozen item to every reader (SQLite's row cache does). Copy an
 * item (`{ ...item }`) to build a changed one.
 */
import type { IndexName } from './table.ts';

/** Values as the DynamoDB Document client sees them. Sets and binary are not used by Plaza. */
export type AttributeValue =
  string | number | boolean | null | AttributeValue[] | { [name: string]: AttributeValue };
export type Item = Record<string, AttributeValue>;

/** A table's primary key: partition key and sort key, both strings. */
export interface Key {
  PK: string;
  SK: string;
}

/** One condition on the stored item; a list of conditions must all hold. */
export type Condition =
  | { op: 'itemExists' }
  | { op: 'itemNotExists' }
  | { op: 'attributeExists' | 'attributeNotExists'; attribute: string }
  | { op: '=' | '<>' | '<' | '<=' | '>' | '>='; attribute: string; value: AttributeValue };

/** Read and write capacity units consumed by one call, as DynamoDB meters them. */
export interface ConsumedCapacity {
  readUnits: number;
  writeUnits: number;
}

export interface GetOptions {
  /** Strongly consistent read (twice the read units). Default: eventually consistent, as DynamoDB. */
  consistent?: boolean;
}

export interface GetResult {
  item: Item | undefined;
  consumed: ConsumedCapacity;
}

export interface PutRequest {
  item: Item;
  conditions?: Condition[];
}

export interface DeleteRequest {
  key: Key;
  conditions?: Condition[];
}

export interface UpdateRequest {
  key: Key;
  /** Attributes to set (create or replace). */
  set?: Item;
  /** Attributes to remove. */
  remove?: string[];
  /** Atomic counters: each attribute is increased by n (a missing attribute counts as 0). */
  add?: Record<string, number>;
  conditions?: Condition[];
}

export interface WriteResult {
  /** The item as it was before the write, if there was one. */
  previous: Item | undefined;
  consumed: ConsumedCapacity;
}

export interface UpdateResult extends WriteResult {
  /** The item as it is after the update. */
  item: Item;
}

export type SortKeyCondition =
  | { op: '=' | '<' | '<=' | '>' | '>=' | 'beginsWith'; value: string }
  | { op: 'between'; low: string; high: string };

export interface QueryRequest {
  /** A global secondary index of the table; the table itself when absent. */
  index?: IndexName;
  /** Partition key value (of the index when `index` is given). */
  partition: string;
  sortKey?: SortKeyCondition;
  /** Newest (largest sort key) first. */
  descending?: boolean;
  /** At most this many items in the page (the page also ends at 1 MB). */
  limit?: number;
  /** The `cursor` of the previous page. Opaque. */
  cursor?: string;
  /** Strongly consistent read; not allowed on a global secondary index, as on DynamoDB. */
  consistent?: boolean;
}

export interface QueryResult {
  items: Item[];
  /** Present when there may be more items: pass it back to read the next page. */
  cursor: string | undefined;
  consumed: ConsumedCapacity;
}

export interface BatchGetResult {
  /** Found items, in no particular order (as DynamoDB). */
  items: Item[];
  /** Keys the engine did not get to: ask again. */
  unprocessed: Key[];
  consumed: ConsumedCapacity;
}

export type BatchWriteRequest = { put: Item } | { delete: Key };

export interface BatchWriteResult {
  unprocessed: BatchWriteRequest[];
  consumed: ConsumedCapacity;
}

export type TransactAction =
  | { put: Item; conditions?: Condition[] }
  | { delete: Key; conditions?: Condition[] }
  | { update: Omit<UpdateRequest, 'conditions'>; conditions?: Condition[] }
  | { check: Key; conditions: Condition[] };

/** Why each action of a cancelled transaction failed, in the order of the actions. */
export interface CancellationReason {
  code: 'None' | 'ConditionalCheckFailed' | 'TransactionConflict' | 'ValidationError';
  message?: string;
}

export interface ItemStore {
  readonly tableName: string;
  get(key: Key, options?: GetOptions): Promise<GetResult>;
  put(request: PutRequest): Promise<WriteResult>;
  delete(request: DeleteRequest): Promise<WriteResult>;
  update(request: UpdateRequest): Promise<UpdateResult>;
  query(request: QueryRequest): Promise<QueryResult>;
  /** At most 100 distinct keys. */
  batchGet(keys: Key[], options?: GetOptions): Promise<BatchGetResult>;
  /**
   * The item under a key if the store holds it in memory: read now, without I/O or a promise, as
   * an eventually consistent read (and counted as one). Null when the key is known to hold no
   * item; undefined when the store would have to read it (`get` or `batchGet` then). Only an
   * engine in the server's own process has it (SQLite's row cache). GraphQL asks it first for
   * likes, profiles and the viewer's follows, blocks and mutes (`viewerHasLiked`, `author`,
   * `actor`, `viewerFollows`, …): a cached row costs no batch and no promise.
   */
  cached?(key: Key): Item | null | undefined;
  /** At most 25 requests, each item at most once. */
  batchWrite(requests: BatchWriteRequest[]): Promise<BatchWriteResult>;
  /**
   * All or nothing: at most 100 actions, 4 MB in all, each item at most once.
   * Throws TransactionCanceledException with `details.cancellationReasons` when a condition fails.
   */
  transactWrite(actions: TransactAction[]): Promise<{ consumed: ConsumedCapacity }>;
  /** The table's change stream. */
  readonly changes: ChangeStream;
  close(): Promise<void>;
}

/** An attribute value in DynamoDB's wire form ({ S: "x" }, { N: "1" }, ...), as stream records carry it. */
export type WireAttributeValue =
  | { S: string }
  | { N: string }
  | { BOOL: boolean }
  | { NULL: true }
  | { L: WireAttributeValue[] }
  | { M: Record<string, WireAttributeValue> };

/** A change record in the DynamoDB Streams shape (NEW_AND_OLD_IMAGES). */
export interface StreamRecord {
  eventID: string;
  eventName: 'INSERT' | 'MODIFY' | 'REMOVE';
  eventSource: 'aws:dynamodb';
  eventVersion: '1.1';
  awsRegion: string;
  dynamodb: {
    Keys: Record<string, WireAttributeValue>;
    NewImage?: Record<string, WireAttributeValue>;
    OldImage?: Record<string, WireAttributeValue>;
    SequenceNumber: string;
    SizeBytes: number;
    StreamViewType: 'NEW_AND_OLD_IMAGES';
    /** Seconds since the epoch. */
    ApproximateCreationDateTime: number;
  };
  /** Present on deletions made by TTL, as DynamoDB marks them. */
  userIdentity?: { type: 'Service'; principalId: 'dynamodb.amazonaws.com' };
}

export interface StreamConsumerOptions {
  /** Records handed to the handler at once. */
  batchSize?: number;
  /** How often to look for new records when nothing wakes the consumer (ms). */
  pollIntervalMs?: number;
  /**
   * Rest this long after a batch that caught up (not a full one), whatever wakes the consumer, so
   * changes gather into fewer, larger batches and checkpoints: for consumers that need not act at
   * once (audit, analytics).
   */
  batchIntervalMs?: number;
  /** Called when the handler throws; the batch is retried after a backoff. */
  onError?: (error: unknown, records: StreamRecord[]) => void;
}

export interface StreamSubscription {
  /** Stops reading; resolves once the batch in hand (if any) has been handled. */
  stop(): Promise<void>;
  /** Resolves when every record committed before the call has been handled. For tests and shutdown. */
  drain(): Promise<void>;
}

/**
 * A durable, ordered change stream. A named consumer reads from its checkpoint
 * and resumes there after a restart; a batch is checkpointed only after its
 * handler returns, so delivery is at-least-once and handlers must be idempotent.
 */
export interface ChangeStream {
  subscribe(
    consumer: string,
    handler: (records: StreamRecord[]) => Promise<void>,
    options?: StreamConsumerOptions,
  ): StreamSubscription;
}
