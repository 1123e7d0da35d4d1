/**
 * The ItemStore engine on DynamoDB (AWS SDK v3), for AWS and any
 * DynamoDB-compatible endpoint (DynamoDB Local, ScyllaDB Alternator).
 *
 * Requests are validated with the same rules as the SQLite engine before they
 * are sent, so both fail alike; DynamoDB's own errors are translated into the
 * same catalogue.
 */
import {
  BatchGetItemCommand,
  BatchWriteItemCommand,
  DeleteItemCommand,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  TransactWriteItemsCommand,
  UpdateItemCommand,
  type ConsumedCapacity as WireCapacity,
  type DynamoDBClient,
  type TransactWriteItem,
  type AttributeValue as WireValue,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { PlazaError, type ErrorCode } from '../../platform/errors.ts';
import type { Clock } from '../../ports/clock.ts';
import { applyUpdate } from '../../ports/item-store/evaluate.ts';
import type {
  BatchGetResult,
  BatchWriteRequest,
  BatchWriteResult,
  CancellationReason,
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
  itemSize,
  readUnits,
  validateBatchGet,
  validateBatchWrite,
  validateConditions,
  validateItem,
  validateKey,
  validateQuery,
  validateTransaction,
  validateUpdate,
  writeUnits,
} from '../../ports/item-store/rules.ts';
import type { TableDefinition } from '../../ports/item-store/table.ts';
import { DynamoDbChangeStream } from './dynamodb-change-stream.ts';
import type { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import {
  conditionExpression,
  ExpressionBuilder,
  keyConditionExpression,
  updateExpression,
} from './expressions.ts';

const marshallOptions = { removeUndefinedValues: true } as const;

export interface DynamoDbItemStoreOptions {
  client: DynamoDBClient;
  streamsClient: DynamoDBStreamsClient;
  table: TableDefinition;
  /** The table that keeps stream consumers' checkpoints (not the streamed table: each write would be streamed). */
  checkpointTable: string;
  clock: Clock;
  meter: CapacityMeter;
  region: string;
  streamPollMs?: number;
}

export class DynamoDbItemStore implements ItemStore {
  readonly tableName: string;
  readonly changes: DynamoDbChangeStream;
  private readonly client: DynamoDBClient;
  private readonly table: TableDefinition;
  private readonly clock: Clock;
  private readonly meter: CapacityMeter;

  constructor(options: DynamoDbItemStoreOptions) {
    this.client = options.client;
    this.table = options.table;
    this.tableName = options.table.name;
    this.clock = options.clock;
    this.meter = options.meter;
    this.changes = new DynamoDbChangeStream({
      client: options.client,
      streamsClient: options.streamsClient,
      table: options.table.name,
      checkpointTable: options.checkpointTable,
      region: options.region,
      pollIntervalMs: options.streamPollMs ?? 1000,
    });
  }

  // Reads -----------------------------------------------------------------

  async get(key: Key, options: GetOptions = {}): Promise<GetResult> {
    validateKey(key);
    const consistent = options.consistent === true;
    const output = await this.send(() =>
      this.client.send(
        new GetItemCommand({
          TableName: this.tableName,
          Key: marshall(key),
          ConsistentRead: consistent,
          ReturnConsumedCapacity: 'INDEXES',
        }),
      ),
    );
    const item = output.Item ? (unmarshall(output.Item) as Item) : undefined;
    const consumed = this.meterCapacity(output.ConsumedCapacity, 'read', () =>
      readUnits(item ? itemSize(item) : 0, consistent),
    );
    return { item: item && !this.isExpired(item) ? item : undefined, consumed };
  }

  async batchGet(keys: Key[], options: GetOptions = {}): Promise<BatchGetResult> {
    validateBatchGet(keys);
    const consistent = options.consistent === true;
    const output = await this.send(() =>
      this.client.send(
        new BatchGetItemCommand({
          RequestItems: {
            [this.tableName]: { Keys: keys.map((key) => marshall(key)), ConsistentRead: consistent },
          },
          ReturnConsumedCapacity: 'INDEXES',
        }),
      ),
    );
    const items = (output.Responses?.[this.tableName] ?? []).map((raw) => unmarshall(raw) as Item);
    const consumed = this.meterCapacity(output.ConsumedCapacity?.[0], 'read', () =>
      items.reduce((sum, item) => sum + readUnits(itemSize(item), consistent), 0),
    );
    const unprocessed = (output.UnprocessedKeys?.[this.tableName]?.Keys ?? []).map(
      (raw) => unmarshall(raw) as Key,
    );
    return { items: items.filter((item) => !this.isExpired(item)), unprocessed, consumed };
  }

  async query(request: QueryRequest): Promise<QueryResult> {
    const index = validateQuery(this.table, request);
    const keys = index ?? { partitionKey: 'PK', sortKey: 'SK' };
    const builder = new ExpressionBuilder();
    const keyCondition = keyConditionExpression(builder, keys, request.partition, request.sortKey);
    // Expired items may linger until DynamoDB's sweeper gets to them; Plaza never returns them.
    // A KEYS_ONLY index has no TTL attribute to filter on: its keys lead to a batchGet, which filters.
    const ttl = index?.projection === 'KEYS_ONLY' ? undefined : builder.name(this.table.ttlAttribute);
    const filter = ttl
      ? `attribute_not_exists(${ttl}) OR ${ttl} > ${builder.value(this.nowSeconds())}`
      : undefined;
    let exclusiveStartKey: Record<string, WireValue> | undefined;
    if (request.cursor !== undefined) {
      const cursor = decodeCursor(
        request.cursor,
        index ? [index.partitionKey, index.sortKey, 'PK', 'SK'] : ['PK', 'SK'],
      );
      if (cursor[keys.partitionKey] !== request.partition) {
        throw new PlazaError('ValidationException', 'The provided starting key is invalid');
      }
      exclusiveStartKey = marshall(cursor);
    }
    const output = await this.send(() =>
      this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          ...(index ? { IndexName: index.name } : {}),
          KeyConditionExpression: keyCondition,
          ...(filter ? { FilterExpression: filter } : {}),
          ...builder.attributes(),
          ScanIndexForward: request.descending !== true,
          ...(request.limit !== undefined ? { Limit: request.limit } : {}),
          ...(request.consistent ? { ConsistentRead: true } : {}),
          ...(exclusiveStartKey ? { ExclusiveStartKey: exclusiveStartKey } : {}),
          ReturnConsumedCapacity: 'INDEXES',
        }),
      ),
    );
    const items = (output.Items ?? []).map((raw) => unmarshall(raw) as Item);
    const consumed = this.meterCapacity(output.ConsumedCapacity, 'read', () =>
      readUnits(
        items.reduce((sum, item) => sum + itemSize(item), 0),
        request.consistent === true,
      ),
    );
    const cursor = output.LastEvaluatedKey
      ? encodeCursor(unmarshall(output.LastEvaluatedKey) as Record<string, string>)
      : undefined;
    return { items, cursor, consumed };
  }

  // Writes ----------------------------------------------------------------

  async put(request: PutRequest): Promise<WriteResult> {
    const size = validateItem(this.table, request.item);
    validateConditions(request.conditions);
    const builder = new ExpressionBuilder();
    const condition = conditionExpression(builder, request.conditions, this.ttl());
    const output = await this.send(
      () =>
        this.client.send(
          new PutItemCommand({
            TableName: this.tableName,
            Item: marshall(request.item, marshallOptions),
            ...(condition ? { ConditionExpression: condition, ...builder.attributes() } : {}),
            ReturnValues: 'ALL_OLD',
            ReturnConsumedCapacity: 'INDEXES',
          }),
        ),
      () => writeUnits(size),
    );
    const previous = this.live(output.Attributes);
    const consumed = this.meterCapacity(output.ConsumedCapacity, 'write', () =>
      writeUnits(Math.max(size, previous ? itemSize(previous) : 0)),
    );
    return { previous, consumed };
  }

  async delete(request: DeleteRequest): Promise<WriteResult> {
    validateKey(request.key);
    validateConditions(request.conditions);
    const builder = new ExpressionBuilder();
    const condition = conditionExpression(builder, request.conditions, this.ttl());
    const output = await this.send(
      () =>
        this.client.send(
          new DeleteItemCommand({
            TableName: this.tableName,
            Key: marshall(request.key),
            ...(condition ? { ConditionExpression: condition, ...builder.attributes() } : {}),
            ReturnValues: 'ALL_OLD',
            ReturnConsumedCapacity: 'INDEXES',
          }),
        ),
      () => 1,
    );
    const previous = this.live(output.Attributes);
    const consumed = this.meterCapacity(output.ConsumedCapacity, 'write', () =>
      writeUnits(previous ? itemSize(previous) : 0),
    );
    return { previous, consumed };
  }

  async update(request: UpdateRequest): Promise<UpdateResult> {
    validateUpdate(request);
    validateConditions(request.conditions);
    const builder = new ExpressionBuilder();
    const update = updateExpression(builder, request);
    const condition = conditionExpression(builder, request.conditions, this.ttl());
    const output = await this.send(
      () =>
        this.client.send(
          new UpdateItemCommand({
            TableName: this.tableName,
            Key: marshall(request.key),
            ...(update ? { UpdateExpression: update } : {}),
            ...(condition ? { ConditionExpression: condition } : {}),
            ...builder.attributes(),
            // DynamoDB returns one image; the old one is atomic with the update, so the new
            // one follows from applying the same update to it.
            ReturnValues: 'ALL_OLD',
            ReturnConsumedCapacity: 'INDEXES',
          }),
        ),
      () => 1,
    );
    const previous = this.live(output.Attributes);
    const item = applyUpdate(
      output.Attributes ? (unmarshall(output.Attributes) as Item) : undefined,
      request,
    );
    const consumed = this.meterCapacity(output.ConsumedCapacity, 'write', () =>
      writeUnits(Math.max(itemSize(item), previous ? itemSize(previous) : 0)),
    );
    return { previous, item, consumed };
  }

  async batchWrite(requests: BatchWriteRequest[]): Promise<BatchWriteResult> {
    validateBatchWrite(this.table, requests);
    const output = await this.send(() =>
      this.client.send(
        new BatchWriteItemCommand({
          RequestItems: {
            [this.tableName]: requests.map((request) =>
              'put' in request
                ? { PutRequest: { Item: marshall(request.put, marshallOptions) } }
                : { DeleteRequest: { Key: marshall(request.delete) } },
            ),
          },
          ReturnConsumedCapacity: 'INDEXES',
        }),
      ),
    );
    const unprocessed: BatchWriteRequest[] = (output.UnprocessedItems?.[this.tableName] ?? []).map(
      (request) =>
        request.PutRequest?.Item
          ? { put: unmarshall(request.PutRequest.Item) as Item }
          : { delete: unmarshall(request.DeleteRequest?.Key ?? {}) as Key },
    );
    const consumed = this.meterCapacity(output.ConsumedCapacity?.[0], 'write', () =>
      requests.reduce((sum, request) => sum + ('put' in request ? writeUnits(itemSize(request.put)) : 1), 0),
    );
    return { unprocessed, consumed };
  }

  async transactWrite(actions: TransactAction[]): Promise<{ consumed: ConsumedCapacity }> {
    validateTransaction(this.table, actions);
    const items = actions.map((action) => this.transactItem(action));
    const output = await this.send(
      () =>
        this.client.send(
          new TransactWriteItemsCommand({ TransactItems: items, ReturnConsumedCapacity: 'INDEXES' }),
        ),
      () => 2 * actions.length,
    );
    const consumed = this.meterCapacity(output.ConsumedCapacity?.[0], 'write', () =>
      actions.reduce((sum, action) => sum + 2 * writeUnits('put' in action ? itemSize(action.put) : 0), 0),
    );
    return { consumed };
  }

  async close(): Promise<void> {
    await this.changes.close();
  }

  // Internals ---------------------------------------------------------------

  private transactItem(action: TransactAction): TransactWriteItem {
    const builder = new ExpressionBuilder();
    const base = { TableName: this.tableName };
    // Placeholders must all be used, so the update (if any) is built before the condition.
    const update = 'update' in action ? updateExpression(builder, action.update) : undefined;
    const condition = conditionExpression(builder, action.conditions, this.ttl());
    const conditional = condition ? { ConditionExpression: condition } : {};
    if ('put' in action) {
      return {
        Put: {
          ...base,
          Item: marshall(action.put, marshallOptions),
          ...conditional,
          ...builder.attributes(),
        },
      };
    }
    const key = marshall(actionKey(action));
    if ('delete' in action) return { Delete: { ...base, Key: key, ...conditional, ...builder.attributes() } };
    if ('update' in action) {
      return {
        Update: {
          ...base,
          Key: key,
          // A transaction's Update must carry an expression; SET of the sort key to itself changes nothing.
          UpdateExpression: update ?? `SET ${builder.name('SK')} = ${builder.value(action.update.key.SK)}`,
          ...conditional,
          ...builder.attributes(),
        },
      };
    }
    return {
      ConditionCheck: {
        ...base,
        Key: key,
        ConditionExpression: condition as string,
        ...builder.attributes(),
      },
    };
  }

  private nowSeconds(): number {
    return Math.floor(this.clock.now() / 1000);
  }

  private ttl() {
    return { attribute: this.table.ttlAttribute, nowSeconds: this.nowSeconds() };
  }

  private isExpired(item: Item): boolean {
    const ttl = attributeOf(item, this.table.ttlAttribute);
    return typeof ttl === 'number' && ttl * 1000 <= this.clock.now();
  }

  /** An old image as Plaza reports it: absent when the item did not exist or had expired. */
  private live(raw: Record<string, WireValue> | undefined): Item | undefined {
    if (!raw) return undefined;
    const item = unmarshall(raw) as Item;
    return this.isExpired(item) ? undefined : item;
  }

  /** Reports DynamoDB's consumed capacity to the meter; estimates it where an endpoint reports none. */
  private meterCapacity(
    wire: WireCapacity | undefined,
    kind: 'read' | 'write',
    estimate: () => number,
  ): ConsumedCapacity {
    const units = (entry: {
      CapacityUnits?: number;
      ReadCapacityUnits?: number;
      WriteCapacityUnits?: number;
    }) => (kind === 'read' ? entry.ReadCapacityUnits : entry.WriteCapacityUnits) ?? entry.CapacityUnits ?? 0;
    const usage = (table: string, index: string | undefined, n: number) =>
      this.meter.consumed({
        table,
        ...(index ? { index } : {}),
        readUnits: kind === 'read' ? n : 0,
        writeUnits: kind === 'write' ? n : 0,
      });
    let total: number;
    if (wire?.CapacityUnits !== undefined) {
      total = wire.CapacityUnits;
      usage(this.tableName, undefined, wire.Table ? units(wire.Table) : total);
      for (const [index, entry] of Object.entries(wire.GlobalSecondaryIndexes ?? {})) {
        usage(this.tableName, index, units(entry));
      }
    } else {
      total = estimate();
      usage(this.tableName, undefined, total);
    }
    return kind === 'read' ? { readUnits: total, writeUnits: 0 } : { readUnits: 0, writeUnits: total };
  }

  /** Runs a call and translates DynamoDB's errors into the catalogue. */
  private async send<T>(call: () => Promise<T>, failedWriteUnits?: () => number): Promise<T> {
    try {
      return await call();
    } catch (error) {
      // A failed conditional write is still billed, as on DynamoDB.
      if (
        failedWriteUnits &&
        isNamed(error, 'ConditionalCheckFailedException', 'TransactionCanceledException')
      ) {
        this.meter.consumed({ table: this.tableName, readUnits: 0, writeUnits: failedWriteUnits() });
      }
      throw translateError(error);
    }
  }
}

function isNamed(error: unknown, ...names: string[]): boolean {
  return (
    typeof error === 'object' && error !== null && names.includes((error as { name?: string }).name ?? '')
  );
}

const passThrough: readonly ErrorCode[] = [
  'ValidationException',
  'ConditionalCheckFailedException',
  'ResourceNotFoundException',
  'ProvisionedThroughputExceededException',
  'TransactionConflictException',
  'ItemCollectionSizeLimitExceededException',
];

export function translateError(error: unknown): PlazaError {
  if (error instanceof PlazaError) return error;
  const name = (error as { name?: string })?.name ?? 'Error';
  const message = (error as { message?: string })?.message ?? String(error);
  if (name === 'TransactionCanceledException') {
    const reasons: CancellationReason[] = (
      (error as { CancellationReasons?: { Code?: string; Message?: string }[] }).CancellationReasons ?? []
    ).map((reason) => ({
      code: (reason.Code ?? 'None') as CancellationReason['code'],
      ...(reason.Message ? { message: reason.Message } : {}),
    }));
    return new PlazaError(
      'TransactionCanceledException',
      message,
      { cancellationReasons: reasons },
      { cause: error },
    );
  }
  if ((passThrough as readonly string[]).includes(name)) {
    return new PlazaError(name as ErrorCode, message, undefined, { cause: error });
  }
  if (name === 'ThrottlingException' || name === 'RequestLimitExceeded') {
    return new PlazaError('ProvisionedThroughputExceededException', message, undefined, { cause: error });
  }
  return new PlazaError('InternalFailure', `DynamoDB: ${name}: ${message}`, undefined, { cause: error });
}
